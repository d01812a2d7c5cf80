package httpapi_test

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// draft takes a draft (label "" sends no label) and returns the answer.
func (d *drafter) draft(gid, label string) map[string]any {
	d.t.Helper()
	body := map[string]any{}
	if label != "" {
		body["label"] = label
	}
	r := d.e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts", token: d.f.Token, body: body}).want(201)
	out := r.JSON()
	if want := fmt.Sprintf("/api/v1/guidelines/%s/drafts/%v", gid, out["number"]); r.Header().Get("Location") != want {
		d.t.Fatalf("Location %q, want %q", r.Header().Get("Location"), want)
	}
	return out
}

// rendering fetches a draft in a format and checks its media type.
func (d *drafter) rendering(gid string, n int, format, lang string) string {
	d.t.Helper()
	q := url.Values{"format": {format}}
	if lang != "" {
		q.Set("lang", lang)
	}
	r := d.e.do(req{method: "GET", path: fmt.Sprintf("/api/v1/guidelines/%s/drafts/%d?%s", gid, n, q.Encode()), token: d.f.Token}).want(200)
	want := map[string]string{"json": "application/json", "markdown": "text/markdown", "html": "text/html", "akn": "application/akn+xml"}[format]
	if ct := r.Header().Get("Content-Type"); !strings.HasPrefix(ct, want) || !strings.Contains(ct, "charset=utf-8") {
		d.t.Fatalf("format %s: Content-Type %q, want %s; charset=utf-8", format, ct, want)
	}
	return r.Body.String()
}

// draftDoc is the JSON rendering of a draft.
type draftDoc struct {
	Number    int
	Label     string
	CreatedBy string `json:"created_by"`
	Languages []string
	Clauses   []struct {
		ClauseID string `json:"clause_id"`
		Version  int
		Number   string
		Status   string
	}
	Sections []struct {
		ID      string
		Title   map[string]string
		Clauses []struct {
			ID, Number, Status string
			Version            int
			Bracketed          bool
			Text               map[string]string
		}
	}
}

func (d *drafter) draftJSON(gid string, n int) draftDoc {
	d.t.Helper()
	var doc draftDoc
	d.e.do(req{method: "GET", path: fmt.Sprintf("/api/v1/guidelines/%s/drafts/%d", gid, n), token: d.f.Token}).want(200).Decode(&doc)
	return doc
}

// aknDocument is the part of an Akoma Ntoso document the tests read.
type aknDocument struct {
	XMLName xml.Name `xml:"http://docs.oasis-open.org/legaldocml/ns/akn/3.0 akomaNtoso"`
	Doc     *struct {
		Name     string `xml:"name,attr"`
		Language struct {
			Code string `xml:"language,attr"`
		} `xml:"meta>identification>FRBRExpression>FRBRlanguage"`
		Preface *struct {
			Title string `xml:"p>docTitle"`
		} `xml:"preface"`
		MainBody *struct {
			Sections []struct {
				EID        string         `xml:"eId,attr"`
				Heading    string         `xml:"heading"`
				Paragraphs []aknParagraph `xml:"paragraph"`
			} `xml:"section"`
		} `xml:"mainBody"`
	} `xml:"doc"`
}

type aknParagraph struct {
	EID  string `xml:"eId,attr"`
	Num  string `xml:"num"`
	Text string `xml:"content>p"`
}

// parseAKN checks the Akoma Ntoso skeleton and returns paragraphs by eId.
func parseAKN(t *testing.T, body string) (aknDocument, map[string]aknParagraph) {
	t.Helper()
	var doc aknDocument
	if err := xml.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("AKN is not well-formed XML in the Akoma Ntoso namespace: %v\n%s", err, body)
	}
	if doc.Doc == nil || doc.Doc.Preface == nil || doc.Doc.MainBody == nil {
		t.Fatalf("AKN lacks akomaNtoso/doc/preface or mainBody:\n%s", body)
	}
	byEID := map[string]aknParagraph{}
	for _, s := range doc.Doc.MainBody.Sections {
		for _, p := range s.Paragraphs {
			if _, dup := byEID[p.EID]; dup || p.EID == "" {
				t.Fatalf("paragraph eId %q empty or repeated", p.EID)
			}
			byEID[p.EID] = p
		}
	}
	return doc, byEID
}

