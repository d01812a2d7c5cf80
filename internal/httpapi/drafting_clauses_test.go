package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/rcm-iom/consenso/internal/drafting"
)

func TestSectionsAndNumbering(t *testing.T) {
	d := newDrafter(t)
	e, f := d.e, d.f
	gid := d.guideline()
	prevention := d.section(gid, "I. Prevention", 0)
	protection := d.section(gid, "II. Protection", 0)
	text := func(s string) map[string]string { return map[string]string{"en": s, "es": s + " (es)"} }
	p1 := d.clause(gid, prevention, text("Train consular staff."))["id"].(string)
	p2 := d.clause(gid, prevention, text("Publish hotlines."))["id"].(string)
	q1 := d.clause(gid, protection, text("Inform victims of their rights."))["id"].(string)
	wantNumbers := func(t *testing.T, want map[string]string) {
		t.Helper()
		if diff := cmp.Diff(want, d.numbers(gid)); diff != "" {
			t.Fatalf("clause numbers by id (-want +got)\n%s", diff)
		}
		for id, n := range want { // ids never change: each is still readable under its id
			if c, _ := d.get(id); c["number"] != n {
				t.Fatalf("GET clause %s: number %v, want %s", id, c["number"], n)
			}
		}
	}
	wantNumbers(t, map[string]string{p1: "1.1", p2: "1.2", q1: "2.1"})
	_, staleETag := d.get(p1)

	t.Run("insert_section_at_position", func(t *testing.T) {
		d.section(gid, "Preamble", 1)
		if diff := cmp.Diff([]string{"Preamble", "I. Prevention", "II. Protection"}, d.sectionTitles(gid)); diff != "" {
			t.Fatalf("sections (-want +got)\n%s", diff)
		}
		wantNumbers(t, map[string]string{p1: "2.1", p2: "2.2", q1: "3.1"})
	})

	t.Run("renumbering_changes_the_etag", func(t *testing.T) {
		// A renumbered clause is a changed representation: an edit based on
		// what the facilitator saw before ("1.1") must be re-read first.
		d.putText(p1, staleETag, text("Train all consular staff."), "").wantProblem(412, "clause.version_stale")
	})

	t.Run("reorder_section", func(t *testing.T) {
		r := e.do(req{method: "PATCH", path: "/api/v1/sections/" + protection, token: f.Token, body: map[string]any{"position": 1}}).want(200).JSON()
		if r["position"] != float64(1) || r["id"] != protection {
			t.Fatalf("PATCH section: %v", r)
		}
		if diff := cmp.Diff([]string{"II. Protection", "Preamble", "I. Prevention"}, d.sectionTitles(gid)); diff != "" {
			t.Fatalf("sections (-want +got)\n%s", diff)
		}
		wantNumbers(t, map[string]string{q1: "1.1", p1: "3.1", p2: "3.2"})
		// Past the end means last; a rename keeps the position.
		r = e.do(req{method: "PATCH", path: "/api/v1/sections/" + protection, token: f.Token, body: map[string]any{"position": 99, "title": titled("II. Protection and assistance")}}).want(200).JSON()
		if r["position"] != float64(3) || r["title"].(map[string]any)["en"] != "II. Protection and assistance" {
			t.Fatalf("PATCH section: %v", r)
		}
		wantNumbers(t, map[string]string{q1: "3.1", p1: "2.1", p2: "2.2"})
		e.do(req{method: "PATCH", path: "/api/v1/sections/" + protection, token: f.Token, body: map[string]any{"position": 0}}).wantProblem(422, "section.invalid")
		// Creating at position 0 (the contract's minimum is 1) is refused too,
		// and creates nothing; leaving position out appends.
		for _, r := range []req{
			{method: "POST", path: "/api/v1/guidelines/" + gid + "/sections", body: map[string]any{"title": titled("III. Zero"), "position": 0}},
			{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", body: map[string]any{"section_id": protection, "text": text("Zero."), "position": 0}},
			{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", body: map[string]any{"section_id": protection, "text": text("Minus."), "position": -1}},
		} {
			r.token = f.Token
			checkFieldErrors(t, e.do(r).want(422), "position")
		}
		wantNumbers(t, map[string]string{q1: "3.1", p1: "2.1", p2: "2.2"})
		e.do(req{method: "PATCH", path: "/api/v1/sections/" + protection, token: f.Token, body: map[string]any{"title": titled(" ")}}).wantProblem(422, "section.invalid")
		e.do(req{method: "PATCH", path: "/api/v1/sections/no-such-section", token: f.Token, body: map[string]any{"position": 1}}).wantProblem(404, "section.not_found")
	})

	var p15 string
	t.Run("insert_clause_by_number", func(t *testing.T) {
		// Sections now: Preamble(1), I. Prevention(2), II. Protection(3).
		c := d.clause(gid, prevention, text("Cooperate with civil society."), "number", "2.2")
		p15 = c["id"].(string)
		if c["number"] != "2.2" || c["position"] != float64(2) || c["version"] != float64(1) || c["status"] != "draft" {
			t.Fatalf("new clause: %v", c)
		}
		wantNumbers(t, map[string]string{q1: "3.1", p1: "2.1", p15: "2.2", p2: "2.3"})
		// By position, and past the end (appended).
		c = d.clause(gid, prevention, text("Appendix."), "position", 40)
		if c["number"] != "2.4" {
			t.Fatalf("appended clause number %v", c["number"])
		}
		r := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", token: f.Token, body: map[string]any{
			"section_id": prevention, "number": "3.1", "text": text("Wrong section.")}}).wantProblem(422, "clause.invalid")
		wantProblemFields(t, r, "number")
		r = e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", token: f.Token, body: map[string]any{
			"section_id": prevention, "number": "two", "text": text("Bad number.")}}).wantProblem(422, "clause.invalid")
		wantProblemFields(t, r, "number")
	})

	t.Run("move_clause_between_sections", func(t *testing.T) {
		r := e.do(req{method: "POST", path: "/api/v1/clauses/" + p1 + "/move", token: f.Token, body: map[string]any{"section_id": protection, "position": 1}}).want(200)
		c := r.JSON()
		if c["id"] != p1 || c["section_id"] != protection || c["number"] != "3.1" || r.Header().Get("ETag") != c["etag"] {
			t.Fatalf("moved clause: %v", c)
		}
		numbers := d.numbers(gid)
		if numbers[p1] != "3.1" || numbers[q1] != "3.2" || numbers[p15] != "2.1" || numbers[p2] != "2.2" {
			t.Fatalf("numbers after move: %v", numbers)
		}
		// Within its section, to the end.
		e.do(req{method: "POST", path: "/api/v1/clauses/" + p1 + "/move", token: f.Token, body: map[string]any{"position": 9}}).want(200)
		numbers = d.numbers(gid)
		if numbers[p1] != "3.2" || numbers[q1] != "3.1" {
			t.Fatalf("numbers after move within section: %v", numbers)
		}
		var list struct{ Items []struct{ ID string } }
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/clauses?section_id=" + protection, token: f.Token}).want(200).Decode(&list)
		if len(list.Items) != 2 || list.Items[0].ID != q1 || list.Items[1].ID != p1 {
			t.Fatalf("clauses of section II in order: %v", list.Items)
		}
		e.do(req{method: "POST", path: "/api/v1/clauses/" + p1 + "/move", token: f.Token, body: map[string]any{"section_id": "no-such-section", "position": 1}}).wantProblem(422, "clause.invalid")
		e.do(req{method: "POST", path: "/api/v1/clauses/no-such-clause/move", token: f.Token, body: map[string]any{"position": 1}}).wantProblem(404, "clause.not_found")
		moved := eventsOfType(d.events(gid), drafting.EventClauseMoved)
		if len(moved) != 2 || moved[0].SubjectID != p1 || moved[0].Data["from"] != "2.1" || moved[0].Data["to"] != "3.1" {
			t.Fatalf("clause.moved events: %+v", moved)
		}
	})

	t.Run("insert_clause_at_1.2", func(t *testing.T) {
		gid := d.guideline()
		sid := d.section(gid, "I. Prevention", 0)
		first := d.clause(gid, sid, text("First."))["id"].(string)
		second := d.clause(gid, sid, text("Second."))["id"].(string)
		inserted := d.clause(gid, sid, text("Inserted."), "number", "1.2")
		if inserted["number"] != "1.2" {
			t.Fatalf("inserted clause: %v", inserted)
		}
		if diff := cmp.Diff(map[string]string{first: "1.1", inserted["id"].(string): "1.2", second: "1.3"}, d.numbers(gid)); diff != "" {
			t.Fatalf("numbers (-want +got)\n%s", diff)
		}
		r := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", token: f.Token, body: map[string]any{
			"section_id": sid, "number": "1.0", "text": text("Zero.")}}).wantProblem(422, "clause.invalid")
		wantProblemFields(t, r, "number")
	})

	t.Run("sections_of_another_guideline_are_refused", func(t *testing.T) {
		other := d.guideline()
		r := e.do(req{method: "POST", path: "/api/v1/guidelines/" + other + "/clauses", token: f.Token, body: map[string]any{
			"section_id": prevention, "text": text("Misplaced.")}}).wantProblem(422, "clause.invalid")
		wantProblemFields(t, r, "section_id")
		e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", token: f.Token, body: map[string]any{
			"section_id": "no-such-section", "text": text("Misplaced.")}}).wantProblem(422, "clause.invalid")
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/clauses?status=bogus", token: f.Token}).wantProblem(422, "clause.invalid_filter")
	})
}

