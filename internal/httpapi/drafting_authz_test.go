package httpapi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// integrationToken inserts an active integration and mints its access
// token directly: this test is about what an integration may read, not how
// it signs in.
func (d *drafter) integrationToken() string {
	d.t.Helper()
	id := fmt.Sprintf("integration-%d", d.e.seq.Add(1))
	now := d.e.clock.Now()
	err := d.e.store.Write(context.Background(), func(tx *store.Tx) error {
		return tx.CreateIntegration(drafting.Integration{ID: id, Name: "Referral system", ClientID: "client-" + id,
			SecretHash: auth.HashToken("unused"), Active: true, CreatedAt: now, UpdatedAt: now})
	})
	if err != nil {
		d.t.Fatal(err)
	}
	tok, err := d.e.tokens.Issue(id, "client", auth.ClientSession(auth.HashToken("unused")))
	if err != nil {
		d.t.Fatal(err)
	}
	return tok
}

func TestDraftingAuthorization(t *testing.T) {
	d := newDrafter(t)
	e, f := d.e, d.f
	gid := d.guideline()
	sid := d.section(gid, "I. Prevention", 0)
	cid := d.clause(gid, sid, map[string]string{"en": "States shall inform victims.", "es": "Los Estados informarán a las víctimas."})["id"].(string)
	d.edit(cid, map[string]string{"en": "States shall promptly inform victims.", "es": "Los Estados informarán sin demora a las víctimas."})
	e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts", token: f.Token, body: map[string]any{"label": "Draft 1"}}).want(201)
	c, etag := d.get(cid)
	readers := map[string]account{
		"delegate": e.mustUser(d.admin, "delegate", "BZ", false),
		"head":     e.mustUser(d.admin, "delegate", "CR", true), // recorded: country.head_changed
		"observer": e.mustUser(d.admin, "observer", "", false),
	}
	eventsBefore := len(d.events(gid))

	for name, a := range readers {
		t.Run(name+"_cannot_write", func(t *testing.T) {
			for _, r := range []req{
				{method: "POST", path: "/api/v1/guidelines", body: map[string]any{"title": titled("Mine "+name, "en"), "languages": []string{"en"}, "participants": []string{"BZ"}}},
				{method: "PATCH", path: "/api/v1/guidelines/" + gid, body: map[string]any{"title": titled("Mine")}},
				{method: "POST", path: "/api/v1/guidelines/" + gid + "/sections", body: map[string]any{"title": titled("Mine")}},
				{method: "PATCH", path: "/api/v1/sections/" + sid, body: map[string]any{"title": titled("Mine")}},
				{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", body: map[string]any{"section_id": sid, "text": map[string]string{"en": "Mine."}}},
				{method: "PUT", path: "/api/v1/clauses/" + cid + "/text", header: map[string]string{"If-Match": etag}, body: map[string]any{"text": map[string]string{"en": "Mine."}}},
				{method: "POST", path: "/api/v1/clauses/" + cid + "/move", body: map[string]any{"position": 1}},
				{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts", body: map[string]any{"label": "Mine"}},
			} {
				r.token = a.Token
				e.do(r).wantProblem(403, "auth.forbidden")
			}
		})
		t.Run(name+"_reads", func(t *testing.T) {
			for _, path := range []string{"/api/v1/guidelines/" + gid, "/api/v1/guidelines/" + gid + "/sections", "/api/v1/guidelines/" + gid + "/clauses",
				"/api/v1/clauses/" + cid, "/api/v1/clauses/" + cid + "/versions", "/api/v1/clauses/" + cid + "/versions/1", "/api/v1/clauses/" + cid + "/diff",
				"/api/v1/guidelines/" + gid + "/drafts", "/api/v1/guidelines/" + gid + "/drafts/1", "/api/v1/guidelines/" + gid + "/drafts/1?format=html",
				"/api/v1/guidelines/" + gid + "/drafts/1/diff?against=1", "/api/v1/sections/" + sid, "/api/v1/guidelines/" + gid + "/participants",
				"/api/v1/clauses/" + cid + "?include=section,positions,comments,versions", "/api/v1/clauses/" + cid + "/diff?lang=*",
				"/api/v1/guidelines/" + gid + "/clauses?needs_position=BZ"} {
				e.do(req{method: "GET", path: path, token: a.Token}).want(200)
			}
		})
	}

	t.Run("integration_reads_no_working_text", func(t *testing.T) {
		tok := d.integrationToken()
		for _, path := range []string{"/api/v1/guidelines/" + gid + "/sections", "/api/v1/guidelines/" + gid + "/clauses",
			"/api/v1/clauses/" + cid, "/api/v1/clauses/" + cid + "/versions", "/api/v1/clauses/" + cid + "/versions/1", "/api/v1/clauses/" + cid + "/diff",
			"/api/v1/guidelines/" + gid + "/drafts", "/api/v1/guidelines/" + gid + "/drafts/1", "/api/v1/guidelines/" + gid + "/drafts/1?format=akn",
			"/api/v1/guidelines/" + gid + "/drafts/1/diff?against=1", "/api/v1/sections/" + sid, "/api/v1/guidelines/" + gid + "/participants",
			"/api/v1/clauses/" + cid + "?include=section,positions,comments,versions", "/api/v1/clauses/" + cid + "/diff?lang=*",
			"/api/v1/guidelines/" + gid + "/clauses?needs_position=BZ"} {
			e.do(req{method: "GET", path: path, token: tok}).wantProblem(403, "auth.forbidden")
		}
		// Nothing is approved yet, so to an integration the guideline does not exist.
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid, token: tok}).wantProblem(404, "guideline.not_found")
		e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts", token: tok, body: map[string]any{}}).wantProblem(403, "auth.forbidden")
	})

	t.Run("anonymous", func(t *testing.T) {
		e.do(req{method: "GET", path: "/api/v1/clauses/" + cid}).wantProblem(401, "")
		e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts", body: map[string]any{}}).wantProblem(401, "")
	})

	t.Run("nothing_changed", func(t *testing.T) {
		after, etagAfter := d.get(cid)
		if etagAfter != etag || after["version"] != c["version"] || after["number"] != c["number"] {
			t.Fatalf("clause changed: %v", after)
		}
		var guidelines, sections, drafts struct{ Items []any }
		e.do(req{method: "GET", path: "/api/v1/guidelines", token: f.Token}).want(200).Decode(&guidelines)
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/sections", token: f.Token}).want(200).Decode(&sections)
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts", token: f.Token}).want(200).Decode(&drafts)
		if len(guidelines.Items) != 1 || len(sections.Items) != 1 || len(drafts.Items) != 1 {
			t.Fatalf("%d guidelines, %d sections, %d drafts; want 1 each", len(guidelines.Items), len(sections.Items), len(drafts.Items))
		}
		if n := len(d.events(gid)); n != eventsBefore {
			t.Fatalf("%d events, want %d", n, eventsBefore)
		}
	})

	t.Run("admin_writes", func(t *testing.T) {
		e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/sections", token: d.admin.Token, body: map[string]any{"title": titled("Annex")}}).want(201)
	})
}
