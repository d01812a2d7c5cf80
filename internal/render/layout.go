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
	Lang     string // language code as given in Document.Languages
	IDLang   string // Lang made safe for use inside id attributes
	Name     string // display name of the language
	Sections []sectionPart
	Notes    []note // every reservation of the part, in footnote order
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
}

type note struct {
	N         int    // footnote number, restarting at 1 in every language part
	Index     int    // 1-based position within its clause, for ids that survive renumbering
	ClauseKey string // Key of the clause the reservation belongs to
	Label     string // "Reservation of NI: …"
}

// pendingText is shown where a translation has not been supplied yet.
const pendingText = "(translation pending)"

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
func statusLine(d Document) string {
	var parts []string
	if d.Kind == "approved" {
		parts = append(parts, "Approved version "+strconv.Itoa(d.Number))
		if !d.Date.IsZero() {
			parts = append(parts, "adopted "+isoDate(d))
		}
		if d.ContentHash != "" {
			parts = append(parts, d.ContentHash)
		}
	} else {
		parts = append(parts, "Draft "+strconv.Itoa(d.Number))
		if l := collapseSpace(d.Label); l != "" {
			parts = append(parts, l)
		}
		if !d.Date.IsZero() {
			parts = append(parts, isoDate(d))
		}
	}
	return strings.Join(parts, " — ")
}

func isoDate(d Document) string { return d.Date.UTC().Format("2006-01-02") }

// layoutPart resolves the document for one language. Clause keys are computed
// over the whole document, not per language, so every part agrees on them.
func layoutPart(d Document, lang string, keys [][]string) part {
	p := part{Lang: lang, IDLang: sanitizeID(lang), Name: languageName(lang)}
	n := 0
	for si, s := range d.Sections {
		sp := sectionPart{EID: "sec_" + strconv.Itoa(si+1), Title: collapseSpace(s.Title)}
		for ci, c := range s.Clauses {
			text, ok := c.Text[lang]
			text = strings.TrimSpace(text)
			cp := clausePart{
				Key:       keys[si][ci],
				Number:    collapseSpace(c.Number),
				Text:      text,
				Pending:   !ok || text == "",
				Bracketed: c.Bracketed(),
			}
			for ri, r := range c.Reservations {
				n++
				nt := note{
					N:         n,
					Index:     ri + 1,
					ClauseKey: cp.Key,
					Label:     fmt.Sprintf("Reservation of %s: %s", collapseSpace(r.Country), collapseSpace(r.Text)),
				}
				cp.Notes = append(cp.Notes, nt)
				p.Notes = append(p.Notes, nt)
			}
			sp.Clauses = append(sp.Clauses, cp)
		}
		p.Sections = append(p.Sections, sp)
	}
	return p
}

// clauseKeys derives one identifier per clause from its ID, never from its
// position, so anchors and Akoma Ntoso eIds keep pointing at the same clause
// across drafts. Collisions (only possible with malformed input) get a suffix
// rather than producing duplicate ids.
func clauseKeys(d Document) [][]string {
	seen := make(map[string]bool)
	keys := make([][]string, len(d.Sections))
	for si, s := range d.Sections {
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
