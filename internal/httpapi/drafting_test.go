package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// drafter drives the drafting API as one facilitator.
type drafter struct {
	t     testing.TB
	e     *env
	admin account
	f     account
}

func newDrafter(t testing.TB) *drafter {
	t.Helper()
	e := newEnv(t)
	admin := e.mustAdmin()
	return &drafter{t: t, e: e, admin: admin, f: e.mustUser(admin, "facilitator", "", false)}
}

// principal is the facilitator as the service sees it, for fixtures built
// without HTTP.
func (d *drafter) principal() auth.Principal {
	return auth.Principal{ID: d.f.ID, Role: drafting.RoleFacilitator}
}

var eightCountries = []string{"BZ", "CR", "SV", "GT", "HN", "MX", "NI", "PA"}

// guideline creates a guideline with a unique title and returns its id.
func (d *drafter) guideline(languages ...string) string {
	d.t.Helper()
	if len(languages) == 0 {
		languages = []string{"en", "es"}
	}
	g := d.e.do(req{method: "POST", path: "/api/v1/guidelines", token: d.f.Token, body: map[string]any{
		"title":     fmt.Sprintf("Regional guidelines on consular protection %d", d.e.seq.Add(1)),
		"languages": languages, "participants": eightCountries}}).want(201).JSON()
	return g["id"].(string)
}

// section adds a section (position 0 appends) and returns its id.
func (d *drafter) section(gid, title string, position int) string {
	d.t.Helper()
	body := map[string]any{"title": title}
	if position > 0 {
		body["position"] = position
	}
	return d.e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/sections", token: d.f.Token, body: body}).want(201).JSON()["id"].(string)
}

// clause adds a clause; extra fields (number, position, note) join the body.
func (d *drafter) clause(gid, sid string, text map[string]string, extra ...any) map[string]any {
	d.t.Helper()
	body := map[string]any{"section_id": sid, "text": text}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i].(string)] = extra[i+1]
	}
	return d.e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", token: d.f.Token, body: body}).want(201).JSON()
}

// get reads a clause and its ETag.
func (d *drafter) get(cid string) (map[string]any, string) {
	d.t.Helper()
	r := d.e.do(req{method: "GET", path: "/api/v1/clauses/" + cid, token: d.f.Token}).want(200)
	c := r.JSON()
	if etag := r.Header().Get("ETag"); etag != c["etag"] {
		d.t.Fatalf("ETag header %q, etag field %v", etag, c["etag"])
	}
	return c, r.Header().Get("ETag")
}

// putText changes a clause's text with If-Match (omitted when ifMatch is "").
func (d *drafter) putText(cid, ifMatch string, text map[string]string, note string) *resp {
	d.t.Helper()
	h := map[string]string{}
	if ifMatch != "" {
		h["If-Match"] = ifMatch
	}
	return d.e.do(req{method: "PUT", path: "/api/v1/clauses/" + cid + "/text", token: d.f.Token, header: h,
		body: map[string]any{"text": text, "note": note}})
}

// edit reads a clause and changes its text.
func (d *drafter) edit(cid string, text map[string]string) map[string]any {
	d.t.Helper()
	_, etag := d.get(cid)
	return d.putText(cid, etag, text, "").want(200).JSON()
}

// numbers maps clause id → display number for a guideline.
func (d *drafter) numbers(gid string) map[string]string {
	d.t.Helper()
	var list struct {
		Items []struct{ ID, Number string }
	}
	d.e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/clauses", token: d.f.Token}).want(200).Decode(&list)
	out := map[string]string{}
	for _, c := range list.Items {
		out[c.ID] = c.Number
	}
	return out
}

func (d *drafter) sectionTitles(gid string) []string {
	d.t.Helper()
	var list struct {
		Items []struct {
			Title    string
			Position int
		}
	}
	d.e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/sections", token: d.f.Token}).want(200).Decode(&list)
	out := make([]string, len(list.Items))
	for i, s := range list.Items {
		if s.Position != i+1 {
			d.t.Fatalf("section %q at position %d, listed %d", s.Title, s.Position, i+1)
		}
		out[i] = s.Title
	}
	return out
}

// events reads a guideline's events straight from the log.
func (d *drafter) events(gid string) []drafting.Event {
	d.t.Helper()
	var evs []drafting.Event
	err := d.e.store.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		evs, err = tx.Events(store.EventFilter{GuidelineID: gid, Limit: 1000})
		return err
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return evs
}

