package drafting

import (
	"sort"
	"strings"
	"time"
)

// Equally authentic languages (docs/consensus.md, rule 10): every language
// version of a clause is authentic, so agreement on one is not agreement on
// the others. A change that touches some languages of a clause but not all
// of them leaves the others pending alignment, until a facilitator — or a
// delegate the facilitator designated as translator of the guideline —
// confirms that they still say the same (ConfirmAlignment) or corrects them
// (a new version touching only pending languages). While any language is
// pending, positions, silence procedures and locking are refused (409
// clause.alignment_pending). A language with no text at all is a missing
// translation, shown as such, not pending alignment.

// AlignAfterChange updates c.AlignmentPending for a new version whose text
// is after, replacing before:
//   - a change touching only languages pending alignment corrects them:
//     they are aligned, the others stay as they were;
//   - otherwise every language with text that the change did not touch is
//     pending (with those already pending), and the touched ones are not.
func (c *Clause) AlignAfterChange(languages []string, before, after Text) {
	var changed []string
	for _, lang := range orderedLanguages(languages, after) {
		if normalizeText(before[lang]) != normalizeText(after[lang]) {
			changed = append(changed, lang)
		}
	}
	pending := map[string]bool{}
	for _, l := range c.AlignmentPending {
		pending[l] = true
	}
	correction := len(changed) > 0
	for _, l := range changed {
		if !pending[l] {
			correction = false
		}
	}
	if !correction {
		for _, lang := range languages {
			if strings.TrimSpace(after[lang]) != "" {
				pending[lang] = true
			}
		}
	}
	for _, l := range changed {
		delete(pending, l)
	}
	c.AlignmentPending = sortedKeys(pending)
}

// CheckAligned refuses what needs every language aligned (what: "positions
// are", "a silence procedure is", "locking is").
func (c *Clause) CheckAligned(what string) error {
	if len(c.AlignmentPending) == 0 {
		return nil
	}
	e := stateConflict("clause.alignment_pending", what+" refused while the "+strings.Join(c.AlignmentPending, ", ")+
		" text awaits alignment with the last change: every language version is equally authentic")
	e.Data = map[string]any{"alignment_pending": c.AlignmentPending}
	return e
}

// ConfirmAlignment records that lang, pending alignment, says the same as
// the language the last change was made in, without changing its text.
func (c *Clause) ConfirmAlignment(lang string, languages []string, now time.Time) error {
	if !contains(languages, lang) {
		return Invalid("alignment.invalid", FieldError{Field: "lang", Message: "not a language of the guideline"})
	}
	if !contains(c.AlignmentPending, lang) {
		return stateConflict("clause.alignment_not_pending", "the "+lang+" text is not pending alignment")
	}
	var rest []string
	for _, l := range c.AlignmentPending {
		if l != lang {
			rest = append(rest, l)
		}
	}
	c.AlignmentPending = rest
	c.UpdatedAt = now
	return nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil
	}
	return out
}
