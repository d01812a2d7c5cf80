package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// specEventTypes reads the contract's EventType enum and the Event
// discriminator's mapping, failing unless they list the same types.
func specEventTypes(t *testing.T) []string {
	t.Helper()
	doc, _ := contract(t)
	var enum []string
	for _, v := range doc.Components.Schemas["EventType"].Value.Enum {
		enum = append(enum, v.(string))
	}
	var mapped []string
	for k, ref := range doc.Components.Schemas["Event"].Value.Discriminator.Mapping {
		mapped = append(mapped, k)
		variant := doc.Components.Schemas[strings.TrimPrefix(ref.Ref, "#/components/schemas/")]
		if variant == nil {
			t.Fatalf("Event mapping %s → %s: no such schema", k, ref.Ref)
		}
	}
	sort.Strings(enum)
	sort.Strings(mapped)
	if diff := cmp.Diff(enum, mapped); diff != "" {
		t.Fatalf("EventType and the Event discriminator's mapping differ (-enum +mapping):\n%s", diff)
	}
	return enum
}

// TestEventTypesInContract: the contract types exactly the event types
// package drafting declares, each with its own schema.
func TestEventTypesInContract(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../drafting/event.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || len(vs.Values) != 1 || !strings.HasPrefix(vs.Names[0].Name, "Event") {
			return true
		}
		if lit, ok := vs.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
			typ, _ := strconv.Unquote(lit.Value)
			declared = append(declared, typ)
		}
		return true
	})
	sort.Strings(declared)
	if diff := cmp.Diff(declared, specEventTypes(t)); diff != "" {
		t.Fatalf("drafting's event types and the contract's differ (-drafting +contract):\n%s", diff)
	}
}

// accountEventTypes are the types outside any guideline: only webhooks
// receive them.
var accountEventTypes = map[string]bool{
	drafting.EventUserCreated: true, drafting.EventUserUpdated: true, drafting.EventCountryCreated: true,
	drafting.EventIntegrationCreated: true, drafting.EventIntegrationUpdated: true,
	drafting.EventWebhookCreated: true, drafting.EventWebhookUpdated: true, drafting.EventWebhookDeleted: true,
}

