package render

import (
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
)

// aknNamespace is the Akoma Ntoso 3.0 namespace archives validate against.
const aknNamespace = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"

// languages3 maps the two-letter codes the service uses to the ISO 639-2
// codes Akoma Ntoso requires in FRBRlanguage and expression URIs.
var languages3 = map[string]string{
	"en": "eng",
	"es": "spa",
	"fr": "fra",
	"pt": "por",
}

// language3 passes unknown codes through, made safe for use inside URIs.
func language3(code string) string {
	if c, ok := languages3[code]; ok {
		return c
	}
	return sanitizeID(code)
}

// AkomaNtoso renders one language expression (lang must be one of d.Languages, else error).
//
// Akoma Ntoso models each language as a separate expression of the same work,
// hence one XML document per language rather than one bilingual document.
func AkomaNtoso(d Document, lang string) ([]byte, error) {
	if !slices.Contains(d.Languages, lang) {
		return nil, fmt.Errorf("render: language %q is not one of the document languages %q", lang, d.Languages)
	}
	p := layoutPart(d, lang, clauseKeys(d))
	date := "0001-01-01"
	if !d.Date.IsZero() {
		date = isoDate(d)
	}
	slug := sanitizeID(d.Slug)
	if slug == "" {
		slug = sanitizeID(d.GuidelineID)
	}
	workURI := "/akn/int/doc/guidelines/" + date + "/" + slug
	exprURI := workURI + "/" + language3(lang) + "@" + date
	dateName := "draft"
	if d.Kind == "approved" {
		dateName = "adoption"
	}

	w := newXMLWriter()
	w.openName(xml.Name{Space: aknNamespace, Local: "akomaNtoso"}, nil)
	w.open("doc", "name", "guidelines")

	w.open("meta")
	w.open("identification", "source", "#consenso")
	w.open("FRBRWork")
	w.empty("FRBRthis", "value", workURI+"/!main")
	w.empty("FRBRuri", "value", workURI)
	w.empty("FRBRdate", "date", date, "name", dateName)
	w.empty("FRBRauthor", "href", "#rcm")
	w.empty("FRBRcountry", "value", "int")
	w.close()
	w.open("FRBRExpression")
	w.empty("FRBRthis", "value", exprURI+"/!main")
	w.empty("FRBRuri", "value", exprURI)
	w.empty("FRBRdate", "date", date, "name", dateName)
	w.empty("FRBRauthor", "href", "#rcm")
	w.empty("FRBRlanguage", "language", language3(lang))
	w.close()
	w.open("FRBRManifestation")
	w.empty("FRBRthis", "value", exprURI+"/!main.xml")
	w.empty("FRBRuri", "value", exprURI+".akn")
	w.empty("FRBRdate", "date", date, "name", "generation")
	w.empty("FRBRauthor", "href", "#consenso")
	w.close()
	w.close() // identification
	w.open("references", "source", "#consenso")
	w.empty("TLCOrganization", "eId", "rcm", "href", "/ontology/organization/int/rcm", "showAs", "Regional Conference on Migration")
	w.empty("TLCOrganization", "eId", "consenso", "href", "/ontology/organization/int/consenso", "showAs", "Consenso")
	w.close()
	w.close() // meta

	w.open("preface")
	w.openInline("p", "class", "title")
	w.leaf("docTitle", p.Title)
	w.closeInline()
	w.leaf("p", p.Status, "class", "status")
	w.close()

	w.open("mainBody")
	aknSections(w, p, p.Sections)
	if len(p.Annex) > 0 {
		// The implementation plan, adopted with the text as its annex.
		w.open("hcontainer", "name", "annex", "eId", "annex_plan")
		w.leaf("heading", p.AnnexTitle)
		aknSections(w, p, p.Annex)
		w.close()
	}
	w.close() // mainBody

	w.close() // doc
	w.close() // akomaNtoso
	return w.bytes()
}

// aknSections writes sections of clauses, each clause a paragraph whose
// labelled lines (an action's details, a draft's sources) follow its text.
func aknSections(w *xmlWriter, p part, sections []sectionPart) {
	for _, s := range sections {
		w.open("section", "eId", s.EID)
		w.leaf("heading", s.Title)
		for _, c := range s.Clauses {
			eid := "clause_" + c.Key
			w.open("paragraph", "eId", eid)
			w.leaf("num", c.Number)
			w.open("content")
			w.openInline("p")
			text := c.Text
			if c.Pending {
				text = p.Labels.Pending
			}
			if c.Bracketed {
				text = "[" + text + "]"
			}
			w.text(text)
			for _, n := range c.Notes {
				w.openInline("authorialNote",
					"marker", strconv.Itoa(n.N),
					"placement", "bottom",
					"eId", eid+"__note_"+strconv.Itoa(n.Index))
				w.leaf("p", n.Label)
				w.closeInline()
			}
			w.closeInline()
			for _, l := range c.Lines {
				w.leaf("p", l.Label+": "+l.Value, "class", "detail")
			}
			w.close() // content
			w.close() // paragraph
		}
		w.close() // section
	}
}
