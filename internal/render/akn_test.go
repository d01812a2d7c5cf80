package render

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// aknFile mirrors the parts of the Akoma Ntoso output the tests inspect.
type aknFile struct {
	XMLName xml.Name `xml:"http://docs.oasis-open.org/legaldocml/ns/akn/3.0 akomaNtoso"`
	Doc     struct {
		Name string `xml:"name,attr"`
		Meta struct {
			Work struct {
				This   aknValue `xml:"FRBRthis"`
				Date   aknValue `xml:"FRBRdate"`
				Author aknValue `xml:"FRBRauthor"`
			} `xml:"identification>FRBRWork"`
			Expression struct {
				This     aknValue `xml:"FRBRthis"`
				Language aknValue `xml:"FRBRlanguage"`
			} `xml:"identification>FRBRExpression"`
			Organizations []struct {
				EID    string `xml:"eId,attr"`
				ShowAs string `xml:"showAs,attr"`
			} `xml:"references>TLCOrganization"`
		} `xml:"meta"`
		Preface *struct {
			P []struct {
				Class    string `xml:"class,attr"`
				DocTitle string `xml:"docTitle"`
				Text     string `xml:",chardata"`
			} `xml:"p"`
		} `xml:"preface"`
		MainBody *struct {
			Sections []struct {
				EID        string `xml:"eId,attr"`
				Heading    string `xml:"heading"`
				Paragraphs []struct {
					EID     string `xml:"eId,attr"`
					Num     string `xml:"num"`
					Content struct {
						P struct {
							Text  string `xml:",chardata"`
							Notes []struct {
								Marker string `xml:"marker,attr"`
								EID    string `xml:"eId,attr"`
								P      string `xml:"p"`
							} `xml:"authorialNote"`
						} `xml:"p"`
					} `xml:"content"`
				} `xml:"paragraph"`
			} `xml:"section"`
		} `xml:"mainBody"`
	} `xml:"doc"`
}

type aknValue struct {
	Value    string `xml:"value,attr"`
	Date     string `xml:"date,attr"`
	Name     string `xml:"name,attr"`
	Href     string `xml:"href,attr"`
	Language string `xml:"language,attr"`
}

func parseAKN(t *testing.T, b []byte) aknFile {
	t.Helper()
	var f aknFile
	if err := xml.Unmarshal(b, &f); err != nil {
		t.Fatalf("output is not the expected XML: %v\n%s", err, b)
	}
	return f
}

func TestAkomaNtosoSample(t *testing.T) {
	d := sampleDocument()
	for _, tc := range []struct{ lang, lang3, first, status, note, pending, heading string }{
		{"en", "eng", "These guidelines apply", "Draft 3 — Draft after Session 3 — 2026-11-27",
			"Reservation of NI: Subject to national legislation.", "(translation pending)", "Scope"},
		{"es", "spa", "Estas directrices se aplican", "Borrador 3 — Draft after Session 3 — 2026-11-27",
			"Reserva de NI: Subject to national legislation.", "(traducción pendiente)", "Ámbito"},
	} {
		b, err := AkomaNtoso(d, tc.lang)
		if err != nil {
			t.Fatal(err)
		}
		f := parseAKN(t, b)
		doc := f.Doc
		if doc.Name != "guidelines" {
			t.Errorf("doc name %q", doc.Name)
		}
		if doc.Preface == nil || doc.MainBody == nil {
			t.Fatalf("missing akomaNtoso/doc/preface or akomaNtoso/doc/mainBody")
		}
		if got := doc.Meta.Work.This.Value; got != "/akn/int/doc/guidelines/2026-11-27/consular-protection/!main" {
			t.Errorf("work FRBRthis %q", got)
		}
		if doc.Meta.Work.Date.Date != "2026-11-27" || doc.Meta.Work.Author.Href != "#rcm" {
			t.Errorf("work date/author %+v %+v", doc.Meta.Work.Date, doc.Meta.Work.Author)
		}
		if got := doc.Meta.Expression.Language.Language; got != tc.lang3 {
			t.Errorf("FRBRlanguage %q, want %q", got, tc.lang3)
		}
		if want := "/" + tc.lang3 + "@2026-11-27/!main"; !strings.HasSuffix(doc.Meta.Expression.This.Value, want) {
			t.Errorf("expression FRBRthis %q lacks %q", doc.Meta.Expression.This.Value, want)
		}
		if len(doc.Meta.Organizations) != 2 || doc.Meta.Organizations[0].EID != "rcm" ||
			doc.Meta.Organizations[0].ShowAs != "Regional Conference on Migration" {
			t.Errorf("references %+v", doc.Meta.Organizations)
		}
		if p := doc.Preface.P; len(p) != 2 || p[0].Class != "title" || p[0].DocTitle != d.Title[tc.lang] ||
			p[1].Class != "status" || p[1].Text != tc.status {
			t.Errorf("preface %+v", p)
		}

		seen := map[string]bool{}
		var paragraphs int
		for si, s := range doc.MainBody.Sections {
			if want := "sec_" + string(rune('1'+si)); s.EID != want {
				t.Errorf("section eId %q, want %q", s.EID, want)
			}
			for _, p := range s.Paragraphs {
				paragraphs++
				if seen[p.EID] {
					t.Errorf("duplicate eId %q", p.EID)
				}
				seen[p.EID] = true
				text := p.Content.P.Text
				bracketed := strings.HasPrefix(text, "[") && strings.HasSuffix(text, "]")
				if bracketed != (p.EID == "clause_c-2") {
					t.Errorf("%s (%s): bracketed=%v text %q", p.EID, tc.lang, bracketed, text)
				}
			}
		}
		if paragraphs != 3 {
			t.Errorf("%d paragraphs, want one per clause (3)", paragraphs)
		}
		secs := doc.MainBody.Sections
		if secs[0].Heading != tc.heading {
			t.Errorf("heading %q in %s, want %q", secs[0].Heading, tc.lang, tc.heading)
		}
		if got := secs[0].Paragraphs[0].Content.P.Text; !strings.HasPrefix(got, tc.first) {
			t.Errorf("first clause %q", got)
		}
		notes := secs[1].Paragraphs[0].Content.P.Notes
		if len(notes) != 1 || notes[0].Marker != "1" || notes[0].EID != "clause_c-2__note_1" ||
			notes[0].P != tc.note {
			t.Errorf("authorialNote %+v", notes)
		}
		wantPending := tc.lang == "es"
		if got := secs[1].Paragraphs[1].Content.P.Text; (got == tc.pending) != wantPending {
			t.Errorf("clause 2.2 in %s: %q", tc.lang, got)
		}
	}
}