// TestEveryEventTypeMatchesContract produces every event type through the
// API, then reads them back three ways: the event lists (each answer
// validated against the contract by the harness), one webhook subscribed
// to everything (each payload validated against WebhookPayload), and the
// clause id of every clause-related event in data.clause_id.
func TestEveryEventTypeMatchesContract(t *testing.T) {
	d := newDelib(t)
	d.svc.SetWebhookAllowPrivate(true)
	rc := newHookReceiver(t)
	// "*" is the negotiation; administration events must be named.
	everything := []string{"*"}
	for typ := range drafting.AdministrationEvents {
		everything = append(everything, typ)
	}
	d.mustWebhook(d.admin, rc.URL+"/all", everything...)

	// Accounts, countries, integrations, webhooks.
	u := d.mustUser(d.admin, drafting.RoleDelegate, "CR", false)
	d.do(req{method: "PATCH", path: "/api/v1/users/" + u.ID, token: d.admin.Token, body: map[string]any{"name": "Ana Solís"}}).want(200)
	d.do(req{method: "POST", path: "/api/v1/countries", token: d.admin.Token, body: map[string]any{"code": "DO", "name": "Dominican Republic", "language": "es"}}).want(201)
	in := d.do(req{method: "POST", path: "/api/v1/integrations", token: d.admin.Token, body: map[string]any{"name": "Referral system"}}).want(201).JSON()
	d.do(req{method: "PATCH", path: "/api/v1/integrations/" + in["id"].(string), token: d.admin.Token, body: map[string]any{"name": "Referrals"}}).want(200)
	other := d.mustWebhook(d.admin, rc.URL+"/other", drafting.EventGuidelineAdopted)
	d.do(req{method: "PATCH", path: "/api/v1/webhooks/" + other["id"].(string), token: d.admin.Token,
		body: map[string]any{"events": []string{drafting.EventGuidelineAdopted, drafting.EventDraftCreated}}}).want(200)
	d.do(req{method: "DELETE", path: "/api/v1/webhooks/" + other["id"].(string), token: d.admin.Token}).want(204)
	// Belize's head designates an alternate, then revokes the designation.
	d.do(req{method: "PUT", path: "/api/v1/countries/BZ/alternate", token: d.heads["BZ"].Token,
		body: map[string]any{"user_id": d.delegate.ID}}).want(200)
	d.do(req{method: "DELETE", path: "/api/v1/countries/BZ/alternate", token: d.heads["BZ"].Token}).want(204)

	// The negotiation: structure, comments, text, positions, silence.
	d.do(req{method: "PATCH", path: "/api/v1/guidelines/" + d.gid, token: d.fac.Token, body: map[string]any{"title": titled("Regional guidelines (Session 2)")}}).want(200)
	d.do(req{method: "PATCH", path: "/api/v1/sections/" + d.sid, token: d.fac.Token, body: map[string]any{"title": titled("I. Identification of victims")}}).want(200)
	sid2 := d.post("/api/v1/guidelines/"+d.gid+"/sections", d.fac, map[string]any{"title": titled("II. Assistance")}).want(201).JSON()["id"].(string)
	c1 := d.mustClause()
	d.post("/api/v1/clauses/"+c1+"/move", d.fac, map[string]any{"section_id": sid2, "position": 1}).want(200)
	d.post("/api/v1/clauses/"+c1+"/open", d.fac, nil).want(200)
	text := d.clause(c1)["text"].(map[string]any)
	amend := d.comment(c1, d.heads["CR"], map[string]any{"kind": "amendment", "body": "Costa Rica proposes “promptly”.",
		"quote":         strings.Fields(text["en"].(string))[0],
		"proposed_text": map[string]string{"en": "States shall promptly train consular officials.", "es": "Los Estados capacitarán sin demora."}}).want(201).JSON()["id"].(string)
	d.comment(c1, d.heads["MX"], map[string]any{"body": "México apoya.", "parent_id": amend}).want(201)
	d.do(req{method: "PATCH", path: "/api/v1/comments/" + amend, token: d.heads["CR"].Token, body: map[string]any{"body": "Costa Rica proposes “promptly” (Law 9095)."}}).want(200)
	gone := d.comment(c1, d.delegate, map[string]any{"body": "Belize will come back to this."}).want(201).JSON()["id"].(string)
	d.post("/api/v1/comments/"+gone+"/withdraw", d.delegate, nil).want(200)
	noted := d.comment(c1, d.observer, map[string]any{"body": "The secretariat notes a typo."}).want(201).JSON()["id"].(string)
	d.post("/api/v1/comments/"+noted+"/resolve", d.fac, map[string]any{"status": "addressed", "note": "Fixed."}).want(200)
	d.putText(c1, map[string]string{"en": "States shall promptly train consular officials.", "es": "Los Estados capacitarán sin demora."}, []string{amend}).want(200)
	for _, c := range countries8 {
		d.position(c1, c, d.heads[c], map[string]any{"stance": "agree", "clause_version": 2}).want(200)
	}
	c2 := d.mustConsensusClause()
	d.post("/api/v1/clauses/"+c2+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(48 * time.Hour)}).want(200)
	d.position(c2, "NI", d.heads["NI"], map[string]any{"stance": "object", "clause_version": 1, "reason": "Not consulted."}).want(200)
	c3 := d.mustOpenClause()
	d.position(c3, "BZ", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	d.post("/api/v1/clauses/"+c3+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(48 * time.Hour)}).want(200)
	// A change to English only leaves Spanish pending; a translator confirms it.
	c5 := d.mustClause()
	text5 := d.clause(c5)["text"].(map[string]any)
	d.putText(c5, map[string]string{"en": "States shall promptly train officials.", "es": text5["es"].(string)}, nil).want(200)
	d.do(req{method: "PUT", path: "/api/v1/guidelines/" + d.gid + "/translators/" + d.delegate.ID, token: d.fac.Token}).want(204)
	d.post("/api/v1/clauses/"+c5+"/alignment", d.delegate, map[string]any{"lang": "es"}).want(200)
	// Alternatives A and B; the chair chooses B.
	c6 := d.mustOpenClause()
	etag6 := d.get("/api/v1/clauses/"+c6, d.fac).want(200).Header().Get("ETag")
	d.do(req{method: "PUT", path: "/api/v1/clauses/" + c6 + "/alternatives", token: d.fac.Token, header: map[string]string{"If-Match": etag6},
		body: map[string]any{"alternatives": []map[string]string{{"en": "One.", "es": "Uno."}, {"en": "Two.", "es": "Dos."}}}}).want(200)
	d.post("/api/v1/clauses/"+c6+"/alternatives/B/choose", d.fac, nil).want(200)
	// Mexico agrees ad referendum and its capital does not confirm in time.
	c4 := d.mustOpenClause()
	d.position(c4, "MX", d.heads["MX"], map[string]any{"stance": "agree", "clause_version": 1,
		"ad_referendum": true, "confirm_by": d.clock.Now().Add(24 * time.Hour)}).want(200)
	d.advance(48 * time.Hour)
	if n, err := d.svc.SweepSilence(context.Background(), d.clock.Now()); err != nil || n != 1 {
		t.Fatalf("sweep: %d, %v", n, err)
	}
	if n, err := d.svc.SweepAdReferendum(context.Background(), d.clock.Now()); err != nil || n != 1 {
		t.Fatalf("ad referendum sweep: %d, %v", n, err)
	}
	// Drafts and adoption, on a guideline of their own.
	g2, _ := publishedFixture(t, d.env, d.fac, true)
	d.post("/api/v1/guidelines/"+g2+"/drafts/1/adopt", d.fac, nil).want(201)
	// The agenda (issue 14): national inputs and the clauses citing them.
	input := d.post("/api/v1/guidelines/"+d.gid+"/inputs", d.heads["HN"], inputBody("prevention", "challenge", "No protocol.")).want(201)
	d.do(req{method: "PUT", path: "/api/v1/inputs/" + input.JSON()["id"].(string), token: d.heads["HN"].Token,
		body: inputBody("prevention", "challenge", "No detection protocol."), header: map[string]string{"If-Match": input.Header().Get("ETag")}}).want(200)
	d.do(req{method: "PUT", path: "/api/v1/clauses/" + c3 + "/sources", token: d.fac.Token, body: map[string]any{"inputs": []string{input.JSON()["id"].(string)}}}).want(200)
	// The implementation plan and its follow-up, on a guideline of their own.
	g3 := d.agendaEvents()
	// Last, as it ends the head's sign-in: an admin sets the password of
	// Costa Rica's head, and every delegation sees it.
	d.do(req{method: "PATCH", path: "/api/v1/users/" + d.heads["CR"].ID, token: d.admin.Token,
		body: map[string]any{"password": "a new long enough password"}}).want(200)

	all := specEventTypes(t)
	var guidelineTypes []string
	for _, typ := range all {
		if !accountEventTypes[typ] {
			guidelineTypes = append(guidelineTypes, typ)
		}
	}

	t.Run("event_lists", func(t *testing.T) {
		seen := map[string]bool{}
		for _, gid := range []string{d.gid, g2, g3} {
			var page struct {
				Items []struct {
					Type      string         `json:"type"`
					SubjectID string         `json:"subject_id"`
					Data      map[string]any `json:"data"`
				} `json:"items"`
			}
			d.get("/api/v1/guidelines/"+gid+"/events?limit=200", d.fac).want(200).Decode(&page)
			for _, ev := range page.Items {
				seen[ev.Type] = true
				checkClauseID(t, ev.Type, ev.SubjectID, ev.Data)
			}
		}
		if diff := cmp.Diff(guidelineTypes, sortedKeys(seen)); diff != "" {
			t.Fatalf("event lists do not show every guideline event type (-contract +seen):\n%s", diff)
		}
	})

	t.Run("webhook_payloads", func(t *testing.T) {
		deliverer := d.hookDeliverer()
		for {
			n, err := deliverer.DeliverDue(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		doc, _ := contract(t)
		schema := doc.Components.Schemas["WebhookPayload"].Value
		seen := map[string]bool{}
		for _, p := range rc.got() {
			var v any
			if err := json.Unmarshal(p.body, &v); err != nil {
				t.Fatal(err)
			}
			if err := schema.VisitJSON(v); err != nil {
				t.Fatalf("webhook payload does not match WebhookPayload: %v\n%s", err, p.body)
			}
			ev := v.(map[string]any)
			typ := ev["type"].(string)
			if p.header.Get("X-Consenso-Event") != typ {
				t.Fatalf("X-Consenso-Event %q for a %s payload", p.header.Get("X-Consenso-Event"), typ)
			}
			if accountEventTypes[typ] != (ev["guideline_id"] == nil) {
				t.Fatalf("%s payload with guideline_id %v", typ, ev["guideline_id"])
			}
			seen[typ] = true
			checkClauseID(t, typ, ev["subject_id"].(string), ev["data"].(map[string]any))
		}
		if diff := cmp.Diff(all, sortedKeys(seen)); diff != "" {
			t.Fatalf("the webhook did not receive every event type (-contract +received):\n%s", diff)
		}
	})

	t.Run("comment_created_carries_the_comment", func(t *testing.T) {
		evs := d.eventData(amend, drafting.EventCommentCreated)
		if len(evs) != 1 {
			t.Fatalf("comment.created events about the amendment: %v", evs)
		}
		ev := evs[0]
		author, _ := ev["author"].(map[string]any)
		if ev["body"] != "Costa Rica proposes “promptly”." || ev["kind"] != "amendment" || ev["quote"] == nil || ev["parent_id"] != nil ||
			ev["proposed_text"].(map[string]any)["en"] != "States shall promptly train consular officials." ||
			author["id"] != d.heads["CR"].ID || author["country"] != "CR" || !strings.HasPrefix(fmt.Sprint(author["name"]), "Test delegate") {
			t.Fatalf("comment.created = %v", ev)
		}
	})
}

// checkClauseID fails unless an event about a clause names it in
// data.clause_id — its subject for clause events.
func checkClauseID(t *testing.T, typ, subject string, data map[string]any) {
	t.Helper()
	prefix, _, _ := strings.Cut(typ, ".")
	switch prefix {
	case "clause", "position", "silence":
		if data["clause_id"] != subject {
			t.Fatalf("%s about clause %s has data.clause_id %v", typ, subject, data["clause_id"])
		}
	case "comment":
		if id, _ := data["clause_id"].(string); id == "" {
			t.Fatalf("%s has no data.clause_id: %v", typ, data)
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
