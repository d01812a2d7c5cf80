package httpapi_test

import (
	"strings"
	"testing"
	"time"
)

// conditionalGet checks one GET as a browser cache revalidates it: a 200
// with a strong ETag and "private, no-cache"; the same GET with that ETag
// in If-None-Match (alone, weak, or in a list) is a 304 with the ETag and
// no body; another ETag is a full answer. It returns the ETag.
func (d *delib) conditionalGet(t *testing.T, path string) string {
	t.Helper()
	r := d.get(path, d.fac).want(200)
	etag := r.Header().Get("ETag")
	if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 3 {
		t.Fatalf("GET %s: ETag %q, want a strong entity tag", path, etag)
	}
	if cc := r.Header().Get("Cache-Control"); cc != "private, no-cache" {
		t.Fatalf("GET %s: Cache-Control %q, want private, no-cache", path, cc)
	}
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		nm := d.do(req{method: "GET", path: path, token: d.fac.Token, header: map[string]string{"If-None-Match": inm}}).want(304)
		if nm.Header().Get("ETag") != etag || nm.Body.Len() != 0 {
			t.Fatalf("GET %s with If-None-Match %s: ETag %q, %d bytes of body", path, inm, nm.Header().Get("ETag"), nm.Body.Len())
		}
	}
	full := d.do(req{method: "GET", path: path, token: d.fac.Token, header: map[string]string{"If-None-Match": `"h-not-this"`}}).want(200)
	if full.Body.Len() == 0 || full.Header().Get("ETag") != etag {
		t.Fatalf("GET %s with another ETag: %d bytes, ETag %q", path, full.Body.Len(), full.Header().Get("ETag"))
	}
	return etag
}

