package events_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/events"
	"github.com/rcm-iom/consenso/internal/service"
	"github.com/rcm-iom/consenso/internal/store"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// TestListenAcrossReplicas: an event committed through one replica wakes the
// streams of another through PostgreSQL LISTEN/NOTIFY, and an account change
// empties the other replica's account cache.
func TestListenAcrossReplicas(t *testing.T) {
	url := storetest.URL(t)
	if !store.IsPostgres(url) {
		t.Skip("LISTEN/NOTIFY fan-out is PostgreSQL's; SQLite runs one process with an in-process hub")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clk := clocktest.New()
	open := func() *service.Service {
		st, err := store.Open(ctx, url, nil, clk.Now)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		tokens, _ := auth.NewTokens([]byte("0123456789abcdef0123456789abcdef"), time.Minute, clk.Now)
		return service.New(service.Config{Store: st, Tokens: tokens, Now: clk.Now, Argon2: auth.FastArgon2})
	}
	a := open() // replica A writes; replica B is the hub and listener below

	admin, _, _, err := a.BootstrapAdmin(ctx, "admin@example.org", "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	ap := auth.Principal{ID: admin.ID, Role: drafting.RoleAdmin}
	g, err := a.CreateGuideline(ctx, ap, service.NewGuideline{Title: drafting.Text{"en": "Fan-out"}, Languages: []string{"en"}, Participants: []string{"BZ"}})
	if err != nil {
		t.Fatal(err)
	}

	hubB := events.NewHub(5)
	sub, _ := hubB.Subscribe(g.ID, "someone")
	accounts := make(chan struct{}, 16)
	go events.Listen(ctx, url, hubB, func() { accounts <- struct{}{} }, slog.New(slog.DiscardHandler))
	// The listener wakes everything once connected: wait for that first.
	waitFor(t, sub.C, "the listener to connect")
	waitFor(t, accounts, "the initial account refresh")

	if _, err := a.CreateDraft(ctx, ap, g.ID, "from replica A"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, sub.C, "replica B to hear of replica A's event")

	if _, err := a.UpdateUser(ctx, ap, admin.ID, service.UserPatch{Name: ptr("Renamed")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, accounts, "replica B to hear of an account change")
}

// TestSignOutAcrossReplicas: a token accepted (and so cached) by replica B
// is refused by B as soon as B hears that replica A ended its sign-in. The
// test clock stands still, so B's cache would keep the token otherwise.
func TestSignOutAcrossReplicas(t *testing.T) {
	url := storetest.URL(t)
	if !store.IsPostgres(url) {
		t.Skip("LISTEN/NOTIFY fan-out is PostgreSQL's; SQLite runs one process")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clk := clocktest.New()
	tokens, _ := auth.NewTokens([]byte("0123456789abcdef0123456789abcdef"), time.Minute, clk.Now)
	open := func() *service.Service {
		st, err := store.Open(ctx, url, nil, clk.Now)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		return service.New(service.Config{Store: st, Tokens: tokens, Now: clk.Now, Argon2: auth.FastArgon2})
	}
	a, b := open(), open()
	if _, _, _, err := a.BootstrapAdmin(ctx, "admin@example.org", "a long enough password"); err != nil {
		t.Fatal(err)
	}
	for _, revoke := range []struct {
		name string
		do   func(p auth.Principal, refresh string) error
	}{
		{"sign_out", func(p auth.Principal, refresh string) error { return a.Logout(ctx, p, refresh) }},
		{"replayed_refresh_token", func(_ auth.Principal, refresh string) error {
			if _, err := a.Refresh(ctx, refresh); err != nil {
				return err
			}
			_, err := a.Refresh(ctx, refresh) // theft: the sign-in ends
			if err == nil {
				t.Fatal("a spent refresh token was accepted")
			}
			return nil
		}},
	} {
		t.Run(revoke.name, func(t *testing.T) {
			lctx, stop := context.WithCancel(ctx)
			defer stop()
			accounts := make(chan struct{}, 16)
			go events.Listen(lctx, url, events.NewHub(5), func() { b.InvalidatePrincipals(); accounts <- struct{}{} }, slog.New(slog.DiscardHandler))
			waitFor(t, accounts, "the initial account refresh")

			tp, err := a.Login(ctx, "admin@example.org", "a long enough password", "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			p, err := b.Authenticate(ctx, tp.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			if err := revoke.do(p, tp.RefreshToken); err != nil {
				t.Fatal(err)
			}
			waitFor(t, accounts, "replica B to hear that the sign-in ended")
			if _, err := b.Authenticate(ctx, tp.AccessToken); !drafting.IsKind(err, drafting.KindUnauthenticated) {
				t.Fatalf("replica B after the sign-in ended: %v, want 401", err)
			}
		})
	}
}

func waitFor(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func ptr[T any](v T) *T { return &v }
