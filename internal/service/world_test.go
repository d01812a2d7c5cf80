package service_test

import (
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/service"
	"github.com/rcm-iom/consenso/internal/store"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// world is a test database with its clock and token signer; service gives
// a new service over it (several stand for several replicas).
type world struct {
	clk    *clocktest.Clock
	st     *store.Store
	tokens *auth.Tokens
}

func openWorld(t *testing.T) *world {
	t.Helper()
	clk := clocktest.New()
	st := storetest.MustOpen(t, clk.Now)
	tokens, err := auth.NewTokens([]byte("0123456789abcdef0123456789abcdef"), 15*time.Minute, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	return &world{clk: clk, st: st, tokens: tokens}
}

func (w *world) service() *service.Service {
	return service.New(service.Config{Store: w.st, Tokens: w.tokens, Now: w.clk.Now, Argon2: auth.FastArgon2})
}
