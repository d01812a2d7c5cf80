package render

import "time"

// Document is a frozen guideline text ready to render: a numbered draft or an approved version.
//
// It is deliberately a plain value detached from storage so that rendering can
// never observe a clause changing halfway through a document.
type Document struct {
	GuidelineID string
	Title       map[string]string // language -> title; a missing language falls back to the first of Languages that has one
	Slug        string
	Languages   []string  // e.g. ["en","es"], order = display order
	Kind        string    // "draft" or "approved"
	Number      int       // draft number, or approved version number
	Label       string    // draft label, e.g. "Draft after Session 3" (may be empty)
	Date        time.Time // draft created_at, or adopted_at (UTC)
	ContentHash string    // approved only: "sha256:<hex>"; empty for drafts
	// View says how a draft is read: "" as it is, "accepted" as if every
	// open amendment were accepted, "rejected" as if every one were.
	View     string
	Sections []Section
	// Annex holds the sections of the implementation plan, rendered after
	// the text under an annex heading; its clauses carry an Action.
	Annex []Section
}

// Section groups clauses under a heading; sections keep the order in which
// the guideline is read, which is why they are a slice and not a map.
type Section struct {
	ID      string
	Title   map[string]string // language -> heading, with the same fallback as Document.Title
	Clauses []Clause
}

// Clause is one negotiated paragraph as it stood when the document was frozen.
type Clause struct {
	ID           string
	Number       string            // "3.2"
	Status       string            // clause status at the time of the draft
	Version      int               // clause version number
	Text         map[string]string // language -> text; a language may be missing (translation pending)
	Reservations []Reservation
	// AdReferendum lists the countries whose agreement with this version
	// awaits their capital's confirmation; each is a footnote.
	AdReferendum []string
	// Amended is set when Text is not the clause's version but what open
	// amendments propose (a draft read as if they were accepted): such
	// text is never agreed. Alternatives is set when Text holds several
	// proposals as bracketed alternatives ("[Alt. A: …] [Alt. B: …]"),
	// which carry their own brackets.
	Amended      bool
	Alternatives bool
	// Unaligned lists the languages whose text awaits alignment with the
	// last change made in another: each such language part notes it.
	Unaligned []string
	// Action is set on the clauses of the Annex: an action's details.
	Action *Action
	// Sources are notes naming the national inputs a clause answers
	// ("HN, challenge (prevention)"): drafts show them, approved text never.
	Sources []string
}

// Action is what an action of the implementation plan says besides its text.
type Action struct {
	Responsible   []string
	Timeframe     string
	Indicators    map[string]string // language -> text
	Verification  map[string]string // language -> text (means of verification)
	ClauseNumbers []string          // the clauses of the text the action carries out
}

// Reservation records a country that accepts a clause only with a stated
// reservation; it travels with the clause because it qualifies that text.
type Reservation struct {
	Country string // ISO 3166-1 alpha-2, e.g. "NI"
	Text    string
}

// statusAgreed is the only status that lifts the brackets: negotiators read
// anything else, consensus included, as still open to change.
const statusAgreed = "agreed"

// Bracketed reports whether a clause must be shown in [square brackets] (status != "agreed").
func (c Clause) Bracketed() bool { return c.Status != statusAgreed || c.Amended }

// titleIn is t in lang, or else in the first of order that has one, or else
// in any language (the smallest code, so the choice is stable).
func titleIn(t map[string]string, lang string, order []string) string {
	if s := t[lang]; s != "" {
		return s
	}
	for _, l := range order {
		if s := t[l]; s != "" {
			return s
		}
	}
	best := ""
	for l, s := range t {
		if s != "" && (best == "" || l < best) {
			best = l
		}
	}
	return t[best]
}

// firstLanguage is the language a document is headed in: its first.
func firstLanguage(d Document) string {
	if len(d.Languages) > 0 {
		return d.Languages[0]
	}
	return ""
}
