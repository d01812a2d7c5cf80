package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// TestPeopleStatementCounts: the reads that name people (comments,
// versions, positions, the clause page, participants) and the worklist run
// as many SQL statements with many rows and many authors as with a few —
// people are read once per answer, never once per row. Counts cover the
// whole request, authentication included.
func TestPeopleStatementCounts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a clause with many comments, versions, positions and accounts")
	}
	d := newDelib(t)
	sc := storetest.CountStatements(t, d.store)
	small := d.mustOpenClause()
	d.comment(small, d.heads["GT"], map[string]any{"body": "Guatemala asks for a deadline."}).want(201)
	d.comment(small, d.observer, map[string]any{"body": "The secretariat notes a precedent."}).want(201)
	d.position(small, "MX", d.heads["MX"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)

	reads := func(cid string) map[string]string {
		return map[string]string{
			"clause comments":    "/api/v1/clauses/" + cid + "/comments?limit=200",
			"guideline comments": "/api/v1/guidelines/" + d.gid + "/comments?limit=200",
			"versions":           "/api/v1/clauses/" + cid + "/versions",
			"positions":          "/api/v1/clauses/" + cid + "/positions",
			"position history":   "/api/v1/clauses/" + cid + "/positions/history?limit=200",
			"clause page":        "/api/v1/clauses/" + cid + "?include=section,positions,comments,versions",
			"participants":       "/api/v1/guidelines/" + d.gid + "/participants",
			"worklist":           "/api/v1/guidelines/" + d.gid + "/clauses?needs_position=CR",
			"comment counts":     "/api/v1/guidelines/" + d.gid + "/comments/counts",
		}
	}
	measure := func(cid string) map[string]int {
		out := map[string]int{}
		for name, path := range reads(cid) {
			// The caller's account is read again on every counted
			// request, so counts do not depend on the account cache.
			d.svc.InvalidatePrincipals()
			out[name] = sc.During(func() { d.get(path, d.heads["PA"]).want(200) })
		}
		return out
	}
	few := measure(small)

	// Many rows, many people: more accounts in every delegation, a clause
	// with many versions, comments by all of them (some resolved, some
	// replies), every country's position recorded twice, more clauses.
	speakers := []account{d.fac, d.observer, d.delegate}
	for _, c := range countries8 {
		speakers = append(speakers, d.heads[c])
		for range 2 {
			speakers = append(speakers, d.mustUser(d.admin, drafting.RoleDelegate, c, false))
		}
	}
	large := d.mustOpenClause()
	for v := 2; v <= 6; v++ {
		d.putText(large, map[string]string{"en": fmt.Sprintf("States shall train consular officials (wording %d).", v)}, nil).want(200)
	}
	var first string
	for _, a := range speakers {
		id := d.comment(large, a, map[string]any{"body": "A remark.", "parent_id": first}).want(201).JSON()["id"].(string)
		if first == "" {
			first = id
			d.post("/api/v1/comments/"+id+"/resolve", d.fac, map[string]any{"status": "addressed", "note": "Done."}).want(200)
		}
	}
	for _, c := range countries8 {
		d.position(large, c, d.heads[c], map[string]any{"stance": "abstain", "clause_version": 6}).want(200)
		d.position(large, c, d.heads[c], map[string]any{"stance": "agree", "clause_version": 6}).want(200)
	}
	for range 10 {
		d.mustOpenClause()
	}
	many := measure(large)

	for _, k := range sortedMapKeys(few) {
		t.Logf("%-18s %2d statements with few rows, %2d with many (%s)", k, few[k], many[k], d.store.Dialect())
	}
	if diff := cmp.Diff(few, many); diff != "" {
		t.Fatalf("statement counts depend on the number of rows (-few +many)\n%s", diff)
	}
	for k, n := range few {
		if n > 12 {
			t.Errorf("%s: %d statements; a handful is expected", k, n)
		}
	}
	// The lists did grow.
	page := d.get(reads(large)["clause page"], d.heads["PA"]).want(200).JSON()
	if n := len(page["comments"].(map[string]any)["items"].([]any)); n < 20 {
		t.Fatalf("the large clause has %d comments", n)
	}
}
