package httpapi_test

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBilingualTitles: guideline and section titles are maps per language,
// required in every language of the guideline and in no other; drafts and
// approved versions show them as maps (approved sections with their ids);
// each language's rendering uses its own titles and words.
func TestBilingualTitles(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	f := e.mustUser(admin, "facilitator", "", false)
	gTitle := map[string]string{"en": "Regional Guidelines on Consular Protection", "es": "Lineamientos Regionales de Protección Consular"}
	g := e.do(req{method: "POST", path: "/api/v1/guidelines", token: f.Token, body: map[string]any{
		"title": gTitle, "languages": []string{"es", "en"}, "participants": []string{"BZ", "CR"}}}).want(201).JSON()
	gid := g["id"].(string)
	if g["slug"] != "lineamientos-regionales-de-proteccion-consular" {
		t.Fatalf("slug %v: derived from the first language's title", g["slug"])
	}
	if diff := cmp.Diff(map[string]any{"en": gTitle["en"], "es": gTitle["es"]}, g["title"]); diff != "" {
		t.Fatalf("title (-want +got)\n%s", diff)
	}
	sTitle := map[string]string{"en": "I. Prevention", "es": "I. Prevención"}
	sec := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/sections", token: f.Token, body: map[string]any{"title": sTitle}}).want(201).JSON()
	sid := sec["id"].(string)
	g = e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid, token: f.Token}).want(200).JSON() // a section bumps its etag

	t.Run("refused_titles_change_nothing", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			title map[string]string
			field string
		}{
			{"missing_language", map[string]string{"en": "Only English"}, "title.es"},
			{"other_language", map[string]string{"en": "A", "es": "B", "fr": "C"}, "title.fr"},
			{"blank_language", map[string]string{"en": "A", "es": " \u200b "}, "title.es"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do(req{method: "PATCH", path: "/api/v1/guidelines/" + gid, token: f.Token, body: map[string]any{"title": tc.title}}).wantProblem(422, "guideline.invalid")
				wantProblemFields(t, r, tc.field)
				r = e.do(req{method: "PATCH", path: "/api/v1/sections/" + sid, token: f.Token, body: map[string]any{"title": tc.title}}).wantProblem(422, "section.invalid")
				wantProblemFields(t, r, tc.field)
				r = e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/sections", token: f.Token, body: map[string]any{"title": tc.title}}).wantProblem(422, "section.invalid")
				wantProblemFields(t, r, tc.field)
			})
		}
		e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/sections", token: f.Token, body: map[string]any{"title": "I. Prevention"}}).wantProblem(422, "request.invalid_type")
		got := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid, token: f.Token}).want(200).JSON()
		if diff := cmp.Diff(g, got); diff != "" {
			t.Fatalf("guideline changed (-before +after)\n%s", diff)
		}
		secs := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/sections", token: f.Token}).want(200).JSON()["items"].([]any)
		if diff := cmp.Diff([]any{sec}, secs); diff != "" {
			t.Fatalf("sections changed (-before +after)\n%s", diff)
		}
	})

	t.Run("drafts_approved_and_renderings", func(t *testing.T) {
		for _, text := range []map[string]string{
			{"en": "States shall train consular staff.", "es": "Los Estados capacitarán al personal consular."},
			{"en": "Victims shall be informed of their rights."},
		} {
			e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", token: f.Token, body: map[string]any{"section_id": sid, "text": text}}).want(201)
		}
		e.mustForceAgreed(gid)
		e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts", token: f.Token, body: map[string]any{"label": "Final"}}).want(201)
		want := map[string]any{"en": sTitle["en"], "es": sTitle["es"]}
		dj := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts/1", token: f.Token}).want(200).JSON()
		if diff := cmp.Diff(g["title"], dj["title"]); diff != "" {
			t.Errorf("draft title (-want +got)\n%s", diff)
		}
		if diff := cmp.Diff(want, dj["sections"].([]any)[0].(map[string]any)["title"]); diff != "" {
			t.Errorf("draft section title (-want +got)\n%s", diff)
		}
		e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts/1/adopt", token: f.Token}).want(201)
		a := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/approved", token: f.Token}).want(200).JSON()
		s0 := a["sections"].([]any)[0].(map[string]any)
		if s0["id"] != sid {
			t.Errorf("approved section id %v, want %s", s0["id"], sid)
		}
		if diff := cmp.Diff(want, s0["title"]); diff != "" {
			t.Errorf("approved section title (-want +got)\n%s", diff)
		}
		if diff := cmp.Diff(g["title"], a["title"]); diff != "" {
			t.Errorf("approved title (-want +got)\n%s", diff)
		}

		md := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/approved?format=markdown", token: f.Token}).want(200).Body.String()
		for _, line := range []string{"# Lineamientos Regionales de Protección Consular\n", "Versión aprobada 1 — adoptada el ",
			"## English\n\n**Regional Guidelines on Consular Protection**\n", "### I. Prevención\n", "### I. Prevention\n",
			"_(traducción pendiente)_"} {
			if !strings.Contains(md, line) {
				t.Errorf("markdown lacks %q:\n%s", line, md)
			}
		}
		for lang, w := range map[string][3]string{
			"es": {gTitle["es"], sTitle["es"], "Versión aprobada 1"},
			"en": {gTitle["en"], sTitle["en"], "Approved version 1"},
		} {
			body := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/approved?format=akn&lang=" + lang, token: f.Token}).want(200).Body.Bytes()
			var doc struct {
				Preface []struct {
					DocTitle string `xml:"docTitle"`
					Text     string `xml:",chardata"`
				} `xml:"doc>preface>p"`
				Heading string `xml:"doc>mainBody>section>heading"`
			}
			if err := xml.Unmarshal(body, &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Preface) != 2 || doc.Preface[0].DocTitle != w[0] || doc.Heading != w[1] || !strings.HasPrefix(doc.Preface[1].Text, w[2]) {
				t.Errorf("akn %s: preface %+v heading %q", lang, doc.Preface, doc.Heading)
			}
		}
	})
}

