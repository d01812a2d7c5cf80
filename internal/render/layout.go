package render

import (
	"fmt"
	"strconv"
	"strings"
)

// part is one language expression of a document, resolved once into what all
// formats print, so Markdown, HTML and Akoma Ntoso cannot drift apart on
// brackets, footnote numbers or pending translations.
type part struct {
	Lang       string // language code as given in Document.Languages
	IDLang     string // Lang made safe for use inside id attributes
	Name       string // display name of the language
	Title      string // the document's title in this language
	Status     string // statusLine in this language
	Labels     labels // the fixed words of this language
	Sections   []sectionPart
	Annex      []sectionPart // the implementation plan, after the text
	AnnexTitle string        // its heading in this language
	Notes      []note        // every reservation of the part, in footnote order
}

type sectionPart struct {
	EID     string // "sec_<n>", positional: sections carry no stable identity
	Title   string
	Clauses []clausePart
}

type clausePart struct {
	Key       string // stable identifier derived from Clause.ID
	Number    string
	Text      string // trimmed text; empty when Pending
	Pending   bool   // translation missing for this language
	Bracketed bool
	Notes     []note
	// Lines are labelled lines printed under the clause: an action's
	// details, a draft clause's sources ("Responsible: CR, HN").
	Lines []line
}

type note struct {
	N         int    // footnote number, restarting at 1 in every language part
	Index     int    // 1-based position within its clause, for ids that survive renumbering
	ClauseKey string // Key of the clause the reservation belongs to
	Label     string // "Reservation of NI: …"
}

// labels are the fixed words a rendering prints around the negotiated
// text, in the language of the part they appear in.
type labels struct {
	Pending         string // where a translation has not been supplied yet
	Reservation     string // footnote: "Reservation of %s: %s" (country, text)
	AdReferendum    string // footnote: "Agreed ad referendum by %s" (country)
	Unaligned       string // footnote of a text pending alignment
	Draft           string // "Draft %d"
	ApprovedVersion string // "Approved version %d"
	Adopted         string // "adopted %s" (ISO date)
	BackToClause    string // footnote link back to its clause (accessible name)
	ViewAccepted    string // status line of a draft read as if every open amendment were accepted
	ViewRejected    string // … rejected
}

// labelTable holds the labels of every working language; a language not in
// it is labelled in English.
var labelTable = map[string]labels{
	"en": {
		Pending:         "(translation pending)",
		Reservation:     "Reservation of %s: %s",
		AdReferendum:    "Agreed ad referendum by %s",
		Unaligned:       "Alignment pending: this text may not yet say what the other language versions say",
		Draft:           "Draft %d",
		ApprovedVersion: "Approved version %d",
		Adopted:         "adopted %s",
		BackToClause:    "Back to clause",
		ViewAccepted:    "as if every open amendment were accepted",
		ViewRejected:    "as if every open amendment were rejected",
	},
	"es": {
		Pending:         "(traducción pendiente)",
		Reservation:     "Reserva de %s: %s",
		AdReferendum:    "Aprobado ad referéndum por %s",
		Unaligned:       "Alineación pendiente: este texto puede no decir aún lo mismo que las demás versiones lingüísticas",
		Draft:           "Borrador %d",
		ApprovedVersion: "Versión aprobada %d",
		Adopted:         "adoptada el %s",
		BackToClause:    "Volver a la cláusula",
		ViewAccepted:    "como si se aceptaran todas las enmiendas abiertas",
		ViewRejected:    "como si se rechazaran todas las enmiendas abiertas",
	},
}

func labelsFor(lang string) labels {
	if l, ok := labelTable[lang]; ok {
		return l
	}
	return labelTable["en"]
}

// languageNames holds the names delegations expect to see as part headings;
// each language is named in itself.
var languageNames = map[string]string{
	"en": "English",
	"es": "Español",
}

func languageName(code string) string {
	if n, ok := languageNames[code]; ok {
		return n
	}
	return code
}