func TestDrafts(t *testing.T) {
	d := newDrafter(t)
	e, f := d.e, d.f
	gid := d.guideline("en", "es")
	s1 := d.section(gid, "I. Prevention", 0)
	s2 := d.section(gid, "II. Protection", 0)
	c1 := d.clause(gid, s1, map[string]string{"en": "States shall train consular staff.", "es": "Los Estados capacitarán al personal consular."})["id"].(string)
	c2 := d.clause(gid, s1, map[string]string{"en": "Victims shall be informed <script>alert('x')</script> & protected."})["id"].(string)
	c3 := d.clause(gid, s2, map[string]string{"en": "Consulates shall cooperate.", "es": "Los consulados cooperarán."})["id"].(string)

	t.Run("numbered_and_listed", func(t *testing.T) {
		d1 := d.draft(gid, "Draft after Session 1")
		if d1["number"] != float64(1) || d1["label"] != "Draft after Session 1" || d1["created_by"] != f.ID || d1["guideline_id"] != gid {
			t.Fatalf("draft 1: %v", d1)
		}
		var refs []map[string]any
		for _, c := range d1["clauses"].([]any) {
			c := c.(map[string]any)
			refs = append(refs, map[string]any{"id": c["clause_id"], "n": c["number"], "v": c["version"], "s": c["status"]})
		}
		want := []map[string]any{{"id": c1, "n": "1.1", "v": 1.0, "s": "draft"}, {"id": c2, "n": "1.2", "v": 1.0, "s": "draft"}, {"id": c3, "n": "2.1", "v": 1.0, "s": "draft"}}
		if diff := cmp.Diff(want, refs); diff != "" {
			t.Fatalf("draft 1 clauses (-want +got)\n%s", diff)
		}
		d.edit(c1, map[string]string{"en": "States shall train all consular staff.", "es": "Los Estados capacitarán a todo el personal consular."})
		if d2 := d.draft(gid, ""); d2["number"] != float64(2) || d2["label"] != "Draft 2" {
			t.Fatalf("draft 2: %v", d2)
		}
		if d3 := d.draft(gid, "  Draft after Session 2 "); d3["number"] != float64(3) || d3["label"] != "Draft after Session 2" {
			t.Fatalf("draft 3: %v", d3)
		}
		var list struct {
			Items []struct {
				Number  int
				Clauses []any
			}
			NextCursor *string `json:"next_cursor"`
		}
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts", token: f.Token}).want(200).Decode(&list)
		if len(list.Items) != 3 || list.Items[0].Number != 3 || list.Items[2].Number != 1 || list.NextCursor != nil {
			t.Fatalf("drafts list: %+v", list)
		}
		var seen []int
		path := "/api/v1/guidelines/" + gid + "/drafts?limit=1"
		for {
			list.NextCursor = nil
			e.do(req{method: "GET", path: path, token: f.Token}).want(200).Decode(&list)
			for _, x := range list.Items {
				seen = append(seen, x.Number)
			}
			if list.NextCursor == nil {
				break
			}
			path = "/api/v1/guidelines/" + gid + "/drafts?limit=1&cursor=" + url.QueryEscape(*list.NextCursor)
		}
		if diff := cmp.Diff([]int{3, 2, 1}, seen); diff != "" {
			t.Fatalf("paged drafts (-want +got)\n%s", diff)
		}
	})

	t.Run("immutable", func(t *testing.T) {
		// Changing a clause after a draft leaves that draft as it was.
		d.edit(c3, map[string]string{"en": "Consulates shall cooperate closely.", "es": "Los consulados cooperarán estrechamente."})
		one, two := d.draftJSON(gid, 1), d.draftJSON(gid, 2)
		if got := one.Sections[0].Clauses[0]; got.ID != c1 || got.Version != 1 || got.Text["en"] != "States shall train consular staff." {
			t.Fatalf("draft 1 clause 1.1: %+v", got)
		}
		if got := two.Sections[0].Clauses[0]; got.Version != 2 || got.Text["en"] != "States shall train all consular staff." {
			t.Fatalf("draft 2 clause 1.1: %+v", got)
		}
		if got := two.Sections[1].Clauses[0]; got.Version != 1 || got.Text["en"] != "Consulates shall cooperate." {
			t.Fatalf("draft 2 clause 2.1 changed after the draft: %+v", got)
		}
		if one.Number != 1 || one.Label != "Draft after Session 1" || one.CreatedBy != f.ID || len(one.Clauses) != 3 ||
			one.Sections[0].Title["en"] != "I. Prevention" || one.Sections[1].ID != s2 {
			t.Fatalf("draft 1 document: %+v", one)
		}
		if diff := cmp.Diff([]string{"en", "es"}, one.Languages); diff != "" {
			t.Fatalf("languages (-want +got)\n%s", diff)
		}
	})

	t.Run("renderings_bracket_every_clause_not_agreed", func(t *testing.T) {
		for _, c := range d.draftJSON(gid, 1).Sections[0].Clauses {
			if !c.Bracketed || c.Status != "draft" {
				t.Errorf("clause %s: bracketed %v status %s", c.Number, c.Bracketed, c.Status)
			}
		}
		md := d.rendering(gid, 1, "markdown", "")
		for _, line := range []string{
			`**1.1** \[States shall train consular staff.\]`,
			`**1.1** \[Los Estados capacitarán al personal consular.\]`,
			`**1.2** \[Victims shall be informed \<script\>alert('x')\</script\> \& protected.\]`,
			`**1.2** \[_(traducción pendiente)_\]`,
			`**2.1** \[Consulates shall cooperate.\]`,
			"# Regional guidelines", "## English", "## Español", "### I. Prevention", "Draft 1 — Draft after Session 1",
		} {
			if !strings.Contains(md, line) {
				t.Errorf("markdown lacks %q:\n%s", line, md)
			}
		}
		page := d.rendering(gid, 1, "html", "")
		if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, "</html>") {
			t.Errorf("not a standalone HTML page:\n%s", page)
		}
		if n := strings.Count(page, `<span class="bracketed">[`); n != 6 {
			t.Errorf("%d bracketed clauses in HTML, want 6 (3 clauses × 2 languages)", n)
		}
		if strings.Contains(page, "<script>") || !strings.Contains(page, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; protected.") {
			t.Errorf("clause text is not escaped in HTML:\n%s", page)
		}
		_, paras := parseAKN(t, d.rendering(gid, 1, "akn", ""))
		if len(paras) != 3 {
			t.Fatalf("%d AKN paragraphs, want 3", len(paras))
		}
		if p := paras["clause_"+c2]; p.Num != "1.2" || p.Text != "[Victims shall be informed <script>alert('x')</script> & protected.]" {
			t.Errorf("AKN paragraph of clause 1.2: %+v", p)
		}
	})

	t.Run("akn_one_expression_per_language", func(t *testing.T) {
		for lang, code := range map[string]string{"": "eng", "en": "eng", "es": "spa"} {
			doc, paras := parseAKN(t, d.rendering(gid, 2, "akn", lang))
			if doc.Doc.Language.Code != code || doc.Doc.Name != "guidelines" || !strings.HasPrefix(doc.Doc.Preface.Title, "Regional guidelines") {
				t.Errorf("lang %q: FRBRlanguage %q, doc name %q, title %q", lang, doc.Doc.Language.Code, doc.Doc.Name, doc.Doc.Preface.Title)
			}
			if lang == "es" && paras["clause_"+c1].Text != "[Los Estados capacitarán a todo el personal consular.]" {
				t.Errorf("Spanish AKN clause 1.1: %+v", paras["clause_"+c1])
			}
		}
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts/1?format=akn&lang=fr", token: f.Token}).wantProblem(422, "request.invalid_lang")
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts/1?format=pdf", token: f.Token}).wantProblem(422, "request.invalid_format")
	})

	t.Run("agreed_clause_without_brackets", func(t *testing.T) {
		// Reaching `agreed` takes the deliberation flow (positions, lock),
		// tested with deliberation; here only the rendering rule is under
		// test, so the status is set directly before taking the draft.
		if err := e.store.DB().Exec("UPDATE clauses SET status = 'agreed' WHERE id = ?", c3).Error; err != nil {
			t.Fatal(err)
		}
		n := int(d.draft(gid, "With one agreed clause")["number"].(float64))
		doc := d.draftJSON(gid, n)
		if c := doc.Sections[1].Clauses[0]; c.Bracketed || c.Status != "agreed" {
			t.Fatalf("agreed clause in JSON: %+v", c)
		}
		md := d.rendering(gid, n, "markdown", "")
		for _, line := range []string{"**2.1** Consulates shall cooperate closely.\n", "**2.1** Los consulados cooperarán estrechamente.\n", `**1.1** \[States shall train all`} {
			if !strings.Contains(md, line) {
				t.Errorf("markdown lacks %q:\n%s", line, md)
			}
		}
		if n := strings.Count(d.rendering(gid, n, "html", ""), `<span class="bracketed">[`); n != 4 {
			t.Errorf("%d bracketed clauses in HTML, want 4", n)
		}
		_, paras := parseAKN(t, d.rendering(gid, n, "akn", "es"))
		if p := paras["clause_"+c3]; p.Text != "Los consulados cooperarán estrechamente." {
			t.Errorf("agreed AKN paragraph: %+v", p)
		}
		// A draft records the status the clause had when it was taken.
		if !strings.Contains(d.rendering(gid, 2, "markdown", ""), `**2.1** \[Consulates shall cooperate.\]`) {
			t.Errorf("draft 2 lost its brackets")
		}
	})

	t.Run("akn_eid_is_stable_across_renumbering", func(t *testing.T) {
		d.section(gid, "Preamble", 1)
		n := int(d.draft(gid, "After a preamble")["number"].(float64))
		_, before := parseAKN(t, d.rendering(gid, 1, "akn", ""))
		_, after := parseAKN(t, d.rendering(gid, n, "akn", ""))
		for id, nums := range map[string][2]string{c1: {"1.1", "2.1"}, c2: {"1.2", "2.2"}, c3: {"2.1", "3.1"}} {
			eid := "clause_" + id
			if before[eid].Num != nums[0] || after[eid].Num != nums[1] {
				t.Errorf("clause %s: eId %s numbered %q then %q, want %q then %q", id, eid, before[eid].Num, after[eid].Num, nums[0], nums[1])
			}
		}
		if !regexp.MustCompile(`id="clause-` + c1 + `-en"`).MatchString(d.rendering(gid, n, "html", "")) {
			t.Errorf("HTML anchor of clause %s missing", c1)
		}
	})

	t.Run("invalid", func(t *testing.T) {
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts/99", token: f.Token}).wantProblem(404, "draft.not_found")
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts/0", token: f.Token}).wantProblem(422, "request.invalid_parameter")
		e.do(req{method: "GET", path: "/api/v1/guidelines/no-such-guideline/drafts/1", token: f.Token}).wantProblem(404, "guideline.not_found")
		e.do(req{method: "GET", path: "/api/v1/guidelines/no-such-guideline/drafts", token: f.Token}).wantProblem(404, "guideline.not_found")
		e.do(req{method: "POST", path: "/api/v1/guidelines/no-such-guideline/drafts", token: f.Token, body: map[string]any{}}).wantProblem(404, "guideline.not_found")
		r := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts", token: f.Token, body: map[string]any{"label": strings.Repeat("l", 301)}}).wantProblem(422, "draft.invalid")
		wantProblemFields(t, r, "label")
		e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts", token: f.Token, body: map[string]any{"number": 7}}).wantProblem(422, "request.unknown_field")
	})
}

