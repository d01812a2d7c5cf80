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
	g, err := a.CreateGuideline(ctx, ap, service.NewGuideline{Title: "Fan-out", Languages: []string{"en"}, Participants: []string{"BZ"}})
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

func waitFor(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func ptr[T any](v T) *T { return &v }