// TestConditionalGets: a clause, its positions, its comments, the
// guideline's comments, the consensus matrix, a comment and the guideline
// answer If-None-Match with 304 while nothing they show changed, and with
// the new answer once it did.
func TestConditionalGets(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	other := d.mustOpenClause()
	cm := d.comment(cid, d.heads["CR"], map[string]any{"body": "Costa Rica asks for “promptly”."}).want(201).JSON()["id"].(string)

	clause := "/api/v1/clauses/" + cid
	paths := []string{
		clause,
		clause + "/positions",
		clause + "/comments",
		clause + "/comments?status=open",
		"/api/v1/guidelines/" + d.gid + "/comments",
		"/api/v1/guidelines/" + d.gid + "/consensus",
		"/api/v1/guidelines/" + d.gid + "/comments/counts",
		"/api/v1/guidelines/" + d.gid + "/clauses",
		"/api/v1/comments/" + cm,
		"/api/v1/guidelines/" + d.gid,
	}
	tags := map[string]string{}
	for _, p := range paths {
		tags[p] = d.conditionalGet(t, p)
	}
	// A change elsewhere leaves this clause's answers as they were.
	d.position(other, "BZ", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	for _, p := range []string{clause, clause + "/positions", clause + "/comments"} {
		d.do(req{method: "GET", path: p, token: d.fac.Token, header: map[string]string{"If-None-Match": tags[p]}}).want(304)
	}
	// The matrix shows every clause: it changed.
	matrix := "/api/v1/guidelines/" + d.gid + "/consensus"
	if r := d.do(req{method: "GET", path: matrix, token: d.fac.Token, header: map[string]string{"If-None-Match": tags[matrix]}}).want(200); r.Header().Get("ETag") == tags[matrix] {
		t.Fatal("the matrix kept its ETag after a position changed it")
	}

	// A position on this clause changes the clause, its positions and the
	// matrix; a reply changes both comment lists.
	d.position(cid, "GT", d.heads["GT"], map[string]any{"stance": "abstain", "clause_version": 1}).want(200)
	d.comment(cid, d.heads["MX"], map[string]any{"body": "México apoya.", "parent_id": cm}).want(201)
	for _, p := range []string{clause, clause + "/positions", clause + "/comments", "/api/v1/guidelines/" + d.gid + "/comments",
		"/api/v1/guidelines/" + d.gid + "/comments/counts"} {
		r := d.do(req{method: "GET", path: p, token: d.fac.Token, header: map[string]string{"If-None-Match": tags[p]}}).want(200)
		if r.Header().Get("ETag") == tags[p] {
			t.Fatalf("GET %s kept its ETag %s after a change", p, tags[p])
		}
	}

	// A digest ETag is no revision: as If-Match it never matches (412).
	d.do(req{method: "PUT", path: clause + "/text", token: d.fac.Token, header: map[string]string{"If-Match": tags[clause+"/positions"]},
		body: map[string]any{"text": map[string]string{"en": "New.", "es": "Nuevo."}}}).wantProblem(412, "request.if_match_stale")
}

// TestStaleAnswerCarriesCurrent: a 412 carries the resource as it is now
// (data.current) and its ETag (header), so the client resolves the
// conflict with one more request: the change again, with that ETag. The
// refused change changed nothing.
func TestStaleAnswerCarriesCurrent(t *testing.T) {
	d := newDelib(t)
	cid := d.mustClause()
	clause := "/api/v1/clauses/" + cid
	v1 := d.get(clause, d.fac).want(200).Header().Get("ETag")
	d.post(clause+"/open", d.fac, nil).want(200) // someone else opened it meanwhile

	checkStale := func(t *testing.T, r *resp, code string) map[string]any {
		t.Helper()
		r.wantProblem(412, code)
		data, _ := r.JSON()["data"].(map[string]any)
		current, _ := data["current"].(map[string]any)
		if current == nil || current["etag"] != r.Header().Get("ETag") || r.Header().Get("ETag") == "" {
			t.Fatalf("412 without the current representation and its ETag: header %q, body %s", r.Header().Get("ETag"), r.Body.String())
		}
		return current
	}

	t.Run("clause_text", func(t *testing.T) {
		text := map[string]any{"text": map[string]string{"en": "States shall promptly train consular officials.", "es": "Los Estados capacitarán sin demora."}}
		r := d.do(req{method: "PUT", path: clause + "/text", token: d.fac.Token, header: map[string]string{"If-Match": v1}, body: text})
		cur := checkStale(t, r, "clause.version_stale")
		if cur["status"] != "open" || cur["version"] != 1.0 {
			t.Fatalf("current = %v", cur)
		}
		if now := d.clause(cid); now["etag"] != cur["etag"] || now["version"] != 1.0 {
			t.Fatalf("the refused change changed the clause: %v", now)
		}
		// One more request resolves it.
		d.do(req{method: "PUT", path: clause + "/text", token: d.fac.Token, header: map[string]string{"If-Match": r.Header().Get("ETag")}, body: text}).want(200)
	})

	t.Run("status_changes", func(t *testing.T) {
		for _, path := range []string{"/lock", "/open", "/reopen", "/silence"} {
			body := map[string]any{}
			switch path {
			case "/reopen":
				body["reason"] = "x"
			case "/silence":
				body["deadline"] = d.clock.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
			}
			r := d.do(req{method: "POST", path: clause + path, token: d.fac.Token, header: map[string]string{"If-Match": v1}, body: body})
			if cur := checkStale(t, r, "clause.version_stale"); cur["id"] != cid {
				t.Fatalf("%s: current = %v", path, cur)
			}
		}
	})

	t.Run("no_revision_in_if_match", func(t *testing.T) {
		r := d.do(req{method: "PUT", path: clause + "/text", token: d.fac.Token, header: map[string]string{"If-Match": `W/"r1"`},
			body: map[string]any{"text": map[string]string{"en": "x", "es": "y"}}})
		checkStale(t, r, "request.if_match_stale")
	})

	t.Run("comment", func(t *testing.T) {
		c := d.comment(cid, d.heads["CR"], map[string]any{"body": "First wording."}).want(201)
		id, first := c.JSON()["id"].(string), c.Header().Get("ETag")
		d.do(req{method: "PATCH", path: "/api/v1/comments/" + id, token: d.heads["CR"].Token, header: map[string]string{"If-Match": first},
			body: map[string]any{"body": "Second wording."}}).want(200)
		for _, ch := range []req{
			{method: "PATCH", path: "/api/v1/comments/" + id, token: d.heads["CR"].Token, body: map[string]any{"body": "Third wording."}},
			{method: "POST", path: "/api/v1/comments/" + id + "/withdraw", token: d.heads["CR"].Token},
			{method: "POST", path: "/api/v1/comments/" + id + "/resolve", token: d.fac.Token, body: map[string]any{"status": "addressed", "note": "n"}},
		} {
			ch.header = map[string]string{"If-Match": first}
			if cur := checkStale(t, d.do(ch), "comment.version_stale"); cur["body"] != "Second wording." || cur["status"] != "open" {
				t.Fatalf("%s %s: current = %v", ch.method, ch.path, cur)
			}
		}
	})

	t.Run("guideline", func(t *testing.T) {
		path := "/api/v1/guidelines/" + d.gid
		r := d.do(req{method: "PATCH", path: path, token: d.fac.Token, header: map[string]string{"If-Match": `"r1"`},
			body: map[string]any{"title": titled("Another title")}})
		cur := checkStale(t, r, "guideline.version_stale")
		if cur["title"].(map[string]any)["en"] != "Regional guidelines on consular protection" {
			t.Fatalf("current = %v", cur)
		}
		d.do(req{method: "PATCH", path: path, token: d.fac.Token, header: map[string]string{"If-Match": r.Header().Get("ETag")},
			body: map[string]any{"title": titled("Another title")}}).want(200)
	})
}

// TestRepeatedPositionChangesNothing: sending a country's current position
// again is a 200 with that position and leaves no trace — no history row,
// no event, the clause's and the positions' ETags as they were — while any
// difference is recorded.
func TestRepeatedPositionChangesNothing(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	clause := "/api/v1/clauses/" + cid
	reserve := map[string]any{"stance": "agree_with_reservation", "clause_version": 1, "reservation": "Read with Law 9095."}
	first := d.position(cid, "CR", d.heads["CR"], reserve).want(200).JSON()

	clauseTag := d.get(clause, d.fac).want(200).Header().Get("ETag")
	positionsTag := d.get(clause+"/positions", d.fac).want(200).Header().Get("ETag")
	history := len(d.get(clause+"/positions/history", d.fac).want(200).JSON()["items"].([]any))
	events := len(d.events(cid))

	// The same words, with surrounding spaces the server trims anyway.
	again := d.position(cid, "CR", d.heads["CR"], map[string]any{"stance": "agree_with_reservation", "clause_version": 1,
		"reservation": "  Read with Law 9095. "}).want(200).JSON()
	for _, k := range []string{"stance", "reservation", "recorded_at", "recorded_by_id", "recorded_as", "clause_etag", "clause_status"} {
		if again[k] != first[k] {
			t.Fatalf("repeated position answered %s = %v, first answer had %v", k, again[k], first[k])
		}
	}
	if again["clause_etag"] != clauseTag {
		t.Fatalf("clause_etag %v, clause ETag %s", again["clause_etag"], clauseTag)
	}
	d.do(req{method: "GET", path: clause, token: d.fac.Token, header: map[string]string{"If-None-Match": clauseTag}}).want(304)
	d.do(req{method: "GET", path: clause + "/positions", token: d.fac.Token, header: map[string]string{"If-None-Match": positionsTag}}).want(304)
	if n := len(d.get(clause+"/positions/history", d.fac).want(200).JSON()["items"].([]any)); n != history {
		t.Fatalf("history has %d rows, had %d", n, history)
	}
	if n := len(d.events(cid)); n != events {
		t.Fatalf("%d events about the clause, were %d", n, events)
	}

	// Any difference is a new position.
	d.position(cid, "CR", d.heads["CR"], map[string]any{"stance": "agree_with_reservation", "clause_version": 1,
		"reservation": "Read with Law 9095 of 2012."}).want(200)
	d.position(cid, "CR", d.heads["CR"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	if n := len(d.get(clause+"/positions/history", d.fac).want(200).JSON()["items"].([]any)); n != history+2 {
		t.Fatalf("history has %d rows, want %d", n, history+2)
	}
	if d.get(clause, d.fac).want(200).Header().Get("ETag") == clauseTag {
		t.Fatal("a changed position left the clause's ETag as it was")
	}

	// A repeat is still refused where the position itself would be.
	d.position(cid, "CR", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 1}).wantProblem(403, "auth.forbidden")
	d.position(cid, "CR", d.heads["CR"], map[string]any{"stance": "agree", "clause_version": 2}).wantProblem(409, "position.version_stale")
}