func TestClauseText(t *testing.T) {
	d := newDrafter(t)
	e, f := d.e, d.f
	gid := d.guideline("en", "es")
	sid := d.section(gid, "I. Prevention", 0)
	post := func(body map[string]any) *resp {
		body["section_id"] = sid
		return e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", token: f.Token, body: body})
	}

	t.Run("missing_translation", func(t *testing.T) {
		c := d.clause(gid, sid, map[string]string{"en": "States shall inform victims.", "es": "  "})
		if diff := cmp.Diff([]any{"es"}, c["missing_translations"]); diff != "" {
			t.Fatalf("missing_translations (-want +got)\n%s", diff)
		}
		if diff := cmp.Diff(map[string]any{"en": "States shall inform victims."}, c["text"]); diff != "" {
			t.Fatalf("text (-want +got)\n%s", diff)
		}
		c = d.edit(c["id"].(string), map[string]string{"en": "States shall inform victims.", "es": "Los Estados informarán a las víctimas."})
		if diff := cmp.Diff([]any{}, c["missing_translations"]); diff != "" {
			t.Fatalf("missing_translations after translation (-want +got)\n%s", diff)
		}
	})

	t.Run("invalid_text", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			text  map[string]string
			field string
		}{
			{"language_outside_the_guideline", map[string]string{"en": "ok", "fr": "Les États informent."}, "text.fr"},
			{"over_20000_characters", map[string]string{"en": strings.Repeat("é", 20_001)}, "text.en"},
			{"empty", map[string]string{}, "text"},
			{"blank", map[string]string{"en": " \n "}, "text"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantProblemFields(t, post(map[string]any{"text": tc.text}).wantProblem(422, "clause.invalid"), tc.field)
			})
		}
		// The bound is characters, not bytes: 20,000 two-byte characters pass.
		c := post(map[string]any{"text": map[string]string{"en": strings.Repeat("é", 20_000)}}).want(201).JSON()
		_, etag := d.get(c["id"].(string))
		r := d.putText(c["id"].(string), etag, map[string]string{"en": strings.Repeat("a", 20_001)}, "").wantProblem(422, "clause.invalid")
		wantProblemFields(t, r, "text.en")
		r = d.putText(c["id"].(string), etag, map[string]string{"en": "ok", "pt": "ok"}, "").wantProblem(422, "clause.invalid")
		wantProblemFields(t, r, "text.pt")
		wantProblemFields(t, post(map[string]any{"text": map[string]string{"en": "x"}, "note": strings.Repeat("n", 2001)}).wantProblem(422, "clause.invalid"), "note")
		e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", token: f.Token, body: map[string]any{"text": map[string]string{"en": "x"}}}).wantProblem(422, "clause.invalid")
		e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", token: f.Token, body: map[string]any{"section_id": sid, "text": "not an object"}}).wantProblem(422, "request.invalid_type")
	})

	cid := d.clause(gid, sid, map[string]string{"en": "States shall inform victims.", "es": "Los Estados informarán a las víctimas."})["id"].(string)

	t.Run("if_match", func(t *testing.T) {
		c, etag := d.get(cid)
		next := map[string]string{"en": "States shall promptly inform victims.", "es": "Los Estados informarán sin demora a las víctimas."}
		d.putText(cid, "", next, "").wantProblem(428, "request.if_match_required")
		for _, bad := range []string{`W/` + etag, "garbage", `"r"`, `"r0"`, `"x1"`, etag[1 : len(etag)-1]} {
			d.putText(cid, bad, next, "").wantProblem(412, "request.if_match_stale")
		}
		d.putText(cid, `"r999"`, next, "").wantProblem(412, "clause.version_stale")
		d.putText(cid, etag, map[string]string{"en": " States shall inform victims. ", "es": "Los Estados informarán a las víctimas."}, "").wantProblem(422, "clause.text_unchanged")
		if again, _ := d.get(cid); again["version"] != c["version"] || again["etag"] != etag {
			t.Fatalf("refused changes changed the clause: %v", again)
		}

		r := d.putText(cid, etag, next, "after Session 1").want(200)
		v2 := r.JSON()
		if v2["version"] != float64(2) || r.Header().Get("ETag") == etag || v2["etag"] != r.Header().Get("ETag") || v2["status"] != "draft" {
			t.Fatalf("after PUT: ETag %q, %v", r.Header().Get("ETag"), v2)
		}
		d.putText(cid, etag, map[string]string{"en": "Lost update."}, "").wantProblem(412, "clause.version_stale")
		// "*" skips the comparison.
		d.putText(cid, "*", map[string]string{"en": "Third wording.", "es": "Tercera redacción."}, "").want(200)
		_, etag = d.get(cid)
		d.putText(cid, etag, map[string]string{"en": "Fourth wording.", "es": "Cuarta redacción."}, "").want(200)
		d.putText(cid, etag, map[string]string{"en": "Lost update."}, "").wantProblem(412, "clause.version_stale")

		e.do(req{method: "PUT", path: "/api/v1/clauses/no-such-clause/text", token: f.Token, header: map[string]string{"If-Match": "*"},
			body: map[string]any{"text": next}}).wantProblem(404, "clause.not_found")
		e.do(req{method: "GET", path: "/api/v1/clauses/no-such-clause", token: f.Token}).wantProblem(404, "clause.not_found")
	})

	t.Run("versions", func(t *testing.T) {
		var list struct {
			Items []struct {
				ClauseID     string `json:"clause_id"`
				Number       int
				Text         map[string]string
				Note         string
				Incorporates []string
				AuthorID     string `json:"author_id"`
			}
			NextCursor *string `json:"next_cursor"`
		}
		e.do(req{method: "GET", path: "/api/v1/clauses/" + cid + "/versions", token: f.Token}).want(200).Decode(&list)
		if len(list.Items) != 4 || list.NextCursor != nil {
			t.Fatalf("versions: %+v", list)
		}
		for i, v := range list.Items {
			if v.Number != 4-i || v.ClauseID != cid || v.AuthorID != f.ID || v.Incorporates == nil || len(v.Incorporates) != 0 {
				t.Errorf("version %d: %+v", i, v)
			}
		}
		if list.Items[2].Note != "after Session 1" || list.Items[3].Text["en"] != "States shall inform victims." {
			t.Errorf("versions 2 and 1: %+v", list.Items[2:])
		}
		// Version 1 is what it was when written, whatever came after.
		r := e.do(req{method: "GET", path: "/api/v1/clauses/" + cid + "/versions/1", token: f.Token}).want(200)
		v1 := r.JSON()
		if diff := cmp.Diff(map[string]any{"en": "States shall inform victims.", "es": "Los Estados informarán a las víctimas."}, v1["text"]); diff != "" {
			t.Fatalf("version 1 text (-want +got)\n%s", diff)
		}
		if diff := cmp.Diff([]any{}, v1["incorporates"]); diff != "" || v1["author_id"] != f.ID || v1["note"] != "" {
			t.Fatalf("version 1: %v", v1)
		}
		if cc := r.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("Cache-Control %q", cc)
		}
		// One version per page, newest first.
		var page struct {
			Items      []struct{ Number int }
			NextCursor *string `json:"next_cursor"`
		}
		seen := []int{}
		path := "/api/v1/clauses/" + cid + "/versions?limit=1"
		for {
			e.do(req{method: "GET", path: path, token: f.Token}).want(200).Decode(&page)
			for _, v := range page.Items {
				seen = append(seen, v.Number)
			}
			if page.NextCursor == nil {
				break
			}
			path = "/api/v1/clauses/" + cid + "/versions?limit=1&cursor=" + url.QueryEscape(*page.NextCursor)
		}
		if diff := cmp.Diff([]int{4, 3, 2, 1}, seen); diff != "" {
			t.Fatalf("paged versions (-want +got)\n%s", diff)
		}
		e.do(req{method: "GET", path: "/api/v1/clauses/" + cid + "/versions/9", token: f.Token}).wantProblem(404, "version.not_found")
		e.do(req{method: "GET", path: "/api/v1/clauses/" + cid + "/versions/0", token: f.Token}).wantProblem(422, "request.invalid_parameter")
		e.do(req{method: "GET", path: "/api/v1/clauses/no-such-clause/versions", token: f.Token}).wantProblem(404, "clause.not_found")
		e.do(req{method: "GET", path: "/api/v1/clauses/no-such-clause/versions/1", token: f.Token}).wantProblem(404, "clause.not_found")
	})

	t.Run("agreed_text_is_locked", func(t *testing.T) {
		// The deliberation API is what makes a clause agreed; here only the
		// drafting rule "an agreed clause's text cannot change" is under
		// test, so the status is set directly.
		c := d.clause(gid, sid, map[string]string{"en": "Agreed text."})
		if err := e.store.DB().Exec("UPDATE clauses SET status = 'agreed' WHERE id = ?", c["id"]).Error; err != nil {
			t.Fatal(err)
		}
		d.putText(c["id"].(string), "*", map[string]string{"en": "Changed."}, "").wantProblem(409, "clause.agreed")
	})
}

// TestConcurrentTextChange: ten facilitators edit from one ETag at once;
// exactly one wins, the others learn their copy is stale, and one version
// (and one event) is added. TEST_DATABASE_URL runs it on PostgreSQL.
func TestConcurrentTextChange(t *testing.T) {
	d := newDrafter(t)
	gid := d.guideline()
	sid := d.section(gid, "I. Prevention", 0)
	cid := d.clause(gid, sid, map[string]string{"en": "States shall inform victims.", "es": "Los Estados informarán a las víctimas."})["id"].(string)
	_, etag := d.get(cid)

	const writers = 10
	codes := make([]int, writers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := d.putText(cid, etag, map[string]string{"en": fmt.Sprintf("States shall inform victims (writer %d).", i)}, "")
			codes[i] = r.Code
		}()
	}
	close(start)
	wg.Wait()
	n := map[int]int{}
	for _, c := range codes {
		n[c]++
	}
	if n[http.StatusOK] != 1 || n[http.StatusPreconditionFailed] != writers-1 {
		t.Fatalf("status codes %v, want one 200 and %d 412", n, writers-1)
	}
	var list struct{ Items []struct{ Number int } }
	d.e.do(req{method: "GET", path: "/api/v1/clauses/" + cid + "/versions", token: d.f.Token}).want(200).Decode(&list)
	if len(list.Items) != 2 || list.Items[0].Number != 2 {
		t.Fatalf("versions after the race: %+v, want exactly 2", list.Items)
	}
	if c, _ := d.get(cid); c["version"] != float64(2) {
		t.Fatalf("clause version %v, want 2", c["version"])
	}
	if ev := eventsOfType(d.events(gid), drafting.EventClauseTextChanged); len(ev) != 1 {
		t.Fatalf("%d clause.text_changed events, want 1", len(ev))
	}
}

func TestClauseDiff(t *testing.T) {
	d := newDrafter(t)
	e, f := d.e, d.f
	gid := d.guideline("en", "es")
	sid := d.section(gid, "I. Prevention", 0)
	v1 := map[string]string{"en": "States shall inform victims, in writing.", "es": "Los Estados informarán a las víctimas."}
	v2 := map[string]string{"en": "States shall promptly inform victims of trafficking, in writing and orally.", "es": "Los Estados informarán a las víctimas."}
	v3 := map[string]string{"en": "States shall promptly inform victims of trafficking, in writing and orally."}
	cid := d.clause(gid, sid, v1)["id"].(string)
	d.edit(cid, v2)
	d.edit(cid, v3)

	type diffResp struct {
		From, To int
		Lang     string
		Ops      []struct{ Op, Text string }
	}
	check := func(t *testing.T, query string, from, to int, lang, a, b string) diffResp {
		t.Helper()
		var got diffResp
		e.do(req{method: "GET", path: "/api/v1/clauses/" + cid + "/diff" + query, token: f.Token}).want(200).Decode(&got)
		if got.From != from || got.To != to || got.Lang != lang {
			t.Fatalf("diff%s: from %d to %d lang %s, want %d %d %s", query, got.From, got.To, got.Lang, from, to, lang)
		}
		if got.Ops == nil {
			t.Fatalf("diff%s: ops is null", query)
		}
		var ra, rb strings.Builder
		for _, op := range got.Ops {
			switch op.Op {
			case "equal":
				ra.WriteString(op.Text)
				rb.WriteString(op.Text)
			case "delete":
				ra.WriteString(op.Text)
			case "insert":
				rb.WriteString(op.Text)
			default:
				t.Fatalf("op %q", op.Op)
			}
		}
		if ra.String() != a || rb.String() != b {
			t.Fatalf("diff%s rebuilds\n%q\n%q\nwant\n%q\n%q", query, ra.String(), rb.String(), a, b)
		}
		return got
	}

	t.Run("explicit", func(t *testing.T) {
		got := check(t, "?from=1&to=2&lang=en", 1, 2, "en", v1["en"], v2["en"])
		var inserted []string
		for _, op := range got.Ops {
			if op.Op == "insert" {
				inserted = append(inserted, strings.TrimSpace(op.Text))
			}
		}
		// No op starts or ends inside a word, in either text.
		for _, side := range []string{"delete", "insert"} {
			var text strings.Builder
			var cuts []int
			for _, op := range got.Ops {
				if op.Op == "equal" || op.Op == side {
					cuts = append(cuts, text.Len())
					text.WriteString(op.Text)
				}
			}
			s := []rune(text.String())
			for _, cut := range cuts {
				r := []rune(text.String()[:cut])
				if i := len(r); i > 0 && i < len(s) && unicode.IsLetter(s[i-1]) && unicode.IsLetter(s[i]) {
					t.Errorf("%s side is cut inside a word at %d: %+v", side, cut, got.Ops)
				}
			}
		}
		joined := strings.Join(inserted, "|")
		for _, w := range []string{"promptly", "trafficking", "orally"} {
			if !strings.Contains(joined, w) {
				t.Errorf("inserted %q, want %q among them", joined, w)
			}
		}
		for _, op := range got.Ops {
			if op.Op == "delete" && strings.Contains(op.Text, "inform") {
				t.Errorf("unchanged word deleted: %+v", got.Ops)
			}
		}
	})
	t.Run("defaults_to_the_last_change_in_the_first_language", func(t *testing.T) {
		check(t, "", 2, 3, "en", v2["en"], v3["en"])
		check(t, "?to=2", 1, 2, "en", v1["en"], v2["en"])
		check(t, "?from=1", 1, 3, "en", v1["en"], v3["en"])
	})
	t.Run("other_language_and_backwards", func(t *testing.T) {
		check(t, "?from=2&to=1&lang=es", 2, 1, "es", v2["es"], v1["es"])
		check(t, "?from=1&to=1&lang=es", 1, 1, "es", v1["es"], v1["es"])
		// Version 3 has no Spanish text: the whole text is deleted.
		check(t, "?from=2&to=3&lang=es", 2, 3, "es", v2["es"], "")
	})
	t.Run("a_language_missing_from_both_versions", func(t *testing.T) {
		only := d.clause(gid, sid, map[string]string{"en": "First."})["id"].(string)
		d.edit(only, map[string]string{"en": "Second."})
		var got diffResp
		e.do(req{method: "GET", path: "/api/v1/clauses/" + only + "/diff?lang=es", token: f.Token}).want(200).Decode(&got)
		if got.Ops == nil || len(got.Ops) != 0 {
			t.Fatalf("ops %v, want []", got.Ops)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		e.do(req{method: "GET", path: "/api/v1/clauses/" + cid + "/diff?lang=fr", token: f.Token}).wantProblem(422, "diff.invalid")
		e.do(req{method: "GET", path: "/api/v1/clauses/" + cid + "/diff?from=0", token: f.Token}).wantProblem(422, "request.invalid_parameter")
		e.do(req{method: "GET", path: "/api/v1/clauses/" + cid + "/diff?to=x", token: f.Token}).wantProblem(422, "request.invalid_parameter")
		e.do(req{method: "GET", path: "/api/v1/clauses/" + cid + "/diff?from=1&to=9", token: f.Token}).wantProblem(404, "version.not_found")
		e.do(req{method: "GET", path: "/api/v1/clauses/no-such-clause/diff", token: f.Token}).wantProblem(404, "clause.not_found")
	})
}
