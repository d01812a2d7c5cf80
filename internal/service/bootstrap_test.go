package service_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/service"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// TestBootstrapAdmin/replicas_at_once: several replicas starting on one empty
// database all start; exactly one creates (and prints) the first admin.
func TestBootstrapAdmin(t *testing.T) {
	t.Run("replicas_at_once", func(t *testing.T) {
		clk := clocktest.New()
		st := storetest.MustOpen(t, clk.Now)
		tokens, err := auth.NewTokens([]byte("0123456789abcdef0123456789abcdef"), 15*time.Minute, clk.Now)
		if err != nil {
			t.Fatal(err)
		}
		const replicas = 6
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			created int
			errs    []error
		)
		gate := make(chan struct{})
		for range replicas {
			svc := service.New(service.Config{Store: st, Tokens: tokens, Now: clk.Now, Argon2: auth.FastArgon2})
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				_, _, ok, err := svc.BootstrapAdmin(context.Background(), "", "")
				mu.Lock()
				defer mu.Unlock()
				if ok {
					created++
				}
				if err != nil {
					errs = append(errs, err)
				}
			}()
		}
		close(gate)
		wg.Wait()
		if len(errs) > 0 || created != 1 {
			t.Fatalf("created %d admins, errors %v; want 1 and none", created, errs)
		}
	})
}