func TestDraftDiff(t *testing.T) {
	d := newDrafter(t)
	e, f := d.e, d.f
	gid := d.guideline("en", "es")
	sid := d.section(gid, "I. Prevention", 0)
	a1 := map[string]string{"en": "States shall inform victims.", "es": "Los Estados informarán a las víctimas."}
	a2 := map[string]string{"en": "States shall promptly inform victims.", "es": "Los Estados informarán sin demora a las víctimas."}
	a := d.clause(gid, sid, a1)["id"].(string)
	b := d.clause(gid, sid, map[string]string{"en": "Consulates shall cooperate."})["id"].(string)
	d.draft(gid, "")
	d.edit(a, a2)
	c := d.clause(gid, sid, map[string]string{"en": "Victims come first."}, "number", "1.1")["id"].(string)
	d.draft(gid, "")

	type change struct {
		ClauseID    string  `json:"clause_id"`
		FromNumber  *string `json:"from_number"`
		ToNumber    *string `json:"to_number"`
		FromVersion *int    `json:"from_version"`
		ToVersion   *int    `json:"to_version"`
		Text        map[string]string
		Diff        map[string][]struct{ Op, Text string }
	}
	type diffDoc struct {
		From, To                       int
		Added, Removed, Moved, Changed []change
	}
	str := func(p *string) string {
		if p == nil {
			return "null"
		}
		return *p
	}
	num := func(p *int) string {
		if p == nil {
			return "null"
		}
		return fmt.Sprint(*p)
	}
	brief := func(cs []change) []string {
		out := []string{}
		for _, x := range cs {
			out = append(out, fmt.Sprintf("%s %s→%s v%s→v%s", x.ClauseID, str(x.FromNumber), str(x.ToNumber), num(x.FromVersion), num(x.ToVersion)))
		}
		return out
	}
	rebuild := func(ops []struct{ Op, Text string }) (string, string) {
		var from, to strings.Builder
		for _, op := range ops {
			if op.Op != "insert" {
				from.WriteString(op.Text)
			}
			if op.Op != "delete" {
				to.WriteString(op.Text)
			}
		}
		return from.String(), to.String()
	}

	t.Run("forward", func(t *testing.T) {
		var got diffDoc
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts/2/diff?against=1", token: f.Token}).want(200).Decode(&got)
		want := map[string][]string{
			"added":   {c + " null→1.1 vnull→v1"},
			"removed": {},
			"moved":   {a + " 1.1→1.2 v1→v2", b + " 1.2→1.3 v1→v1"},
			"changed": {a + " 1.1→1.2 v1→v2"},
		}
		gotBrief := map[string][]string{"added": brief(got.Added), "removed": brief(got.Removed), "moved": brief(got.Moved), "changed": brief(got.Changed)}
		if diff := cmp.Diff(want, gotBrief); diff != "" || got.From != 1 || got.To != 2 {
			t.Fatalf("from %d to %d; changes (-want +got)\n%s", got.From, got.To, diff)
		}
		if got.Added[0].Text["en"] != "Victims come first." {
			t.Errorf("added clause text: %v", got.Added[0].Text)
		}
		ch := got.Changed[0]
		if diff := cmp.Diff([]string{"en", "es"}, sortedMapKeys(ch.Diff)); diff != "" {
			t.Fatalf("changed clause has word diffs for (-want +got)\n%s", diff)
		}
		for _, lang := range []string{"en", "es"} {
			if from, to := rebuild(ch.Diff[lang]); from != a1[lang] || to != a2[lang] {
				t.Errorf("%s diff rebuilds %q → %q", lang, from, to)
			}
		}
		if ops := ch.Diff["en"]; len(ops) != 3 || ops[1].Op != "insert" || ops[1].Text != "promptly " {
			t.Errorf("en diff: %+v", ops)
		}
	})

	t.Run("backward", func(t *testing.T) {
		var got diffDoc
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts/1/diff?against=2", token: f.Token}).want(200).Decode(&got)
		if diff := cmp.Diff([]string{c + " 1.1→null v1→vnull"}, brief(got.Removed)); diff != "" || len(got.Added) != 0 {
			t.Fatalf("removed (-want +got)\n%s", diff)
		}
		if diff := cmp.Diff([]string{a + " 1.2→1.1 v2→v1"}, brief(got.Changed)); diff != "" {
			t.Fatalf("changed (-want +got)\n%s", diff)
		}
		if from, to := rebuild(got.Changed[0].Diff["es"]); from != a2["es"] || to != a1["es"] {
			t.Errorf("es diff rebuilds %q → %q", from, to)
		}
	})

	t.Run("same_draft", func(t *testing.T) {
		var got diffDoc
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts/2/diff?against=2", token: f.Token}).want(200).Decode(&got)
		if len(got.Added)+len(got.Removed)+len(got.Moved)+len(got.Changed) != 0 {
			t.Fatalf("a draft differs from itself: %+v", got)
		}
	})

	t.Run("invalid", func(t *testing.T) {
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts/2/diff", token: f.Token}).wantProblem(422, "request.invalid_parameter")
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts/2/diff?against=9", token: f.Token}).wantProblem(404, "draft.not_found")
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts/9/diff?against=1", token: f.Token}).wantProblem(404, "draft.not_found")
	})
}

