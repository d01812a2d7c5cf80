package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/drafting"
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

// negotiation is a guideline in English with Belize as its participant and
// one section, made through svc by a facilitator, whom the admin created.
type negotiation struct {
	admin, facilitator auth.Principal
	guideline          drafting.Guideline
	section            drafting.Section
}

func negotiate(t *testing.T, svc *service.Service) negotiation {
	t.Helper()
	ctx := context.Background()
	admin, _, _, err := svc.BootstrapAdmin(ctx, "admin@example.org", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	n := negotiation{admin: auth.Principal{ID: admin.ID, Role: drafting.RoleAdmin}}
	f, err := svc.CreateUser(ctx, n.admin, service.NewUser{Email: "f@example.org", Name: "Facilitator", Password: "a long enough password", Role: drafting.RoleFacilitator})
	if err != nil {
		t.Fatal(err)
	}
	n.facilitator = auth.Principal{ID: f.ID, Role: drafting.RoleFacilitator, Name: f.Name}
	if n.guideline, err = svc.CreateGuideline(ctx, n.facilitator, service.NewGuideline{Title: drafting.Text{"en": "Guidelines"},
		Languages: []string{"en"}, Participants: []string{"BZ"}}); err != nil {
		t.Fatal(err)
	}
	if n.section, err = svc.CreateSection(ctx, n.facilitator, n.guideline.ID, drafting.Text{"en": "I"}, 0); err != nil {
		t.Fatal(err)
	}
	return n
}

// clause adds a clause of text at the end of the negotiation's section.
func (n negotiation) clause(t *testing.T, svc *service.Service, text string) service.ClauseView {
	t.Helper()
	c, err := svc.CreateClause(context.Background(), n.facilitator, n.guideline.ID, service.NewClause{SectionID: n.section.ID, Text: drafting.Text{"en": text}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
