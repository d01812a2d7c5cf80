package render

import (
	"bytes"
	"strings"
	"testing"
)

// Rendering must not depend on map iteration order or any other hidden
// state: the same document gives the same bytes, every time.
func TestRenderDeterministic(t *testing.T) {
	d := largeDocument()
	md, page := Markdown(d), HTML(d)
	akn := must(AkomaNtoso(d, "es"))
	for range 5 {
		if !bytes.Equal(md, Markdown(d)) {
			t.Fatal("Markdown differs between runs")
		}
		if !bytes.Equal(page, HTML(d)) {
			t.Fatal("HTML differs between runs")
		}
		if !bytes.Equal(akn, must(AkomaNtoso(d, "es"))) {
			t.Fatal("Akoma Ntoso differs between runs")
		}
	}
}

// Languages are rendered in the order given, not in any canonical order.
func TestRenderLanguageOrder(t *testing.T) {
	d := sampleDocument()
	d.Languages = []string{"es", "en"}
	md := string(Markdown(d))
	if strings.Index(md, "## Español") > strings.Index(md, "## English") {
		t.Error("Markdown ignores language order")
	}
	page := string(HTML(d))
	if !strings.Contains(page, `<html lang="es">`) || strings.Index(page, `<article lang="es">`) > strings.Index(page, `<article lang="en">`) {
		t.Error("HTML ignores language order")
	}
}

func TestRenderEmptyDocument(t *testing.T) {
	var d Document
	if len(Markdown(d)) == 0 || len(HTML(d)) == 0 {
		t.Error("empty output")
	}
	if _, err := AkomaNtoso(d, "en"); err == nil {
		t.Error("no languages, yet Akoma Ntoso accepted en")
	}
	d.Languages = []string{"en"}
	checkWellFormed(t, must(AkomaNtoso(d, "en")))
}

func TestClauseBracketed(t *testing.T) {
	for status, want := range map[string]bool{
		"draft": true, "open": true, "contested": true, "consensus": true, "silence": true, "agreed": false, "": true,
	} {
		if got := (Clause{Status: status}).Bracketed(); got != want {
			t.Errorf("status %q: Bracketed() = %v", status, got)
		}
	}
}

func FuzzRender(f *testing.F) {
	f.Add("Consulates shall <b>inform</b> & assist.")
	f.Add("# heading\n\n- [x](javascript:alert(1))\n<script>alert(1)</script>")
	f.Add("]]><!-- \x00 \xff")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		d := fuzzDocument(s)
		md := Markdown(d)
		page := HTML(d)
		for _, lang := range d.Languages {
			b, err := AkomaNtoso(d, lang)
			if err != nil {
				t.Fatal(err)
			}
			checkWellFormed(t, b)
		}

		// The fuzzed text may only ever add escaped characters: a document
		// with inert text instead must have exactly as many tags.
		inert := ""
		if strings.TrimSpace(s) != "" {
			inert = "x"
		}
		base := fuzzDocument(inert)
		if got, want := bytes.Count(page, []byte("<")), bytes.Count(HTML(base), []byte("<")); got != want {
			t.Errorf("HTML has %d '<', want %d: user text leaked markup\n%s", got, want, page)
		}
		if got, want := mdBlockStarts(md), mdBlockStarts(Markdown(base)); got != want {
			t.Errorf("Markdown has %d heading/footnote lines, want %d\n%s", got, want, md)
		}
	})
}

// fuzzDocument places s everywhere user text can appear.
func fuzzDocument(s string) Document {
	d := sampleDocument()
	d.Title = both(s)
	d.Label = s
	d.Sections[0].Title = both(s)
	d.Sections[1].Clauses[0].Text["en"] = s
	d.Sections[1].Clauses[0].Reservations = append(d.Sections[1].Clauses[0].Reservations, Reservation{Country: s, Text: s})
	d.Sections[0].Clauses[0].Text["es"] = s
	return d
}

// mdBlockStarts counts lines that open headings or footnote definitions,
// the structure user text must never add.
func mdBlockStarts(md []byte) int {
	n := 0
	for _, line := range bytes.Split(md, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("#")) || bytes.HasPrefix(line, []byte("[^")) {
			n++
		}
	}
	return n
}

// A language without labels is worded in English, and a title missing in a
// language falls back to the first language that has one.
func TestLabelsAndTitlesFallBack(t *testing.T) {
	d := sampleDocument()
	d.Languages = []string{"es", "pt"}
	d.Sections[0].Title = map[string]string{"es": "Ámbito"}
	b, err := AkomaNtoso(d, "pt")
	if err != nil {
		t.Fatal(err)
	}
	f := parseAKN(t, b)
	if p := f.Doc.Preface.P; p[0].DocTitle != d.Title["es"] || !strings.HasPrefix(p[1].Text, "Draft 3") {
		t.Errorf("preface %+v", p)
	}
	if got := f.Doc.MainBody.Sections[0].Heading; got != "Ámbito" {
		t.Errorf("heading %q, want the Spanish one", got)
	}
}