// TestDraftingEvents: every change writes its event in its own transaction,
// with who, what and when.
func TestDraftingEvents(t *testing.T) {
	d := newDrafter(t)
	gid := d.guideline("en", "es")
	sid := d.section(gid, "I. Prevention", 0)
	cid := d.clause(gid, sid, map[string]string{"en": "States shall inform victims."})["id"].(string)
	_, etag := d.get(cid)
	d.e.clock.Advance(90 * time.Second)
	d.putText(cid, etag, map[string]string{"en": "States shall promptly inform victims."}, "after Session 1").want(200)
	d.putText(cid, etag, map[string]string{"en": "Refused: stale."}, "").wantProblem(412, "clause.version_stale")
	d.draft(gid, "Draft after Session 1")

	evs := d.events(gid)
	var types []string
	for i, ev := range evs {
		types = append(types, ev.Type)
		if i > 0 && ev.ID <= evs[i-1].ID {
			t.Errorf("event ids not increasing: %d after %d", ev.ID, evs[i-1].ID)
		}
		if ev.ActorID != d.f.ID || ev.GuidelineID != gid {
			t.Errorf("event %s: actor %q guideline %q", ev.Type, ev.ActorID, ev.GuidelineID)
		}
	}
	want := []string{drafting.EventGuidelineCreated, drafting.EventSectionCreated, drafting.EventClauseCreated, drafting.EventClauseTextChanged, drafting.EventDraftCreated}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Fatalf("event types (-want +got)\n%s", diff)
	}
	created, changed, draft := evs[2], evs[3], evs[4]
	if created.SubjectID != cid || created.Data["version"] != 1.0 || created.Data["number"] != "1.1" || created.Data["section_id"] != sid {
		t.Errorf("clause.created: %+v", created)
	}
	if !created.CreatedAt.Equal(d.e.clock.Now().Add(-90*time.Second)) || !changed.CreatedAt.Equal(d.e.clock.Now()) {
		t.Errorf("event times %v, %v; clock %v", created.CreatedAt, changed.CreatedAt, d.e.clock.Now())
	}
	if changed.SubjectID != cid || changed.Data["from_version"] != 1.0 || changed.Data["to_version"] != 2.0 || changed.Data["note"] != "after Session 1" {
		t.Errorf("clause.text_changed: %+v", changed)
	}
	if diff := cmp.Diff(map[string]any{"en": "States shall inform victims."}, changed.Data["before"]); diff != "" {
		t.Errorf("clause.text_changed before (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"en": "States shall promptly inform victims."}, changed.Data["after"]); diff != "" {
		t.Errorf("clause.text_changed after (-want +got)\n%s", diff)
	}
	wantClauses := []any{map[string]any{"clause_id": cid, "version": 2.0}}
	if draft.SubjectID != gid || draft.Data["number"] != 1.0 || draft.Data["label"] != "Draft after Session 1" {
		t.Errorf("draft.created: %+v", draft)
	}
	if diff := cmp.Diff(wantClauses, draft.Data["clauses"]); diff != "" {
		t.Errorf("draft.created clauses (-want +got)\n%s", diff)
	}
}
