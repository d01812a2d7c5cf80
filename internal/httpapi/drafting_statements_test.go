package httpapi_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// TestDraftStatementCount: taking a draft and rendering it in any format
// issue the same number of SQL statements for 10 clauses as for 300 — no
// per-clause queries. Counts cover the whole request, authentication
// included.
func TestDraftStatementCount(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 300-clause guideline")
	}
	d := newDrafter(t)
	small, large := d.largeGuideline(10), d.largeGuideline(300)
	sc := storetest.CountStatements(t, d.e.store)

	// Every counted request re-reads the caller's account (the cache of
	// accounts is emptied), so the counts do not depend on timing.
	count := func(r req, status int) int {
		d.e.svc.InvalidatePrincipals()
		return sc.During(func() { d.e.do(r).want(status) })
	}
	measure := func(gid string) map[string]int {
		out := map[string]int{}
		out["POST drafts"] = count(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts", token: d.f.Token, body: map[string]any{"label": "Counted"}}, 201)
		for _, format := range []string{"json", "markdown", "html", "akn"} {
			out["GET draft "+format] = count(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts/1?format=" + format, token: d.f.Token}, 200)
		}
		out["GET clauses"] = count(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/clauses", token: d.f.Token}, 200)
		return out
	}
	ten, three := measure(small), measure(large)
	for _, k := range sortedMapKeys(ten) {
		t.Logf("%-18s %2d statements with 10 clauses, %2d with 300 (%s)", k, ten[k], three[k], d.e.store.Dialect())
	}
	if diff := cmp.Diff(ten, three); diff != "" {
		t.Fatalf("statement counts depend on the number of clauses (-10 +300)\n%s", diff)
	}
	var doc struct{ Clauses []any }
	d.e.do(req{method: "GET", path: "/api/v1/guidelines/" + large + "/drafts/1", token: d.f.Token}).want(200).Decode(&doc)
	if len(doc.Clauses) != 300 {
		t.Fatalf("draft of the large guideline holds %d clauses", len(doc.Clauses))
	}
	for k, v := range ten {
		if v > 20 {
			t.Errorf("%s: %d statements; a handful is expected", k, v)
		}
	}
}
