package service

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// TestWebhookEventTypesComplete fails when an event type is added to
// package drafting without deciding whether "*" covers it.
func TestWebhookEventTypesComplete(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../drafting/event.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || len(vs.Values) != 1 || !strings.HasPrefix(vs.Names[0].Name, "Event") {
			return true
		}
		lit, ok := vs.Values[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		typ, _ := strconv.Unquote(lit.Value)
		found++
		neg, admin := drafting.NegotiationEvents[typ], drafting.AdministrationEvents[typ]
		if neg == admin {
			t.Errorf("event type %s (drafting.%s) must be in exactly one of drafting.NegotiationEvents (\"*\" covers it) "+
				"and drafting.AdministrationEvents (only webhooks naming it receive it)", typ, vs.Names[0].Name)
		}
		if !webhookEventTypes[typ] {
			t.Errorf("event type %s (drafting.%s) cannot be subscribed to", typ, vs.Names[0].Name)
		}
		return true
	})
	if found == 0 || found != len(webhookEventTypes) {
		t.Errorf("drafting declares %d event types, webhooks know %d", found, len(webhookEventTypes))
	}
}

// TestWebhookWildcardCoversNegotiationOnly: "*" never reaches an event that
// carries e-mail addresses, client ids or receiver URLs.
func TestWebhookWildcardCoversNegotiationOnly(t *testing.T) {
	all := drafting.Webhook{Events: []string{"*"}}
	for typ := range drafting.AdministrationEvents {
		if all.Wants(typ) {
			t.Errorf(`"*" receives %s`, typ)
		}
		if !(drafting.Webhook{Events: []string{"*", typ}}).Wants(typ) {
			t.Errorf(`["*", %q] does not receive it`, typ)
		}
	}
	for typ := range drafting.NegotiationEvents {
		if !all.Wants(typ) {
			t.Errorf(`"*" does not receive %s`, typ)
		}
	}
	for _, typ := range []string{drafting.EventUserCreated, drafting.EventUserUpdated, drafting.EventCountryCreated,
		drafting.EventIntegrationCreated, drafting.EventIntegrationUpdated, drafting.EventWebhookCreated,
		drafting.EventWebhookUpdated, drafting.EventWebhookDeleted} {
		if !drafting.AdministrationEvents[typ] {
			t.Errorf("%s is not an administration event", typ)
		}
	}
}

func TestValidateWebhookEvents(t *testing.T) {
	cases := []struct {
		in   []string
		want string
		bad  bool
	}{
		{in: []string{"*"}, want: "*"},
		{in: []string{"draft.created", "*", "draft.created"}, want: "*"},
		{in: []string{"*", "user.created", "clause.created", "user.created"}, want: "*,user.created"},
		{in: []string{"guideline.adopted", "integration.created", "guideline.adopted"}, want: "guideline.adopted,integration.created"},
		{in: []string{"*", "nope"}, bad: true},
		{in: []string{}, bad: true},
	}
	for _, c := range cases {
		var errs drafting.Fields
		got := strings.Join(validateWebhookEvents(&errs, c.in), ",")
		if bad := errs.Err("x") != nil; bad != c.bad {
			t.Errorf("%v: refused = %v, want %v", c.in, bad, c.bad)
		}
		if !c.bad && got != c.want {
			t.Errorf("%v = %s, want %s", c.in, got, c.want)
		}
	}
}
