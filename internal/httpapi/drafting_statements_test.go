package httpapi_test

import (
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"
)

// countDraftingStatements counts every SQL statement GORM issues on db from now on
// (BEGIN and COMMIT are not statements GORM runs through callbacks, so they
// are not counted).
func countDraftingStatements(t testing.TB, db *gorm.DB) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	inc := func(*gorm.DB) { n.Add(1) }
	const name = "consenso_test:count_statements"
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register(name, inc),
		cb.Query().After("gorm:query").Register(name, inc),
		cb.Update().After("gorm:update").Register(name, inc),
		cb.Delete().After("gorm:delete").Register(name, inc),
		cb.Row().After("gorm:row").Register(name, inc),
		cb.Raw().After("gorm:raw").Register(name, inc),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return &n
}

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
	n := countDraftingStatements(t, d.e.store.DB())

	// Every counted request re-reads the caller's account (the cache of
	// accounts is emptied), so the counts do not depend on timing.
	reset := func() {
		d.e.svc.InvalidatePrincipals()
		n.Store(0)
	}
	measure := func(gid string) map[string]int64 {
		out := map[string]int64{}
		reset()
		d.e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts", token: d.f.Token, body: map[string]any{"label": "Counted"}}).want(201)
		out["POST drafts"] = n.Load()
		for _, format := range []string{"json", "markdown", "html", "akn"} {
			reset()
			d.e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts/1?format=" + format, token: d.f.Token}).want(200)
			out["GET draft "+format] = n.Load()
		}
		reset()
		d.e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/clauses", token: d.f.Token}).want(200)
		out["GET clauses"] = n.Load()
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
