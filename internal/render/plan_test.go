package render

import (
	"encoding/xml"
	"strings"
	"testing"
)

// planDocument is the sample with a clause's sources and an annex of one
// action whose details carry markup a renderer must escape.
func planDocument() Document {
	d := sampleDocument()
	d.Sections[0].Clauses[0].Sources = []string{"HN, challenge (prevention)"}
	d.Annex = []Section{{ID: "s-9", Title: map[string]string{"en": "Plan", "es": "Plan"}, Clauses: []Clause{{
		ID: "a-1", Number: "3.1", Status: "open", Version: 2,
		Text: map[string]string{"en": "Train consular staff.", "es": "Capacitar al personal consular."},
		Action: &Action{Responsible: []string{"CR", "IOM"}, Timeframe: "<2013>",
			Indicators:   map[string]string{"en": "Staff *trained*", "es": "Personal capacitado"},
			Verification: map[string]string{"en": "Records"}, ClauseNumbers: []string{"1.1"}},
	}}}}
	return d
}

// TestAnnexAndSources: every format prints the plan after the text under
// the annex heading of its language, each action with its details, and a
// clause's sources as a note; user text stays escaped; a language missing
// from a detail falls back to the first language.
func TestAnnexAndSources(t *testing.T) {
	d := planDocument()
	md := string(Markdown(d))
	for _, want := range []string{
		"### Annex: Implementation plan\n\n#### Plan\n\n**3.1** \\[Train consular staff.\\]\n\n_Responsible:_ CR, IOM\n\n_Timeframe:_ \\<2013\\>\n\n_Indicators:_ Staff \\*trained\\*\n\n_Means of verification:_ Records\n\n_Carries out clauses:_ 1.1\n",
		"### Anexo: Plan de implementación", "_Medios de verificación:_ Records", "_Sources:_ HN, challenge (prevention)", "_Fuentes:_",
	} {
		if !strings.Contains(md, want) {
			t.Fatalf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Index(md, "Annex") < strings.Index(md, "Consular protection") {
		t.Fatal("the annex comes before the text")
	}
	html := string(HTML(d))
	for _, want := range []string{`<section class="annex">`, "<h3>Annex: Implementation plan</h3>", "<h4>Plan</h4>",
		`<p class="detail"><em>Timeframe:</em> &lt;2013&gt;</p>`, `<p class="detail"><em>Sources:</em> HN, challenge (prevention)</p>`} {
		if !strings.Contains(html, want) {
			t.Fatalf("html lacks %q:\n%s", want, html)
		}
	}
	akn, err := AkomaNtoso(d, "es")
	if err != nil {
		t.Fatal(err)
	}
	var anything struct{}
	if err := xml.Unmarshal(akn, &anything); err != nil {
		t.Fatalf("akn is not XML: %v", err)
	}
	for _, want := range []string{`<hcontainer name="annex" eId="annex_plan">`, "<heading>Anexo: Plan de implementación</heading>",
		`<p class="detail">Responsables: CR, IOM</p>`, `eId="clause_a-1"`} {
		if !strings.Contains(string(akn), want) {
			t.Fatalf("akn lacks %q:\n%s", want, akn)
		}
	}
	// Without annex or sources a document renders as it always did.
	plain := sampleDocument()
	if strings.Contains(string(Markdown(plain)), "Annex") || strings.Contains(string(HTML(plain)), "detail\"") {
		t.Fatal("a document without a plan shows an annex")
	}
}
