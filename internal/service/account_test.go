package service

import (
	"context"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// TestAccountCache: what the database said about a caller is remembered
// (an accepted token, a token whose sign-in ended); a failure to ask it —
// a cancelled request, a closed pool — never is, and answers "unavailable",
// not "unknown account".
func TestAccountCache(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New()
	url := storetest.URL(t)
	open := func() *Service {
		st, err := store.Open(ctx, url, nil, clk.Now)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		if err := st.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		tokens, err := auth.NewTokens([]byte("0123456789abcdef0123456789abcdef"), 15*time.Minute, clk.Now)
		if err != nil {
			t.Fatal(err)
		}
		return New(Config{Store: st, Tokens: tokens, Now: clk.Now, Argon2: auth.FastArgon2})
	}
	s := open()
	if _, _, _, err := s.BootstrapAdmin(ctx, "admin@example.org", "a long enough password"); err != nil {
		t.Fatal(err)
	}
	tp, err := s.Login(ctx, "admin@example.org", "a long enough password", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	entries := func(s *Service) (n int) {
		s.principals.entries.Range(func(any, any) bool { n++; return true })
		return n
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Authenticate(cancelled, tp.AccessToken); !drafting.IsKind(err, drafting.KindUnavailable) {
		t.Fatalf("cancelled request: %v, want unavailable", err)
	}
	if n := entries(s); n != 0 {
		t.Fatalf("a cancelled request left %d cache entries", n)
	}

	closed := open()
	closed.tokens = s.tokens
	_ = closed.store.Close()
	if _, err := closed.Authenticate(ctx, tp.AccessToken); !drafting.IsKind(err, drafting.KindUnavailable) {
		t.Fatalf("closed pool: %v, want unavailable", err)
	}
	if n := entries(closed); n != 0 {
		t.Fatalf("a closed pool left %d cache entries", n)
	}

	p, err := s.Authenticate(ctx, tp.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if n := entries(s); n != 1 {
		t.Fatalf("an accepted token left %d cache entries, want 1", n)
	}
	if err := s.Logout(ctx, p, tp.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if n := entries(s); n != 0 {
		t.Fatalf("sign-out left %d cache entries", n)
	}
	if _, err := s.Authenticate(ctx, tp.AccessToken); !drafting.IsKind(err, drafting.KindUnauthenticated) {
		t.Fatalf("signed-out token: %v, want unauthenticated", err)
	}
	e, ok := s.principals.get("user:"+p.ID+":"+p.Session, clk.Now())
	if !ok || e.refused == nil {
		t.Fatalf("the ended sign-in is not remembered: %+v %v", e, ok)
	}
}
