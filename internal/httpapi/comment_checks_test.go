package httpapi_test

import (
	"strings"
	"testing"
)

// TestCommentsCheckedAgainstTheClauseNow: a comment is checked against the
// clause and guideline as they are when it is written, whatever the
// comments before it were checked against. The server keeps the clause and
// guideline of a clause's last comment for its next (store.InsertCommentIf
// refuses the insert when either changed); each step here changes one of
// them between two comments.
func TestCommentsCheckedAgainstTheClauseNow(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	version := func(c map[string]any) float64 { return c["clause_version"].(float64) }
	if c := d.comment(cid, d.heads["MX"], map[string]any{"body": "First reading."}).want(201).JSON(); version(c) != 1 {
		t.Fatalf("first comment on version %v, want 1", version(c))
	}

	// A new version: the next comment is on it, and may quote its words.
	d.putText(cid, map[string]string{
		"en": "States shall train consular officials to identify victims of trafficking in their own language.",
		"es": "Los Estados capacitarán a los funcionarios consulares para identificar a las víctimas de trata en su idioma."}, nil).want(200)
	if c := d.comment(cid, d.heads["MX"], map[string]any{"body": "Second reading."}).want(201).JSON(); version(c) != 2 {
		t.Fatalf("comment after the new version on version %v, want 2", version(c))
	}
	d.putText(cid, map[string]string{
		"en": "States shall train consular officials to identify victims of trafficking in persons in their own language.",
		"es": "Los Estados capacitarán a los funcionarios consulares para identificar a las víctimas de trata de personas en su idioma."}, nil).want(200)
	c := d.comment(cid, d.heads["MX"], map[string]any{"body": "On persons.", "quote": "trafficking in persons"}).want(201).JSON()
	if a, _ := c["anchor"].(map[string]any); version(c) != 3 || a == nil || a["version"] != 3.0 {
		t.Fatalf("a quote of version 3's new words: clause_version %v, anchor %v", version(c), c["anchor"])
	}
	parent := c["id"].(string)

	// Mexico leaves the guideline: its delegation can no longer comment,
	// and the refusal changes nothing.
	others := []string{}
	for _, code := range countries8 {
		if code != "MX" {
			others = append(others, code)
		}
	}
	d.do(req{method: "PATCH", path: "/api/v1/guidelines/" + d.gid, token: d.fac.Token, body: map[string]any{"participants": others}}).want(200)
	list := "/api/v1/clauses/" + cid + "/comments?limit=100"
	before := d.snapshot(cid) + d.get(list, d.fac).want(200).Body.String()
	d.comment(cid, d.heads["MX"], map[string]any{"body": "Still here."}).wantProblem(403, "auth.forbidden")
	d.comment(cid, d.heads["MX"], map[string]any{"body": "A reply.", "parent_id": parent}).wantProblem(403, "auth.forbidden")
	if after := d.snapshot(cid) + d.get(list, d.fac).want(200).Body.String(); after != before {
		t.Fatalf("a refused comment changed something:\nbefore: %s\nafter:  %s", before, after)
	}
	// A participant comments meanwhile; then Mexico is back and comments.
	d.comment(cid, d.heads["CR"], map[string]any{"body": "Costa Rica agrees with the text."}).want(201)
	d.do(req{method: "PATCH", path: "/api/v1/guidelines/" + d.gid, token: d.fac.Token, body: map[string]any{"participants": countries8}}).want(200)
	reply := d.comment(cid, d.heads["MX"], map[string]any{"body": "Back again.", "parent_id": parent}).want(201).JSON()
	if reply["parent_id"] != parent || version(reply) != 3 {
		t.Fatalf("reply = %v", reply)
	}

	// A reply to a comment on another clause is refused, as ever.
	other := d.mustOpenClause()
	d.comment(other, d.heads["MX"], map[string]any{"body": "Elsewhere."}).want(201)
	r := d.comment(other, d.heads["MX"], map[string]any{"body": "Misplaced.", "parent_id": parent}).wantProblem(422, "comment.invalid")
	if !strings.Contains(r.Body.String(), "parent_id") {
		t.Fatalf("refusal names no parent_id: %s", r.Body.String())
	}
}
