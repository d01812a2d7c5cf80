package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/store"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// openMigratedTo opens a fresh database migrated to version, for a test of
// the migration after it: the store, the test clock's now, and exec, which
// runs raw SQL (rows written as an older schema held them) or fails the test.
func openMigratedTo(t *testing.T, version int64) (*store.Store, time.Time, func(sql string, args ...any)) {
	t.Helper()
	clk := clocktest.New()
	s, err := store.Open(context.Background(), storetest.URL(t), nil, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.MigrateTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if err := s.DB().Exec(sql, args...).Error; err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	return s, clk.Now().UTC(), exec
}

// upDownUp checks a migration both ways: it migrates s up to version (0:
// every migration) and runs check, down to below and runs gone (if any:
// what the Down must have removed), then up again and runs check again.
func upDownUp(t *testing.T, s *store.Store, version, below int64, check, gone func()) {
	t.Helper()
	ctx := context.Background()
	up := func() {
		t.Helper()
		var err error
		if version == 0 {
			err = s.Migrate(ctx, nil)
		} else {
			err = s.MigrateTo(ctx, version)
		}
		if err != nil {
			t.Fatal(err)
		}
		check()
	}
	up()
	if err := s.MigrateTo(ctx, below); err != nil {
		t.Fatal(err)
	}
	if gone != nil {
		gone()
	}
	up()
}
