// Package demo loads a realistic negotiation in progress so a newcomer can
// explore the API at once: eight delegations, a facilitator, their national
// workshop outcomes, a bilingual draft of the regional guidelines citing
// them, with comments, positions, a reservation, an objection, a clause in
// silence procedure, an adopted earlier version with its implementation
// plan, the rest of the plan under negotiation and progress reports.
// Everything goes through the service layer, so every rule and event holds.
package demo

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// Password is the demo accounts' password (a demo database only).
const Password = "consenso-demo-2026"

var countries = []struct{ code, head, delegate string }{
	{"BZ", "Andrea Young", "Marcus Flowers"},
	{"CR", "Lucía Vargas", "Esteban Mora"},
	{"SV", "Carlos Hernández", "Ana Lucía Rivas"},
	{"GT", "María José Pérez", "Julio Cifuentes"},
	{"HN", "Rosa Elena Matute", "José Zelaya"},
	{"MX", "Fernanda Ríos", "Alejandro Ortega"},
	{"NI", "Gabriela Somarriba", "Róger Espinoza"},
	{"PA", "Itzel Batista", "Rubén Castillo"},
}

// world is the loaded demo, for the steps that need its ids.
type world struct {
	svc         *service.Service
	facilitator auth.Principal
	heads       map[string]auth.Principal
	delegates   map[string]auth.Principal
	guideline   drafting.Guideline
	sections    []string
	clauses     [][]service.ClauseView // by section
	inputs      []string               // national inputs, in the order of the inputs table
	planSection string
	actions     []service.ActionView
}

// Load fills an empty database through the service, as admin, and prints the
// accounts to sign in with.
func Load(ctx context.Context, svc *service.Service, admin auth.Principal, out io.Writer) error {
	w := &world{svc: svc, heads: map[string]auth.Principal{}, delegates: map[string]auth.Principal{}}
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"accounts", func(ctx context.Context) error { return w.accounts(ctx, admin) }},
		{"guideline", w.structure},
		{"national inputs", w.recordInputs},
		{"negotiation", w.negotiate},
		{"diplomatic practice", w.practice},
		{"implementation plan", w.planAndFollowUp},
	}
	for _, s := range steps {
		if err := s.fn(ctx); err != nil {
			return fmt.Errorf("demo %s: %w", s.name, err)
		}
	}
	w.print(out)
	return nil
}

func principalOf(u drafting.User) auth.Principal {
	return auth.Principal{ID: u.ID, Role: u.Role, Country: u.Country, HeadOfDelegation: u.HeadOfDelegation, Name: u.Name}
}

func email(name, code string) string {
	first := strings.ToLower(strings.Fields(name)[0])
	r := strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ñ", "n")
	return r.Replace(first) + "." + strings.ToLower(code) + "@demo.consenso.local"
}

func (w *world) accounts(ctx context.Context, admin auth.Principal) error {
	f, err := w.svc.CreateUser(ctx, admin, service.NewUser{Email: "facilitator@demo.consenso.local", Name: "Elena Marín (IOM)",
		Password: Password, Role: drafting.RoleFacilitator})
	if err != nil {
		return err
	}
	w.facilitator = principalOf(f)
	if _, err := w.svc.CreateUser(ctx, admin, service.NewUser{Email: "secretariat@demo.consenso.local", Name: "RCM Technical Secretariat",
		Password: Password, Role: drafting.RoleObserver}); err != nil {
		return err
	}
	for _, c := range countries {
		h, err := w.svc.CreateUser(ctx, admin, service.NewUser{Email: email(c.head, c.code), Name: c.head, Password: Password,
			Role: drafting.RoleDelegate, Country: c.code, HeadOfDelegation: true})
		if err != nil {
			return err
		}
		d, err := w.svc.CreateUser(ctx, admin, service.NewUser{Email: email(c.delegate, c.code), Name: c.delegate, Password: Password,
			Role: drafting.RoleDelegate, Country: c.code})
		if err != nil {
			return err
		}
		w.heads[c.code], w.delegates[c.code] = principalOf(h), principalOf(d)
	}
	return nil
}

func (w *world) structure(ctx context.Context) error {
	codes := make([]string, len(countries))
	for i, c := range countries {
		codes[i] = c.code
	}
	g, err := w.svc.CreateGuideline(ctx, w.facilitator, service.NewGuideline{
		Title: drafting.Text{"en": "Regional Guidelines for the Consular Protection of Victims of Trafficking in Persons",
			"es": "Lineamientos Regionales para la Protección Consular de Víctimas de Trata de Personas"},
		Slug:      "regional-guidelines-consular-protection-trafficking",
		Languages: []string{"en", "es"}, Participants: codes})
	if err != nil {
		return err
	}
	w.guideline = g
	for _, sec := range guidelines {
		s, err := w.svc.CreateSection(ctx, w.facilitator, g.ID, drafting.Text{"en": sec.title[0], "es": sec.title[1]}, 0)
		if err != nil {
			return err
		}
		w.sections = append(w.sections, s.ID)
		w.clauses = append(w.clauses, nil)
	}
	// Chapter I first: it is agreed and adopted before the rest is drafted.
	return w.addClauses(ctx, 0)
}

// addClauses drafts the clauses of section i.
func (w *world) addClauses(ctx context.Context, i int) error {
	for _, t := range guidelines[i].clauses {
		c, err := w.svc.CreateClause(ctx, w.facilitator, w.guideline.ID, service.NewClause{SectionID: w.sections[i],
			Text: drafting.Text{"en": t[0], "es": t[1]}, Note: "From the outcomes of the national workshops"})
		if err != nil {
			return err
		}
		w.clauses[i] = append(w.clauses[i], c)
	}
	return nil
}

func (w *world) print(out io.Writer) {
	fmt.Fprintf(out, "\nConsenso demo loaded: %q (guideline %s).\nEvery demo account's password is %s\n", w.guideline.Title["en"], w.guideline.ID, Password)
	fmt.Fprintf(out, "  facilitator  facilitator@demo.consenso.local\n  observer     secretariat@demo.consenso.local\n")
	for _, c := range countries {
		fmt.Fprintf(out, "  %s head       %-38s delegate %s\n", c.code, email(c.head, c.code), email(c.delegate, c.code))
	}
	fmt.Fprintf(out, "Try: GET /api/v1/guidelines/%s/consensus and GET /api/v1/guidelines/%s/approved?format=markdown\n", w.guideline.ID, w.guideline.ID)
	fmt.Fprintf(out, "The agenda: GET /api/v1/guidelines/%s/synthesis, …/inputs?kind=challenge&unaddressed=true, …/actions and …/progress?format=csv\n\n", w.guideline.ID)
}
