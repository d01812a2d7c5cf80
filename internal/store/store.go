// Package store keeps Consenso's state in SQLite or PostgreSQL through GORM:
// row types, queries, transactions, error translation and the migration
// runner. It never decides a rule; the service layer does.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// Dialect names the database behind a Store.
type Dialect string

// Supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is the database handle.
type Store struct {
	db    *gorm.DB
	sqlDB *sql.DB
	// pub is the publisher's handle (Publish): on PostgreSQL a connection
	// of its own, so a publication never queues behind the writers it
	// publishes for; on SQLite the shared one.
	pub     *gorm.DB
	pubSQL  *sql.DB
	dialect Dialect
	url     string
}

// IsPostgres reports whether url selects PostgreSQL rather than an embedded
// SQLite file.
func IsPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// SQLiteDSN turns a file path into the DSN Consenso needs: WAL, foreign keys,
// a busy timeout, and BEGIN IMMEDIATE so write transactions queue instead of
// failing when they upgrade from a read lock.
func SQLiteDSN(path string) string {
	if strings.Contains(path, "?") {
		return path
	}
	return path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// createPrivate creates the SQLite file at path, readable and writable by
// its owner only, unless it exists already (its mode is then the operator's
// choice). SQLite gives the -wal and -shm files it creates beside it the
// database file's mode. DSNs with options, file: URIs and :memory: are
// left to SQLite.
func createPrivate(path string) error {
	if path == "" || strings.Contains(path, "?") || strings.HasPrefix(path, "file:") || strings.HasPrefix(path, ":memory:") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create the SQLite database: %w", err)
	}
	return f.Close()
}

// Open connects to url: a postgres:// URL or a SQLite file path. now is the
// program's clock; GORM reads it for the timestamps it fills in itself.
func Open(ctx context.Context, url string, log *slog.Logger, now func() time.Time) (*Store, error) {
	if now == nil {
		return nil, errors.New("store.Open: a clock is required")
	}
	cfg := &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return now().UTC() },
	}
	s := &Store{url: url}
	var dialector gorm.Dialector
	if IsPostgres(url) {
		s.dialect = Postgres
		dialector = postgres.Open(url)
	} else {
		s.dialect = SQLite
		if err := createPrivate(url); err != nil {
			return nil, err
		}
		dialector = sqlite.Open(SQLiteDSN(url))
	}
	db, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", s.dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if s.dialect == Postgres {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
	} else {
		// One writer at a time is SQLite's nature; readers run beside it under WAL.
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(8)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", s.dialect, err)
	}
	s.db, s.sqlDB, s.pub = db, sqlDB, db
	if s.dialect == Postgres {
		if s.pub, err = gorm.Open(postgres.Open(url), cfg); err != nil {
			_ = sqlDB.Close()
			return nil, fmt.Errorf("open the publisher's connection: %w", err)
		}
		if s.pubSQL, err = s.pub.DB(); err != nil {
			_ = sqlDB.Close()
			return nil, err
		}
		s.pubSQL.SetMaxOpenConns(1)
		s.pubSQL.SetMaxIdleConns(1)
		s.pubSQL.SetConnMaxIdleTime(5 * time.Minute)
	}
	return s, nil
}

// SetMaxConns bounds the PostgreSQL connections requests use (20 unless
// set); the publisher's connection is apart. SQLite keeps its own bound.
func (s *Store) SetMaxConns(n int) {
	if s.dialect == Postgres && n > 0 {
		s.sqlDB.SetMaxOpenConns(n)
		s.sqlDB.SetMaxIdleConns(min(n, 10))
	}
}

// Dialect reports which database this is.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close releases the connections.
func (s *Store) Close() error {
	if s.pubSQL != nil {
		_ = s.pubSQL.Close()
	}
	return s.sqlDB.Close()
}

// DB exposes the raw handle for tests that count statements.
func (s *Store) DB() *gorm.DB { return s.db }

// Tx is a unit of work: every state change runs inside one, and reads outside
// a transaction use one bound to the plain handle.
type Tx struct {
	db *gorm.DB
	// counts are the comment counts the transaction changed, left in its
	// outbox row (Outbox).
	counts map[countKey]int
}

// Write runs fn in one transaction, committed only if fn returns nil.
func (s *Store) Write(ctx context.Context, fn func(tx *Tx) error) error {
	return s.db.WithContext(ctx).Transaction(func(db *gorm.DB) error {
		return fn(&Tx{db: db})
	})
}

// Read runs fn on the plain handle (no transaction, so SQLite readers never
// take the write lock).
func (s *Store) Read(ctx context.Context, fn func(tx *Tx) error) error {
	return fn(&Tx{db: s.db.WithContext(ctx)})
}

// Ping checks the connection.
func (s *Store) Ping(ctx context.Context) error { return s.sqlDB.PingContext(ctx) }

// ErrConflict is returned by conditional updates that matched no row.
var ErrConflict = errors.New("row changed concurrently")

// notFound maps gorm's not-found to the domain's.
func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return drafting.NotFound(what)
	}
	return err
}

// IsDuplicate reports whether err is a unique-constraint violation.
func IsDuplicate(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }

// IsForeignKey reports whether err is a foreign-key violation.
func IsForeignKey(err error) bool { return errors.Is(err, gorm.ErrForeignKeyViolated) }

func gormExpr(expr string) any { return gorm.Expr(expr) }

func jsonUnmarshal(s string, v any) error {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("decode stored JSON: %w", err)
	}
	return nil
}

// decoder is a row that turns into a domain value, or fails on stored data
// it cannot read.
type decoder[D any] interface{ domain() (D, error) }

// domainsOf turns rows into domain values, in order, stopping at the first
// row that cannot be read.
func domainsOf[D any, R decoder[D]](rows []R) ([]D, error) {
	out := make([]D, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.domain(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
