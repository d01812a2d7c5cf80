package httpapi_test

import (
	"strings"
	"testing"

	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// TestCommentCountsKept: after every kind of write of comments — creates by
// delegations, observers and facilitators, edits, withdrawals, resolutions,
// incorporations, and refused or stale attempts — the kept comment counts
// equal a fresh count of the comments, and the counts endpoint reports them.
func TestCommentCountsKept(t *testing.T) {
	d := newDelib(t)
	c1, c2 := d.mustOpenClause(), d.mustOpenClause()
	kept := func(want int) {
		t.Helper()
		if n := storetest.CommentCountsMatch(t, d.store); n != want {
			t.Fatalf("%d counts, want %d", n, want)
		}
	}
	kept(0)
	id := func(r *resp) string { t.Helper(); return r.want(201).JSON()["id"].(string) }

	bz := id(d.comment(c1, d.heads["BZ"], map[string]any{"body": "Belize speaks."}))
	bz2 := id(d.comment(c1, d.delegate, map[string]any{"body": "Belize again."}))
	gt := id(d.comment(c1, d.heads["GT"], map[string]any{"body": "Say promptly.", "kind": "amendment",
		"proposed_text": map[string]string{"en": "States shall promptly train consular officials."}}))
	mx := id(d.comment(c1, d.heads["MX"], map[string]any{"body": "Agree with Guatemala."}))
	obs := id(d.comment(c1, d.observer, map[string]any{"body": "An observer notes."}))
	fac := id(d.comment(c1, d.fac, map[string]any{"body": "The chair notes."}))
	other := id(d.comment(c2, d.heads["MX"], map[string]any{"body": "Elsewhere."}))
	kept(6) // open: BZ (two comments), GT, MX, observer, facilitator on c1; MX on c2

	// An edit changes no count; a stale edit changes nothing.
	d.do(req{method: "PATCH", path: "/api/v1/comments/" + bz, token: d.heads["BZ"].Token, body: map[string]any{"body": "Belize, edited."}}).want(200)
	d.do(req{method: "PATCH", path: "/api/v1/comments/" + bz, token: d.heads["BZ"].Token, body: map[string]any{"body": "Stale."},
		header: map[string]string{"If-Match": `"r1"`}}).wantProblem(412, "comment.version_stale")
	kept(6)

	// Withdrawals: by the author; refused for another account.
	d.post("/api/v1/comments/"+obs+"/withdraw", d.heads["BZ"], nil).wantProblem(403, "comment.not_author")
	d.post("/api/v1/comments/"+bz2+"/withdraw", d.delegate, nil).want(200)
	d.post("/api/v1/comments/"+obs+"/withdraw", d.observer, nil).want(200)
	d.post("/api/v1/comments/"+obs+"/withdraw", d.observer, nil).wantProblem(409, "comment.not_open")
	kept(7)

	// Resolutions.
	d.post("/api/v1/comments/"+fac+"/resolve", d.fac, map[string]any{"status": "addressed", "note": "Done."}).want(200)
	d.post("/api/v1/comments/"+other+"/resolve", d.fac, map[string]any{"status": "declined", "note": "Covered."}).want(200)
	d.post("/api/v1/comments/"+other+"/resolve", d.fac, map[string]any{"status": "addressed", "note": "Again."}).wantProblem(409, "comment.not_open")
	kept(7)

	// Incorporation: refused when one comment is not open (nothing moves),
	// then two comments of two delegations at once.
	newText := map[string]string{"en": "States shall promptly train consular officials.", "es": "Los Estados capacitarán sin demora."}
	d.putText(c1, newText, []string{gt, obs}).wantProblem(422, "clause.invalid_incorporates")
	kept(7)
	d.putText(c1, newText, []string{gt, mx}).want(200)
	kept(7)

	// A comment on the new version, and a reply.
	id(d.comment(c1, d.heads["GT"], map[string]any{"body": "Thank you.", "parent_id": mx}))
	kept(8)

	got := map[string]map[string]any{}
	for _, it := range d.get("/api/v1/guidelines/"+d.gid+"/comments/counts", d.fac).want(200).JSON()["items"].([]any) {
		row := it.(map[string]any)
		got[row["number"].(string)+"/"+row["country"].(string)] = row
	}
	if len(got) != 6 {
		t.Fatalf("counts = %v", got)
	}
	for k, total := range map[string]float64{"1.1/BZ": 2, "1.1/GT": 2, "1.1/MX": 1, "1.1/observer": 1, "1.1/facilitator": 1} {
		if got[k] == nil || got[k]["total"] != total {
			t.Errorf("%s = %v, want total %v", k, got[k], total)
		}
	}
}

// TestCommentCountsPaged: the counts come a page of clauses at a time, in
// document order, every row of a clause on one page, the pages together
// equal to the whole; a clause without comments has no row but still takes
// its place in the page; bad limits and foreign cursors are 422.
func TestCommentCountsPaged(t *testing.T) {
	d := newDelib(t)
	c1, c2, c3 := d.mustOpenClause(), d.mustOpenClause(), d.mustOpenClause()
	for _, c := range []struct {
		clause string
		who    account
	}{{c1, d.heads["BZ"]}, {c1, d.heads["GT"]}, {c3, d.heads["MX"]}, {c3, d.observer}} {
		d.comment(c.clause, c.who, map[string]any{"body": "A remark."}).want(201)
	}
	_ = c2 // no comment: a page of one clause with no row
	base := "/api/v1/guidelines/" + d.gid + "/comments/counts"
	var pages [][]string
	path := base + "?limit=1"
	for i := 0; i < 10 && path != ""; i++ {
		body := d.get(path, d.fac).want(200).JSON()
		var rows []string
		for _, it := range body["items"].([]any) {
			row := it.(map[string]any)
			rows = append(rows, row["number"].(string)+"/"+row["country"].(string))
		}
		pages = append(pages, rows)
		path = ""
		if next, _ := body["next_cursor"].(string); next != "" {
			path = base + "?limit=1&cursor=" + next
		}
	}
	want := [][]string{{"1.1/BZ", "1.1/GT"}, nil, {"1.3/MX", "1.3/observer"}}
	if len(pages) != len(want) {
		t.Fatalf("pages = %v, want %v", pages, want)
	}
	for i := range want {
		if strings.Join(pages[i], ",") != strings.Join(want[i], ",") {
			t.Errorf("page %d = %v, want %v", i+1, pages[i], want[i])
		}
	}
	whole := d.get(base+"?limit=200", d.fac).want(200).JSON()
	if n := len(whole["items"].([]any)); n != 4 || whole["next_cursor"] != nil {
		t.Errorf("one page of 200: %d rows, next %v", n, whole["next_cursor"])
	}
	d.get(base+"?limit=0", d.fac).wantProblem(422, "page.invalid_limit")
	d.get(base+"?limit=201", d.fac).wantProblem(422, "page.invalid_limit")
	d.get(base+"?cursor=bm90LWEtY3Vyc29y", d.fac).wantProblem(422, "page.invalid_cursor")
}

// TestCommentCountsOpenAmendments: each row says how many of the
// delegation's open comments on the clause are amendments; an amendment
// resolved, withdrawn or incorporated leaves that number, at once on the
// next read of the kept page.
func TestCommentCountsOpenAmendments(t *testing.T) {
	d := newDelib(t)
	c1, c2 := d.mustOpenClause(), d.mustOpenClause()
	amend := func(clause string, who account, en string) string {
		t.Helper()
		return d.comment(clause, who, map[string]any{"body": "New wording.", "kind": "amendment",
			"proposed_text": map[string]string{"en": en}}).want(201).JSON()["id"].(string)
	}
	mx1 := amend(c1, d.heads["MX"], "States shall promptly train consular officials.")
	mx2 := amend(c1, d.heads["MX"], "States shall train consular officials every year.")
	gt := amend(c1, d.heads["GT"], "States may train consular officials.")
	bz := amend(c2, d.heads["BZ"], "Consular officials shall be trained.")
	d.comment(c1, d.heads["MX"], map[string]any{"body": "A general remark."}).want(201)
	d.comment(c1, d.fac, map[string]any{"body": "The chair notes."}).want(201)
	amendments := func() map[string]float64 {
		t.Helper()
		out := map[string]float64{}
		for _, it := range d.get("/api/v1/guidelines/"+d.gid+"/comments/counts", d.fac).want(200).JSON()["items"].([]any) {
			row := it.(map[string]any)
			n, _ := row["open_amendments"].(float64) // left out when none
			out[row["number"].(string)+"/"+row["country"].(string)] = n
		}
		return out
	}
	same := func(got, want map[string]float64) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("open amendments = %v, want %v", got, want)
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s: %v open amendments, want %v (all: %v)", k, got[k], n, got)
			}
		}
	}
	same(amendments(), map[string]float64{"1.1/MX": 2, "1.1/GT": 1, "1.1/facilitator": 0, "1.2/BZ": 1})

	d.post("/api/v1/comments/"+gt+"/resolve", d.fac, map[string]any{"status": "declined", "note": "Weakens the text."}).want(200)
	d.post("/api/v1/comments/"+bz+"/withdraw", d.heads["BZ"], nil).want(200)
	d.putText(c1, map[string]string{"en": "States shall promptly train consular officials.", "es": "Los Estados capacitarán sin demora."},
		[]string{mx1}).want(200)
	same(amendments(), map[string]float64{"1.1/MX": 1, "1.1/GT": 0, "1.1/facilitator": 0, "1.2/BZ": 0})
	_ = mx2 // still open
}
