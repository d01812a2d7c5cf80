package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// TestIsTransient feeds the classifier errors the database really returns:
// "not now" (outage, broken connection, busy, cancelled) is transient; an
// answer about the data (not found, duplicate, bad SQL) is not.
func TestIsTransient(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t)
	mustMigrated(t, url)
	st := mustOpen(t, url)

	t.Run("answers_are_not_transient", func(t *testing.T) {
		for name, err := range map[string]error{
			"not_found": st.Read(ctx, func(tx *store.Tx) error { _, err := tx.User("nobody"); return err }),
			"duplicate": st.Write(ctx, func(tx *store.Tx) error {
				return tx.CreateCountry(drafting.Country{Code: "BZ", Name: "Belize", Language: "en", CreatedAt: clocktest.Epoch()})
			}),
			"bad_sql": st.DB().WithContext(ctx).Exec("SELECT no_such_column FROM countries").Error,
			"nil":     nil,
		} {
			if name != "nil" && err == nil {
				t.Fatalf("%s: no error", name)
			}
			if store.IsTransient(err) {
				t.Errorf("%s: IsTransient(%v) = true", name, err)
			}
		}
	})
	t.Run("cancelled_request", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := st.Read(cctx, func(tx *store.Tx) error { _, err := tx.Countries(); return err })
		mustTransient(t, err)
		dctx, cancel2 := context.WithDeadline(ctx, time.Unix(1, 0)) // long past, whatever the date
		defer cancel2()
		mustTransient(t, st.Read(dctx, func(tx *store.Tx) error { _, err := tx.Countries(); return err }))
	})
	t.Run("closed_database", func(t *testing.T) {
		other := mustOpen(t, url)
		_ = other.Close()
		mustTransient(t, other.Read(ctx, func(tx *store.Tx) error { _, err := tx.Countries(); return err }))
	})
	if st.Dialect() == store.Postgres {
		testTransientPostgres(t, st, url)
	} else {
		testTransientSQLite(t, st)
	}
}

func testTransientPostgres(t *testing.T, st *store.Store, dbURL string) {
	ctx := context.Background()
	base := os.Getenv("TEST_DATABASE_URL")
	t.Run("connection_refused", func(t *testing.T) {
		u, _ := url.Parse(base)
		u.Host = "127.0.0.1:1"
		_, err := store.Open(ctx, u.String(), nil, clocktest.Epoch)
		mustTransient(t, err)
	})
	t.Run("backend_terminated", func(t *testing.T) {
		// The server ends a backend (as on shutdown or failover) under a
		// connection the pool still holds.
		victim := mustOpen(t, dbURL)
		sqlDB, _ := victim.DB().DB()
		conn, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var pid int
		if err := conn.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			t.Fatal(err)
		}
		if err := st.DB().Exec("SELECT pg_terminate_backend(?)", pid).Error; err != nil {
			t.Fatal(err)
		}
		err = conn.QueryRowContext(ctx, "SELECT 1").Scan(new(int))
		if err == nil {
			t.Fatal("a terminated backend answered")
		}
		mustTransient(t, err)
	})
	t.Run("lock_timeout", func(t *testing.T) {
		holder, waiter := mustConn(t, st), mustConn(t, st)
		txh, err := holder.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer txh.Rollback()
		if _, err := txh.ExecContext(ctx, "LOCK TABLE countries IN ACCESS EXCLUSIVE MODE"); err != nil {
			t.Fatal(err)
		}
		txw, err := waiter.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer txw.Rollback()
		if _, err := txw.ExecContext(ctx, "SET LOCAL lock_timeout = '1ms'"); err != nil {
			t.Fatal(err)
		}
		_, err = txw.ExecContext(ctx, "LOCK TABLE countries IN ACCESS EXCLUSIVE MODE")
		mustTransient(t, err)
	})
	t.Run("sqlstates", func(t *testing.T) {
		for code, want := range map[string]bool{
			"08006": true, "08001": true, "53300": true, "53100": true, "57P01": true, "57P03": true,
			"57014": true, "40001": true, "40P01": true, "55P03": true, "25006": true,
			"23505": false, "23503": false, "22P02": false, "42P01": false, "28P01": false, "3D000": false,
		} {
			err := fmt.Errorf("query: %w", &pgconn.PgError{Severity: "ERROR", Code: code})
			if got := store.IsTransient(err); got != want {
				t.Errorf("SQLSTATE %s: IsTransient = %v, want %v", code, got, want)
			}
		}
	})
}

func testTransientSQLite(t *testing.T, st *store.Store) {
	ctx := context.Background()
	t.Run("busy", func(t *testing.T) {
		// Another writer holds the file and this one does not wait.
		path := filepath.Join(t.TempDir(), "busy.db")
		mustMigrated(t, path)
		holder := mustOpen(t, path)
		hdb, _ := holder.DB().DB()
		conn, err := hdb.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			t.Fatal(err)
		}
		defer conn.ExecContext(ctx, "ROLLBACK")
		impatient := mustOpen(t, path+"?_pragma=busy_timeout(0)&_pragma=journal_mode(WAL)&_txlock=immediate")
		err = impatient.Write(ctx, func(tx *store.Tx) error {
			return tx.CreateCountry(drafting.Country{Code: "US", Name: "United States", Language: "en", CreatedAt: clocktest.Epoch()})
		})
		if err == nil {
			t.Fatal("a second writer got the lock")
		}
		mustTransient(t, err)
	})
	t.Run("cannot_open", func(t *testing.T) {
		// The volume holding the file is gone.
		_, err := store.Open(ctx, filepath.Join(t.TempDir(), "missing", "consenso.db"), nil, clocktest.Epoch)
		if err == nil {
			t.Fatal("opened a file in a directory that does not exist")
		}
		mustTransient(t, err)
	})
	t.Run("no_such_table_is_not_transient", func(t *testing.T) {
		empty := mustOpen(t, filepath.Join(t.TempDir(), "empty.db"))
		err := empty.Read(ctx, func(tx *store.Tx) error { _, err := tx.Countries(); return err })
		if err == nil || store.IsTransient(err) {
			t.Fatalf("IsTransient(%v) = true, want false", err)
		}
	})
}

func mustTransient(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if !store.IsTransient(err) {
		t.Fatalf("IsTransient(%v) = false (%T), want true", err, errors.Unwrap(err))
	}
}

func mustOpen(t *testing.T, url string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), url, nil, clocktest.Epoch)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func mustMigrated(t *testing.T, url string) {
	t.Helper()
	if err := mustOpen(t, url).Migrate(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

func mustConn(t *testing.T, st *store.Store) *sql.Conn {
	t.Helper()
	sqlDB, _ := st.DB().DB()
	conn, err := sqlDB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}