func eventsOfType(evs []drafting.Event, typ string) []drafting.Event {
	var out []drafting.Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// problemFields lists the fields a 422 problem names.
func problemFields(r *resp) []string {
	r.t.Helper()
	var p struct {
		Errors []struct{ Field string }
	}
	r.Decode(&p)
	out := []string{}
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

func wantProblemFields(t *testing.T, r *resp, want ...string) {
	t.Helper()
	got := problemFields(r)
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("problem names fields %v, want %q among them; body: %s", got, w, r.Body.String())
		}
	}
}

func TestGuidelines(t *testing.T) {
	d := newDrafter(t)
	e, f := d.e, d.f

	t.Run("create", func(t *testing.T) {
		r := e.do(req{method: "POST", path: "/api/v1/guidelines", token: f.Token, body: map[string]any{
			"title": "  Directrices regionales de protección consular ", "languages": []string{"es", "en", "es"},
			"participants": []string{"PA", "BZ", "PA", "CR"}}}).want(201)
		g := r.JSON()
		if r.Header().Get("Location") != "/api/v1/guidelines/"+g["id"].(string) || r.Header().Get("ETag") == "" {
			t.Fatalf("Location %q, ETag %q", r.Header().Get("Location"), r.Header().Get("ETag"))
		}
		want := map[string]any{"title": "Directrices regionales de protección consular", "slug": "directrices-regionales-de-proteccion-consular",
			"languages": []any{"es", "en"}, "participants": []any{"BZ", "CR", "PA"}, "status": "drafting"}
		for k, v := range want {
			if diff := cmp.Diff(v, g[k]); diff != "" {
				t.Errorf("%s: (-want +got)\n%s", k, diff)
			}
		}
		got := e.do(req{method: "GET", path: "/api/v1/guidelines/" + g["id"].(string), token: f.Token}).want(200)
		if diff := cmp.Diff(g, got.JSON()); diff != "" {
			t.Errorf("GET differs from POST answer (-post +get)\n%s", diff)
		}
	})

	t.Run("invalid", func(t *testing.T) {
		base := func() map[string]any {
			return map[string]any{"title": "Valid title " + fmt.Sprint(e.seq.Add(1)), "languages": []string{"en"}, "participants": []string{"BZ"}}
		}
		for _, tc := range []struct {
			name, field, value string
			set                any
		}{
			{"unknown_country", "participants", "participants", []string{"BZ", "XX"}},
			{"no_participants", "participants", "participants", []string{}},
			{"empty_title", "title", "title", "   "},
			{"long_title", "title", "title", strings.Repeat("t", 301)},
			{"unknown_language", "languages", "languages", []string{"en", "fr"}},
			{"no_language", "languages", "languages", []string{}},
			{"bad_slug", "slug", "slug", "Not A Slug"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := base()
				body[tc.value] = tc.set
				r := e.do(req{method: "POST", path: "/api/v1/guidelines", token: f.Token, body: body}).wantProblem(422, "guideline.invalid")
				wantProblemFields(t, r, tc.field)
			})
		}
		t.Run("unknown_field", func(t *testing.T) {
			body := base()
			body["status"] = "adopted"
			e.do(req{method: "POST", path: "/api/v1/guidelines", token: f.Token, body: body}).wantProblem(422, "request.unknown_field")
		})
		t.Run("duplicate_slug", func(t *testing.T) {
			body := base()
			body["slug"] = "consular-protection"
			e.do(req{method: "POST", path: "/api/v1/guidelines", token: f.Token, body: body}).want(201)
			body = base()
			body["title"] = "Consular protection" // derives the same slug
			r := e.do(req{method: "POST", path: "/api/v1/guidelines", token: f.Token, body: body}).wantProblem(422, "guideline.slug_taken")
			wantProblemFields(t, r, "slug")
		})
		t.Run("not_found", func(t *testing.T) {
			e.do(req{method: "GET", path: "/api/v1/guidelines/no-such-id", token: f.Token}).wantProblem(404, "guideline.not_found")
			e.do(req{method: "PATCH", path: "/api/v1/guidelines/no-such-id", token: f.Token, body: map[string]any{"title": "x"}}).wantProblem(404, "guideline.not_found")
			e.do(req{method: "GET", path: "/api/v1/guidelines/no-such-id/clauses", token: f.Token}).wantProblem(404, "guideline.not_found")
			e.do(req{method: "POST", path: "/api/v1/guidelines/no-such-id/sections", token: f.Token, body: map[string]any{"title": "x"}}).wantProblem(404, "guideline.not_found")
		})
	})

	t.Run("list_pages_with_limit_1", func(t *testing.T) {
		e := newEnv(t) // an empty database, so the list holds only what this test made
		admin := e.mustAdmin()
		d := &drafter{t: t, e: e, admin: admin, f: e.mustUser(admin, "facilitator", "", false)}
		want := map[string]bool{}
		for range 3 {
			want[d.guideline()] = true
		}
		got := map[string]bool{}
		var order []string
		path := "/api/v1/guidelines?limit=1"
		for pages := 0; ; pages++ {
			if pages > 3 {
				t.Fatalf("more than 3 pages of 1 for 3 guidelines")
			}
			var page struct {
				Items      []struct{ ID string }
				NextCursor *string `json:"next_cursor"`
			}
			e.do(req{method: "GET", path: path, token: d.f.Token}).want(200).Decode(&page)
			if len(page.Items) != 1 {
				t.Fatalf("page %d has %d items", pages, len(page.Items))
			}
			got[page.Items[0].ID] = true
			order = append(order, page.Items[0].ID)
			if page.NextCursor == nil {
				break
			}
			path = "/api/v1/guidelines?limit=1&cursor=" + url.QueryEscape(*page.NextCursor)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("paged guidelines (-want +got)\n%s", diff)
		}
		var all struct{ Items []struct{ ID string } }
		e.do(req{method: "GET", path: "/api/v1/guidelines", token: d.f.Token}).want(200).Decode(&all)
		for i, g := range all.Items {
			if g.ID != order[i] {
				t.Fatalf("pages give order %v, one list gives %v", order, all.Items)
			}
		}
		e.do(req{method: "GET", path: "/api/v1/guidelines?cursor=not-a-cursor", token: d.f.Token}).wantProblem(422, "page.invalid_cursor")
		e.do(req{method: "GET", path: "/api/v1/guidelines?limit=0", token: d.f.Token}).wantProblem(422, "page.invalid_limit")
		e.do(req{method: "GET", path: "/api/v1/guidelines?limit=201", token: d.f.Token}).wantProblem(422, "page.invalid_limit")
	})

	t.Run("patch_with_optional_if_match", func(t *testing.T) {
		gid := d.guideline()
		r := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid, token: f.Token}).want(200)
		etag := r.Header().Get("ETag")

		// Without If-Match the change is applied.
		r = e.do(req{method: "PATCH", path: "/api/v1/guidelines/" + gid, token: f.Token, body: map[string]any{"title": "Renamed once"}}).want(200)
		if r.JSON()["title"] != "Renamed once" || r.Header().Get("ETag") == etag {
			t.Fatalf("after PATCH: %s, ETag %q (was %q)", r.Body.String(), r.Header().Get("ETag"), etag)
		}
		// The ETag read before that change is now stale.
		e.do(req{method: "PATCH", path: "/api/v1/guidelines/" + gid, token: f.Token, header: map[string]string{"If-Match": etag},
			body: map[string]any{"title": "Lost update"}}).wantProblem(412, "guideline.version_stale")
		for _, bad := range []string{`W/` + r.Header().Get("ETag"), "garbage"} {
			e.do(req{method: "PATCH", path: "/api/v1/guidelines/" + gid, token: f.Token, header: map[string]string{"If-Match": bad},
				body: map[string]any{"title": "Lost update"}}).wantProblem(412, "request.if_match_stale")
		}
		r = e.do(req{method: "PATCH", path: "/api/v1/guidelines/" + gid, token: f.Token, header: map[string]string{"If-Match": r.Header().Get("ETag")},
			body: map[string]any{"participants": []string{"MX", "BZ"}}}).want(200)
		if diff := cmp.Diff([]any{"BZ", "MX"}, r.JSON()["participants"]); diff != "" || r.JSON()["title"] != "Renamed once" {
			t.Fatalf("participants (-want +got)\n%s\n%s", diff, r.Body.String())
		}
		e.do(req{method: "PATCH", path: "/api/v1/guidelines/" + gid, token: f.Token, header: map[string]string{"If-Match": "*"},
			body: map[string]any{"title": "Renamed twice"}}).want(200)
		r = e.do(req{method: "PATCH", path: "/api/v1/guidelines/" + gid, token: f.Token, body: map[string]any{"participants": []string{"ZZ"}}}).wantProblem(422, "guideline.invalid")
		wantProblemFields(t, r, "participants")
		r = e.do(req{method: "PATCH", path: "/api/v1/guidelines/" + gid, token: f.Token, body: map[string]any{"title": ""}}).wantProblem(422, "guideline.invalid")
		wantProblemFields(t, r, "title")
		g := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid, token: f.Token}).want(200).JSON()
		if g["title"] != "Renamed twice" || len(g["participants"].([]any)) != 2 {
			t.Fatalf("refused changes were applied: %v", g)
		}
		ev := eventsOfType(d.events(gid), drafting.EventGuidelineUpdated)
		if len(ev) != 3 || ev[0].ActorID != f.ID {
			t.Fatalf("guideline.updated events: %+v", ev)
		}
	})

	t.Run("adopted_is_frozen", func(t *testing.T) {
		gid := d.guideline()
		sid := d.section(gid, "I. Prevention", 0)
		d.clause(gid, sid, map[string]string{"en": "Agreed text.", "es": "Texto acordado."})
		// Adoption needs every clause agreed, which the deliberation flow
		// decides; here only "an adopted guideline keeps its title and
		// participants" is under test, so the status is set directly.
		if err := e.store.DB().Exec("UPDATE clauses SET status = 'agreed' WHERE guideline_id = ?", gid).Error; err != nil {
			t.Fatal(err)
		}
		d.draft(gid, "Final")
		e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts/1/adopt", token: f.Token}).want(201)
		e.do(req{method: "PATCH", path: "/api/v1/guidelines/" + gid, token: f.Token, body: map[string]any{"participants": []string{"BZ"}}}).wantProblem(409, "guideline.adopted")
		if g := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid, token: f.Token}).want(200).JSON(); g["status"] != "adopted" || len(g["participants"].([]any)) != 8 {
			t.Fatalf("adopted guideline: %v", g)
		}
	})
}

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
		r = e.do(req{method: "PATCH", path: "/api/v1/sections/" + protection, token: f.Token, body: map[string]any{"position": 99, "title": "II. Protection and assistance"}}).want(200).JSON()
		if r["position"] != float64(3) || r["title"] != "II. Protection and assistance" {
			t.Fatalf("PATCH section: %v", r)
		}
		wantNumbers(t, map[string]string{q1: "3.1", p1: "2.1", p2: "2.2"})
		e.do(req{method: "PATCH", path: "/api/v1/sections/" + protection, token: f.Token, body: map[string]any{"position": 0}}).wantProblem(422, "section.invalid")
		e.do(req{method: "PATCH", path: "/api/v1/sections/" + protection, token: f.Token, body: map[string]any{"title": " "}}).wantProblem(422, "section.invalid")
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
	tok, err := d.e.tokens.Issue(id, "client")
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
	eventsBefore := len(d.events(gid))

	readers := map[string]account{
		"delegate": e.mustUser(d.admin, "delegate", "BZ", false),
		"head":     e.mustUser(d.admin, "delegate", "CR", true),
		"observer": e.mustUser(d.admin, "observer", "", false),
	}
	for name, a := range readers {
		t.Run(name+"_cannot_write", func(t *testing.T) {
			for _, r := range []req{
				{method: "POST", path: "/api/v1/guidelines", body: map[string]any{"title": "Mine " + name, "languages": []string{"en"}, "participants": []string{"BZ"}}},
				{method: "PATCH", path: "/api/v1/guidelines/" + gid, body: map[string]any{"title": "Mine"}},
				{method: "POST", path: "/api/v1/guidelines/" + gid + "/sections", body: map[string]any{"title": "Mine"}},
				{method: "PATCH", path: "/api/v1/sections/" + sid, body: map[string]any{"title": "Mine"}},
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
				"/api/v1/guidelines/" + gid + "/drafts/1/diff?against=1"} {
				e.do(req{method: "GET", path: path, token: a.Token}).want(200)
			}
		})
	}

	t.Run("integration_reads_no_working_text", func(t *testing.T) {
		tok := d.integrationToken()
		for _, path := range []string{"/api/v1/guidelines/" + gid + "/sections", "/api/v1/guidelines/" + gid + "/clauses",
			"/api/v1/clauses/" + cid, "/api/v1/clauses/" + cid + "/versions", "/api/v1/clauses/" + cid + "/versions/1", "/api/v1/clauses/" + cid + "/diff",
			"/api/v1/guidelines/" + gid + "/drafts", "/api/v1/guidelines/" + gid + "/drafts/1", "/api/v1/guidelines/" + gid + "/drafts/1?format=akn",
			"/api/v1/guidelines/" + gid + "/drafts/1/diff?against=1"} {
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
		e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/sections", token: d.admin.Token, body: map[string]any{"title": "Annex"}}).want(201)
	})
}

// sortedMapKeys lists a map's keys in order, for stable failure messages.
func sortedMapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
