package render

import (
	"regexp"
	"strings"
	"testing"
)

func TestHTMLSample(t *testing.T) {
	got := string(HTML(sampleDocument()))
	for _, want := range []string{
		"<!DOCTYPE html>\n<html lang=\"en\">\n",
		`<meta charset="utf-8">`,
		"<title>Regional Guidelines on Consular Protection</title>",
		`<p class="status">Draft 3 — Draft after Session 3 — 2026-11-27</p>`,
		"<article lang=\"en\">\n<h2>English</h2>",
		"<article lang=\"es\">\n<h2>Español</h2>",
		"<section>\n<h3>Scope</h3>",
		`<p id="clause-c-1-en" class="clause"><strong>1.1</strong> These guidelines apply to victims of trafficking in persons.</p>`,
		`<p id="clause-c-2-en" class="clause"><strong>2.1</strong> <span class="bracketed">[Consulates shall promptly inform the victim of the available protection.]</span><sup><a href="#fn-en-1">1</a></sup></p>`,
		`<p id="clause-c-3-es" class="clause"><strong>2.2</strong> <em class="pending">(traducción pendiente)</em></p>`,
		"<h2>Español</h2>\n<p class=\"title\">Directrices Regionales de Protección Consular</p>",
		"<section>\n<h3>Ámbito</h3>",
		`aria-label="Volver a la cláusula"`,
		"<ol class=\"footnotes\">\n<li id=\"fn-en-1\">Reservation of NI: Subject to national legislation. ",
		`<li id="fn-es-1">`,
		"</article>\n</body>\n</html>\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, banned := range []string{"<script", "<link", "src=", "http://", "https://"} {
		if strings.Contains(got, banned) {
			t.Errorf("HTML must be standalone but contains %q", banned)
		}
	}
	if n := strings.Count(got, `<ol class="footnotes">`); n != 2 {
		t.Errorf("%d footnote lists, want one per language", n)
	}
}

// Brackets mark exactly the clauses that are not agreed.
func TestHTMLBrackets(t *testing.T) {
	got := string(HTML(sampleDocument()))
	clause := regexp.MustCompile(`<p id="clause-([^"]+)" class="clause">.*</p>`)
	bracketed := map[string]bool{"c-1": false, "c-2": true, "c-3": false}
	matches := clause.FindAllStringSubmatch(got, -1)
	if len(matches) != 6 {
		t.Fatalf("%d clause paragraphs, want 6", len(matches))
	}
	for _, m := range matches {
		id := m[1][:strings.LastIndex(m[1], "-")]
		if has := strings.Contains(m[0], `<span class="bracketed">[`); has != bracketed[id] {
			t.Errorf("clause %s bracketed=%v: %s", m[1], has, m[0])
		}
	}
}

func TestHTMLEscaping(t *testing.T) {
	d := sampleDocument()
	d.Title = both(`<img src=x onerror=alert(1)>`)
	d.Label = `"><script>alert(2)</script>`
	d.Languages = []string{`en"><script>alert(3)</script>`, "es"}
	d.Sections[0].Title = both("</h3><script>alert(4)</script>")
	d.Sections[0].Clauses[0].ID = `x" onclick="alert(5)`
	d.Sections[0].Clauses[0].Number = "<b>1</b>"
	d.Sections[0].Clauses[0].Text = map[string]string{"es": "<script>alert(1)</script>"}
	d.Sections[1].Clauses[0].Reservations[0].Text = "<iframe src=//evil>"
	got := string(HTML(d))
	for _, banned := range []string{"<script", "<img", "<iframe", "<b>", `onclick="`, "</h3><"} {
		if strings.Contains(got, banned) {
			t.Errorf("HTML contains injected %q", banned)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		"<title>&lt;img src=x onerror=alert(1)&gt;</title>",
		`id="clause-x__onclick__alert_5_-es"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}
