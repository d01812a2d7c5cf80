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
	a, _ := openReplica(ctx, t, url, clk) // replica A writes; replica B is the hub and listener below

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
	go events.Listen(ctx, url, hubB, &heard{accounts: accounts}, slog.New(slog.DiscardHandler))
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
	a, _ := openReplica(ctx, t, url, clk)
	b, _ := openReplica(ctx, t, url, clk)
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
			go events.Listen(lctx, url, events.NewHub(5), &heard{Service: b, accounts: accounts}, slog.New(slog.DiscardHandler))
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

// TestKeptReadsFollowNotifications: while its listener hears every
// commit, replica A answers a clause it keeps without asking the database;
// once it hears that replica B changed the guideline it reads the new
// wording; and with its listener gone it asks the database again on every
// read.
func TestKeptReadsFollowNotifications(t *testing.T) {
	url := storetest.URL(t)
	if !store.IsPostgres(url) {
		t.Skip("revisions are known from PostgreSQL notifications; SQLite asks the database on every read")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clk := clocktest.New()
	a, stA := openReplica(ctx, t, url, clk)
	b, _ := openReplica(ctx, t, url, clk)
	admin, _, _, err := b.BootstrapAdmin(ctx, "admin@example.org", "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	f, err := b.CreateUser(ctx, auth.Principal{ID: admin.ID, Role: drafting.RoleAdmin}, service.NewUser{Email: "f@example.org",
		Name: "Facilitator", Password: "a long enough password", Role: drafting.RoleFacilitator})
	if err != nil {
		t.Fatal(err)
	}
	fp := auth.Principal{ID: f.ID, Role: drafting.RoleFacilitator}
	g, err := b.CreateGuideline(ctx, fp, service.NewGuideline{Title: drafting.Text{"en": "Guidelines"}, Languages: []string{"en"}, Participants: []string{"BZ"}})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := b.CreateSection(ctx, fp, g.ID, drafting.Text{"en": "I"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := b.CreateClause(ctx, fp, g.ID, service.NewClause{SectionID: sec.ID, Text: drafting.Text{"en": "States shall inform."}})
	if err != nil {
		t.Fatal(err)
	}

	lctx, stop := context.WithCancel(ctx)
	defer stop()
	h := &heard{Service: a, changed: make(chan string, 64), listening: make(chan bool, 4)}
	go events.Listen(lctx, url, events.NewHub(5), h, slog.New(slog.DiscardHandler))
	if !waitFor(t, h.listening, "replica A to listen") {
		t.Fatal("replica A's listener reported a lost connection first")
	}
	sc := storetest.CountStatements(t, stA)
	read := func() (text string, statements int) {
		t.Helper()
		statements = sc.During(func() {
			v, err := a.Clause(ctx, fp, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			text = v.Text["en"]
		})
		return text, statements
	}
	if text, n := read(); text != "States shall inform." || n == 0 {
		t.Fatalf("first read on A: %q in %d statements, want the wording read from the database", text, n)
	}
	if text, n := read(); text != "States shall inform." || n != 0 {
		t.Fatalf("kept read on A while listening: %q in %d statements, want the kept wording and no statement", text, n)
	}

	if _, err := b.UpdateText(ctx, fp, c.ID, service.AnyRevision, service.TextChange{Text: drafting.Text{"en": "States shall promptly inform."}}); err != nil {
		t.Fatal(err)
	}
	for waitFor(t, h.changed, "replica A to hear of B's change") != g.ID {
	}
	if text, n := read(); text != "States shall promptly inform." || n == 0 {
		t.Fatalf("read on A after hearing of B's change: %q in %d statements, want B's wording from the database", text, n)
	}

	stop()
	for waitFor(t, h.listening, "replica A's listener to stop") {
	}
	if text, n := read(); text != "States shall promptly inform." || n == 0 {
		t.Fatalf("read on A without a listener: %q in %d statements, want the database asked", text, n)
	}
}

// openReplica opens a service on its own connection pool to the database
// at url: one replica.
func openReplica(ctx context.Context, t *testing.T, url string, clk *clocktest.Clock) (*service.Service, *store.Store) {
	t.Helper()
	st, err := store.Open(ctx, url, nil, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	tokens, _ := auth.NewTokens([]byte("0123456789abcdef0123456789abcdef"), time.Minute, clk.Now)
	return service.New(service.Config{Store: st, Tokens: tokens, Now: clk.Now, Argon2: auth.FastArgon2}), st
}

// heard is a replica as Listen sees it (the service, when set) that also
// tells the test what it heard.
type heard struct {
	*service.Service
	accounts  chan struct{}
	changed   chan string
	listening chan bool
}

func (h *heard) InvalidatePrincipals() {
	if h.Service != nil {
		h.Service.InvalidatePrincipals()
	}
	if h.accounts != nil {
		h.accounts <- struct{}{}
	}
}

func (h *heard) GuidelineChanged(id string) {
	if h.Service != nil {
		h.Service.GuidelineChanged(id)
	}
	if h.changed != nil {
		h.changed <- id
	}
}

func (h *heard) Listening(on bool) {
	if h.Service != nil {
		h.Service.Listening(on)
	}
	if h.listening != nil {
		h.listening <- on
	}
}

func waitFor[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func ptr[T any](v T) *T { return &v }