// statusLine identifies what the reader holds, because a draft and an adopted
// text must never be mistaken for one another once printed.
func statusLine(d Document, l labels) string {
	var parts []string
	if d.Kind == "approved" {
		parts = append(parts, fmt.Sprintf(l.ApprovedVersion, d.Number))
		if !d.Date.IsZero() {
			parts = append(parts, fmt.Sprintf(l.Adopted, isoDate(d)))
		}
		if d.ContentHash != "" {
			parts = append(parts, d.ContentHash)
		}
	} else {
		parts = append(parts, fmt.Sprintf(l.Draft, d.Number))
		if l := collapseSpace(d.Label); l != "" {
			parts = append(parts, l)
		}
		if !d.Date.IsZero() {
			parts = append(parts, isoDate(d))
		}
		switch d.View {
		case "accepted":
			parts = append(parts, l.ViewAccepted)
		case "rejected":
			parts = append(parts, l.ViewRejected)
		}
	}
	return strings.Join(parts, " — ")
}

func isoDate(d Document) string { return d.Date.UTC().Format("2006-01-02") }

// layoutPart resolves the document for one language. Clause keys are computed
// over the whole document, not per language, so every part agrees on them.
func layoutPart(d Document, lang string, keys [][]string) part {
	l := labelsFor(lang)
	p := part{Lang: lang, IDLang: sanitizeID(lang), Name: languageName(lang), Labels: l,
		Title: collapseSpace(titleIn(d.Title, lang, d.Languages)), Status: statusLine(d, l), AnnexTitle: annexHeading(lang)}
	n := 0
	sections := append(append([]Section{}, d.Sections...), d.Annex...)
	for si, s := range sections {
		sp := sectionPart{EID: "sec_" + strconv.Itoa(si+1), Title: collapseSpace(titleIn(s.Title, lang, d.Languages))}
		for ci, c := range s.Clauses {
			text, ok := c.Text[lang]
			text = strings.TrimSpace(text)
			cp := clausePart{
				Key:       keys[si][ci],
				Number:    collapseSpace(c.Number),
				Text:      text,
				Pending:   !ok || text == "",
				Bracketed: c.Bracketed() && !c.Alternatives,
			}
			for ri, r := range c.Reservations {
				n++
				nt := note{
					N:         n,
					Index:     ri + 1,
					ClauseKey: cp.Key,
					Label:     fmt.Sprintf(l.Reservation, collapseSpace(r.Country), collapseSpace(r.Text)),
				}
				cp.Notes = append(cp.Notes, nt)
				p.Notes = append(p.Notes, nt)
			}
			for ai, country := range c.AdReferendum {
				n++
				nt := note{N: n, Index: len(c.Reservations) + ai + 1, ClauseKey: cp.Key,
					Label: fmt.Sprintf(l.AdReferendum, collapseSpace(country))}
				cp.Notes = append(cp.Notes, nt)
				p.Notes = append(p.Notes, nt)
			}
			for _, u := range c.Unaligned {
				if u == lang && !cp.Pending {
					n++
					nt := note{N: n, Index: len(c.Reservations) + len(c.AdReferendum) + 1, ClauseKey: cp.Key, Label: l.Unaligned}
					cp.Notes = append(cp.Notes, nt)
					p.Notes = append(p.Notes, nt)
				}
			}
			cp.Lines = clauseLines(c, lang, d.Languages)
			sp.Clauses = append(sp.Clauses, cp)
		}
		if si < len(d.Sections) {
			p.Sections = append(p.Sections, sp)
		} else {
			p.Annex = append(p.Annex, sp)
		}
	}
	return p
}

// clauseKeys derives one identifier per clause from its ID, never from its
// position, so anchors and Akoma Ntoso eIds keep pointing at the same clause
// across drafts. Collisions (only possible with malformed input) get a suffix
// rather than producing duplicate ids.
func clauseKeys(d Document) [][]string {
	seen := make(map[string]bool)
	sections := append(append([]Section{}, d.Sections...), d.Annex...)
	keys := make([][]string, len(sections))
	for si, s := range sections {
		keys[si] = make([]string, len(s.Clauses))
		for ci, c := range s.Clauses {
			base := c.ID
			if base == "" {
				base = "n" + c.Number
			}
			base = sanitizeID(base)
			key := base
			for i := 2; seen[key]; i++ {
				key = base + "_" + strconv.Itoa(i)
			}
			seen[key] = true
			keys[si][ci] = key
		}
	}
	return keys
}

// sanitizeID keeps ids valid in HTML, URLs and XML alike by replacing
// anything outside [A-Za-z0-9_-].
func sanitizeID(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// collapseSpace flattens text that must stay on one line (headings, footnotes)
// so a stray newline cannot end the line early and start new markup.
func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }
