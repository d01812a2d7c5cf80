package httpapi_test

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"reflect"
	"testing"

	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// pagingFixture is a guideline of two sections whose clauses were created
// out of document order (section II first, some inserted at position 1),
// some opened: ids lists them in document order as the unpaged list gives
// them.
type pagingFixture struct {
	*delib
	sid2 string
	open map[string]bool
}

func newPagingFixture(t *testing.T) *pagingFixture {
	t.Helper()
	d := newDelib(t)
	f := &pagingFixture{delib: d, open: map[string]bool{}}
	f.sid2 = d.do(req{method: "POST", path: "/api/v1/guidelines/" + d.gid + "/sections", token: d.fac.Token,
		body: map[string]any{"title": titled("II. Assistance")}}).want(201).JSON()["id"].(string)
	add := func(sid string, position, i int) {
		body := map[string]any{"section_id": sid, "text": map[string]string{
			"en": fmt.Sprintf("States shall assist victims (%d).", i), "es": fmt.Sprintf("Los Estados asistirán a las víctimas (%d).", i)}}
		if position > 0 {
			body["position"] = position
		}
		cid := d.do(req{method: "POST", path: "/api/v1/guidelines/" + d.gid + "/clauses", token: d.fac.Token, body: body}).want(201).JSON()["id"].(string)
		if i%3 != 0 {
			d.post("/api/v1/clauses/"+cid+"/open", d.fac, nil).want(200)
			f.open[cid] = true
		}
	}
	for i := 0; i < 14; i++ {
		sid, position := d.sid, 0
		if i%2 == 0 {
			sid = f.sid2
		}
		if i%4 < 2 {
			position = 1
		}
		add(sid, position, i)
	}
	return f
}

// clausePages follows next_cursor from the first page of query and
// returns every clause id in the order received.
func (f *pagingFixture) clausePages(t *testing.T, query url.Values, limit int) []string {
	t.Helper()
	var ids []string
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("limit", fmt.Sprint(limit))
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("the clause list does not end")
		}
		body := f.get("/api/v1/guidelines/"+f.gid+"/clauses?"+q.Encode(), f.fac).want(200).JSON()
		items := body["items"].([]any)
		if len(items) > limit {
			t.Fatalf("a page of limit %d holds %d clauses", limit, len(items))
		}
		for _, it := range items {
			ids = append(ids, it.(map[string]any)["id"].(string))
		}
		next, _ := body["next_cursor"].(string)
		if next == "" {
			return ids
		}
		if len(items) != limit {
			t.Fatalf("a page with a next cursor holds %d clauses, want %d", len(items), limit)
		}
		q.Set("cursor", next)
	}
}

// TestClauseListPaging pages the clause list in document order, alone and
// with every filter: the pages joined are the whole list, no duplicate, no
// gap; a cursor this API did not make is 422.
func TestClauseListPaging(t *testing.T) {
	f := newPagingFixture(t)
	all := f.get("/api/v1/guidelines/"+f.gid+"/clauses?limit=200", f.fac).want(200).JSON()
	if all["next_cursor"] != nil {
		t.Fatalf("next_cursor = %v on the only page", all["next_cursor"])
	}
	var want []string
	lastSection, lastPos := "", 0
	for i, it := range all["items"].([]any) {
		c := it.(map[string]any)
		sid, pos := c["section_id"].(string), int(c["position"].(float64))
		// Document order: every clause of section I, then of section II,
		// by position.
		if i > 0 && !(sid == lastSection && pos > lastPos || sid == f.sid2 && lastSection == f.sid) {
			t.Fatalf("clause %d (%s, position %d) follows (%s, position %d): not document order", i, sid, pos, lastSection, lastPos)
		}
		lastSection, lastPos = sid, pos
		want = append(want, c["id"].(string))
	}
	if len(want) != 14 {
		t.Fatalf("%d clauses, want 14", len(want))
	}
	// The default page holds them all (50).
	if got := itemIDs(f.get("/api/v1/guidelines/"+f.gid+"/clauses", f.fac).want(200)); !reflect.DeepEqual(got, want) {
		t.Fatalf("default page = %v, want %v", got, want)
	}
	for _, limit := range []int{1, 3, 7, 13, 14} {
		if got := f.clausePages(t, nil, limit); !reflect.DeepEqual(got, want) {
			t.Fatalf("pages of %d = %v, want %v", limit, got, want)
		}
	}

	filtered := func(keep func(id string) bool) []string {
		var out []string
		for _, id := range want {
			if keep(id) {
				out = append(out, id)
			}
		}
		return out
	}
	inSection2 := map[string]bool{}
	for _, it := range all["items"].([]any) {
		c := it.(map[string]any)
		if c["section_id"] == f.sid2 {
			inSection2[c["id"].(string)] = true
		}
	}
	t.Run("with_filters", func(t *testing.T) {
		cases := []struct {
			query url.Values
			want  []string
		}{
			{url.Values{"section_id": {f.sid2}}, filtered(func(id string) bool { return inSection2[id] })},
			{url.Values{"status": {"open"}}, filtered(func(id string) bool { return f.open[id] })},
			{url.Values{"status": {"draft"}}, filtered(func(id string) bool { return !f.open[id] })},
			{url.Values{"status": {"open"}, "section_id": {f.sid2}}, filtered(func(id string) bool { return f.open[id] && inSection2[id] })},
			{url.Values{"needs_position": {"CR"}}, filtered(func(id string) bool { return f.open[id] })},
		}
		for _, tc := range cases {
			if len(tc.want) < 3 {
				t.Fatalf("%v selects %d clauses: too few to page", tc.query, len(tc.want))
			}
			for _, limit := range []int{1, 2, 5} {
				if got := f.clausePages(t, tc.query, limit); !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("%v in pages of %d = %v, want %v", tc.query, limit, got, tc.want)
				}
			}
		}
	})

	t.Run("bad_cursor_and_limit", func(t *testing.T) {
		first := f.get("/api/v1/guidelines/"+f.gid+"/clauses?limit=2", f.fac).want(200).JSON()
		good := first["next_cursor"].(string)
		enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
		for _, bad := range []string{
			good[:len(good)-2],
			enc(`"a string"`),
			enc(`{"s":1,"p":1,"i":"not-an-id"}`),
			enc(`{"s":1,"p":1}`),
			enc(`{"s":-1,"p":1,"i":"00000000-0000-4000-8000-000000000000"}`),
			enc(`{"s":1.5,"p":1,"i":"00000000-0000-4000-8000-000000000000"}`),
			enc(`{"s":99999999999999999999,"p":1,"i":"00000000-0000-4000-8000-000000000000"}`),
		} {
			f.get("/api/v1/guidelines/"+f.gid+"/clauses?limit=2&cursor="+url.QueryEscape(bad), f.fac).wantProblem(422, "page.invalid_cursor")
		}
		for _, bad := range []string{"0", "201", "x"} {
			f.get("/api/v1/guidelines/"+f.gid+"/clauses?limit="+bad, f.fac).wantProblem(422, "page.invalid_limit")
		}
	})

	t.Run("etag_and_304", func(t *testing.T) {
		path := "/api/v1/guidelines/" + f.gid + "/clauses?limit=3"
		r := f.get(path, f.fac).want(200)
		tag := r.Header().Get("ETag")
		if tag == "" {
			t.Fatal("the clause list sends no ETag")
		}
		nm := f.do(req{method: "GET", path: path, token: f.fac.Token, header: map[string]string{"If-None-Match": tag}}).want(304)
		if nm.Body.Len() != 0 {
			t.Fatalf("304 with %d bytes of body", nm.Body.Len())
		}
		// Opening a draft clause of the first page changes the page.
		draft := ""
		for _, id := range itemIDs(r) {
			if !f.open[id] {
				draft = id
			}
		}
		if draft == "" {
			t.Fatal("fixture: no draft clause on the first page")
		}
		f.post("/api/v1/clauses/"+draft+"/open", f.fac, nil).want(200)
		again := f.do(req{method: "GET", path: path, token: f.fac.Token, header: map[string]string{"If-None-Match": tag}}).want(200)
		if again.Header().Get("ETag") == tag {
			t.Fatal("the ETag did not change with the list")
		}
	})
}

// TestConsensusMatrixBySectionAndPaged builds the matrix of one section
// and in pages: the clauses, blocking and positions are the section's or
// the page's, ready_for_adoption the whole guideline's, and a page costs
// the statements of the whole matrix.
func TestConsensusMatrixBySectionAndPaged(t *testing.T) {
	d := newDelib(t)
	sid2 := d.do(req{method: "POST", path: "/api/v1/guidelines/" + d.gid + "/sections", token: d.fac.Token,
		body: map[string]any{"title": titled("II. Assistance")}}).want(201).JSON()["id"].(string)
	open1 := d.mustOpenClause()
	agreed1 := d.mustAgreedClause()
	// Section II: three agreed clauses.
	var agreed2 []string
	for i := 0; i < 3; i++ {
		cid := d.mustAgreedClause()
		d.post("/api/v1/clauses/"+cid+"/move", d.fac, map[string]any{"section_id": sid2, "position": i + 1}).want(200)
		agreed2 = append(agreed2, cid)
	}
	base := "/api/v1/guidelines/" + d.gid + "/consensus"
	ids := func(m map[string]any) []string {
		var out []string
		for _, c := range m["clauses"].([]any) {
			out = append(out, c.(map[string]any)["id"].(string))
		}
		return out
	}
	strs := func(v any) []string {
		out := []string{}
		for _, s := range v.([]any) {
			out = append(out, s.(string))
		}
		return out
	}

	whole := d.get(base, d.fac).want(200).JSON()
	want := append([]string{open1, agreed1}, agreed2...)
	if got := ids(whole); !reflect.DeepEqual(got, want) {
		t.Fatalf("matrix clauses = %v, want %v", got, want)
	}
	if whole["next_cursor"] != nil || whole["ready_for_adoption"] != false {
		t.Fatalf("whole matrix: next_cursor %v, ready %v", whole["next_cursor"], whole["ready_for_adoption"])
	}

	t.Run("one_section", func(t *testing.T) {
		m := d.get(base+"?section_id="+sid2, d.fac).want(200).JSON()
		if got := ids(m); !reflect.DeepEqual(got, agreed2) {
			t.Fatalf("section II clauses = %v, want %v", got, agreed2)
		}
		if b := strs(m["blocking"]); len(b) != 0 {
			t.Fatalf("section II blocking = %v, want none", b)
		}
		if m["ready_for_adoption"] != false {
			t.Fatal("ready_for_adoption must describe the whole guideline, where a clause is still open")
		}
		for _, c := range m["clauses"].([]any) {
			for country, cell := range c.(map[string]any)["positions"].(map[string]any) {
				if cell != "agree" {
					t.Fatalf("section II: %s's cell = %v, want agree", country, cell)
				}
			}
		}
		m1 := d.get(base+"?section_id="+d.sid, d.fac).want(200).JSON()
		if got, b := ids(m1), strs(m1["blocking"]); !reflect.DeepEqual(got, []string{open1, agreed1}) || !reflect.DeepEqual(b, []string{open1}) {
			t.Fatalf("section I: clauses %v blocking %v", got, b)
		}
		// A section of no clause (or of another guideline) gives none.
		empty := d.get(base+"?section_id=00000000-0000-4000-8000-000000000000", d.fac).want(200).JSON()
		if len(empty["clauses"].([]any)) != 0 || empty["next_cursor"] != nil {
			t.Fatalf("unknown section: %v", empty)
		}
		d.get(base+"?section_id=nope", d.fac).wantProblem(422, "request.invalid_parameter")
	})

	t.Run("paged", func(t *testing.T) {
		for _, query := range []string{"", "section_id=" + sid2} {
			var got []string
			path := base + "?limit=2"
			if query != "" {
				path += "&" + query
			}
			next := ""
			for pages := 0; pages == 0 || next != ""; pages++ {
				p := path
				if next != "" {
					p += "&cursor=" + url.QueryEscape(next)
				}
				m := d.get(p, d.fac).want(200).JSON()
				page := ids(m)
				if len(page) > 2 {
					t.Fatalf("a page of 2 holds %d clauses", len(page))
				}
				for _, b := range strs(m["blocking"]) {
					if !hasString(page, b) {
						t.Fatalf("blocking %s is not on its page %v", b, page)
					}
				}
				got = append(got, page...)
				next, _ = m["next_cursor"].(string)
			}
			expect := want
			if query != "" {
				expect = agreed2
			}
			if !reflect.DeepEqual(got, expect) {
				t.Fatalf("%q in pages of 2 = %v, want %v", query, got, expect)
			}
		}
		d.get(base+"?cursor="+base64.RawURLEncoding.EncodeToString([]byte(`{"x":1}`)), d.fac).wantProblem(422, "page.invalid_cursor")
		d.get(base+"?limit=201", d.fac).wantProblem(422, "page.invalid_limit")
	})

	t.Run("a_page_costs_what_the_whole_matrix_costs", func(t *testing.T) {
		sc := storetest.CountStatements(t, d.store)
		count := func(path string) int {
			d.svc.InvalidatePrincipals()
			return sc.During(func() { d.get(path, d.fac).want(200) })
		}
		full, page, section, none := count(base), count(base+"?limit=1"), count(base+"?section_id="+sid2),
			count(base+"?section_id=00000000-0000-4000-8000-000000000000")
		if page != full || section != full || none != full {
			t.Fatalf("statements: whole %d, page %d, section %d, empty section %d", full, page, section, none)
		}
	})

	t.Run("ready_on_every_page", func(t *testing.T) {
		d.position(open1, "BZ", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
		for _, c := range countries8[1:] {
			d.position(open1, c, d.heads[c], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
		}
		d.post("/api/v1/clauses/"+open1+"/lock", d.fac, nil).want(200)
		for _, p := range []string{base, base + "?limit=1", base + "?section_id=" + sid2,
			base + "?section_id=00000000-0000-4000-8000-000000000000"} {
			if m := d.get(p, d.fac).want(200).JSON(); m["ready_for_adoption"] != true {
				t.Fatalf("%s: ready_for_adoption %v, want true", p, m["ready_for_adoption"])
			}
		}
	})
}