// TestAdoptionOfPartOfTheText: adopting a draft that misses clauses (one
// chapter first) records an approved version and leaves the guideline
// drafting; a draft with every clause makes it adopted.
func TestAdoptionOfPartOfTheText(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	f := e.mustUser(admin, "facilitator", "", false)
	gid, _ := publishedFixture(t, e, f, true) // chapter I, agreed, in draft 1
	sec2 := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/sections", token: f.Token, body: map[string]any{"title": titled("II. Identification")}}).want(201).JSON()
	e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", token: f.Token,
		body: map[string]any{"section_id": sec2["id"], "text": map[string]string{"en": "Officials shall identify victims."}}}).want(201)

	status := func() string {
		return e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid, token: f.Token}).want(200).JSON()["status"].(string)
	}
	adopted := func() map[string]any {
		evs := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/events", token: f.Token}).want(200).JSON()["items"].([]any)
		var last map[string]any
		for _, ev := range evs {
			if ev := ev.(map[string]any); ev["type"] == "guideline.adopted" {
				last = ev["data"].(map[string]any)
			}
		}
		return last
	}

	e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts/1/adopt", token: f.Token}).want(201)
	if s := status(); s != "drafting" {
		t.Fatalf("after adopting chapter I alone: status %q, want drafting", s)
	}
	if ev := adopted(); ev["version"] != float64(1) || ev["complete"] != false {
		t.Fatalf("guideline.adopted data %v", ev)
	}
	a := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/approved/1", token: f.Token}).want(200).JSON()
	if n := len(a["sections"].([]any)); n != 1 {
		t.Fatalf("approved version 1 holds %d sections, want chapter I only", n)
	}
	// The guideline still changes while it is drafted.
	e.do(req{method: "PATCH", path: "/api/v1/guidelines/" + gid, token: f.Token, body: map[string]any{"title": titled("Regional guidelines, chapters I and II")}}).want(200)

	e.mustForceAgreed(gid)
	e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts", token: f.Token, body: map[string]any{"label": "Whole text"}}).want(201)
	e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts/2/adopt", token: f.Token}).want(201)
	if s := status(); s != "adopted" {
		t.Fatalf("after adopting every clause: status %q, want adopted", s)
	}
	if ev := adopted(); ev["version"] != float64(2) || ev["complete"] != true {
		t.Fatalf("guideline.adopted data %v", ev)
	}
}
