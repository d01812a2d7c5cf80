// Package storetest opens a fresh, migrated database for a test: an SQLite
// file in the test's temporary directory, or — when TEST_DATABASE_URL names a
// PostgreSQL server — a schema of its own on that server, dropped afterwards.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/store"
)

// URL returns a database URL for a fresh, empty database and registers its
// removal with tb.Cleanup. Use it when the code under test opens the store
// itself (the whole program); MustOpen otherwise.
func URL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		return filepath.Join(tb.TempDir(), "consenso.db")
	}
	if !store.IsPostgres(base) {
		tb.Fatalf("TEST_DATABASE_URL must be a postgres:// URL, got %q", base)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)

	admin, err := store.Open(context.Background(), base, nil, clocktest.Epoch)
	if err != nil {
		tb.Fatalf("connect to TEST_DATABASE_URL: %v", err)
	}
	if err := admin.DB().Exec("CREATE SCHEMA " + schema).Error; err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		_ = admin.DB().Exec("DROP SCHEMA " + schema + " CASCADE").Error
		_ = admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// MustOpen opens and migrates a fresh database for tb, reading time from now
// (a clocktest clock).
func MustOpen(tb testing.TB, now func() time.Time) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), URL(tb), nil, now)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(context.Background(), nil); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return s
}
