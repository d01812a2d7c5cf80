package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/store"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

func TestMigrateSeedsCountries(t *testing.T) {
	s := storetest.MustOpen(t, clocktest.Epoch)
	var codes []string
	err := s.Read(context.Background(), func(tx *store.Tx) error {
		cs, err := tx.Countries()
		for _, c := range cs {
			codes = append(codes, c.Code)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"BZ", "CR", "GT", "HN", "MX", "NI", "PA", "SV"}
	if len(codes) != len(want) {
		t.Fatalf("countries = %v, want %v", codes, want)
	}
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("countries = %v, want %v", codes, want)
		}
	}
	ok, err := s.SchemaCurrent(context.Background())
	if err != nil || !ok {
		t.Fatalf("SchemaCurrent = %v, %v; want true", ok, err)
	}
}

// Several replicas starting at once must not trip over each other.
func TestMigrateConcurrentStarts(t *testing.T) {
	url := storetest.URL(t)
	if !store.IsPostgres(url) {
		// An SQLite file is served by one process; the advisory lock that
		// makes concurrent starts safe is PostgreSQL's.
		t.Skip("concurrent replicas run on PostgreSQL only")
	}
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := store.Open(context.Background(), url, nil, clocktest.Epoch)
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			errs <- s.Migrate(context.Background(), nil)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent migrate: %v", err)
		}
	}
}