func TestAkomaNtosoUnknownLanguage(t *testing.T) {
	for _, lang := range []string{"fr", "", "EN"} {
		if b, err := AkomaNtoso(sampleDocument(), lang); err == nil {
			t.Errorf("language %q: no error, output %d bytes", lang, len(b))
		}
	}
}

// eIds come from clause IDs, so inserting or moving clauses leaves the eIds
// of the others untouched.
func TestAkomaNtosoStableEIDs(t *testing.T) {
	d := sampleDocument()
	before := parseAKN(t, must(AkomaNtoso(d, "en")))
	d.Sections[1].Clauses = append([]Clause{{ID: "new/1", Number: "2.0", Status: "draft"}}, d.Sections[1].Clauses...)
	d.Sections[0], d.Sections[1] = d.Sections[1], d.Sections[0]
	after := parseAKN(t, must(AkomaNtoso(d, "en")))
	ids := func(f aknFile) map[string]string {
		m := map[string]string{}
		for _, s := range f.Doc.MainBody.Sections {
			for _, p := range s.Paragraphs {
				m[p.Num] = p.EID
			}
		}
		return m
	}
	b, a := ids(before), ids(after)
	for num, eid := range b {
		if a[num] != eid {
			t.Errorf("clause %s: eId %q became %q", num, eid, a[num])
		}
	}
	if a["2.0"] != "clause_new_1" {
		t.Errorf("sanitized eId %q", a["2.0"])
	}
}

func TestAkomaNtosoEscaping(t *testing.T) {
	d := sampleDocument()
	d.Title = both(`A & B <"quoted"> ]]>`)
	d.Slug = `../x y"`
	d.Sections[0].Title = both("</heading><evil/>")
	d.Sections[0].Clauses[0].Text["en"] = "x < y && z > w\x00\x1b\xff"
	b, err := AkomaNtoso(d, "en")
	if err != nil {
		t.Fatal(err)
	}
	f := parseAKN(t, b)
	if got := f.Doc.Preface.P[0].DocTitle; got != d.Title["en"] {
		t.Errorf("title round trip %q", got)
	}
	if got := f.Doc.MainBody.Sections[0].Heading; got != "</heading><evil/>" {
		t.Errorf("heading %q", got)
	}
	if got := f.Doc.Meta.Work.This.Value; strings.ContainsAny(got, ` "`) || strings.Contains(got, "..") {
		t.Errorf("slug not sanitized in %q", got)
	}
	if bytes.Contains(b, []byte("<evil")) {
		t.Error("injected element")
	}
}

// checkWellFormed reads the whole document token by token.
func checkWellFormed(t *testing.T, b []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := dec.Token(); err == io.EOF {
			return
		} else if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, b)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
