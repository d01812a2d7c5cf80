package drafting

import (
	"fmt"
	"sort"
	"time"
	"unicode/utf8"
)

// Text is a clause text per language.
type Text map[string]string

// Status is a clause's place in the consensus state machine (DOMAIN.md).
type Status string

// Clause statuses.
const (
	StatusDraft     Status = "draft"
	StatusOpen      Status = "open"
	StatusContested Status = "contested"
	StatusConsensus Status = "consensus"
	StatusSilence   Status = "silence"
	StatusAgreed    Status = "agreed"
)

// ValidStatus reports whether s is a clause status.
func ValidStatus(s Status) bool {
	switch s {
	case StatusDraft, StatusOpen, StatusContested, StatusConsensus, StatusSilence, StatusAgreed:
		return true
	}
	return false
}

// Clause is the unit of negotiation with its current state.
type Clause struct {
	ID              string
	GuidelineID     string
	SectionID       string
	Position        int // 1-based inside the section
	Number          string
	Status          Status
	Version         int // current version number
	Revision        int // grows on every change; the ETag
	SilenceDeadline *time.Time
	// AlignmentPending lists, sorted, the languages of the current version
	// not yet aligned with a change made in another (alignment.go).
	AlignmentPending []string
	// AlternativeCount is how many alternatives the current version
	// carries (alternatives.go); Alternatives are their texts, filled when
	// read with the text.
	AlternativeCount int
	Alternatives     []Text
	CreatedAt        time.Time
	UpdatedAt        time.Time

	// Text is the current version's text, filled when read with it.
	Text Text
}

// Version is an immutable text of a clause.
type Version struct {
	ClauseID string
	Number   int
	Text     Text
	// Alternatives, when the version carries them; Text then holds them
	// written side by side (AlternativesText).
	Alternatives []Text
	Note         string
	Incorporates []string
	AuthorID     string
	CreatedAt    time.Time
}

// MissingLanguages lists the guideline languages a text lacks.
func MissingLanguages(languages []string, t Text) []string {
	missing := []string{}
	for _, l := range languages {
		if t[l] == "" {
			missing = append(missing, l)
		}
	}
	return missing
}

// ValidateText checks a clause text against the guideline's languages:
// at least one language, no language outside the guideline's, bounded size.
// It returns the cleaned text. The characters of each text are checked
// before (Texts.Map), so that a refusal carries text.invalid_character; a
// text refused here for its characters anyway is one that skipped that.
func ValidateText(field string, languages []string, t Text) (Text, Fields) {
	return validateTexts(field, languages, t, MaxClauseTextLen, false)
}

// ValidateTitle checks a guideline's or a section's title the way clause
// text is checked (ValidateText), except that a title is required in every
// language of the guideline: a heading has no "translation pending".
func ValidateTitle(field string, languages []string, t Text) (Text, Fields) {
	return validateTexts(field, languages, t, MaxTitleLen, true)
}

func validateTexts(field string, languages []string, t Text, maxLen int, every bool) (Text, Fields) {
	var errs Fields
	clean := Text{}
	allowed := map[string]bool{}
	for _, l := range languages {
		allowed[l] = true
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, lang := range keys {
		s := CleanText(t[lang])
		switch {
		case TextProblem(t[lang]) != "":
			errs.Add(field+"."+lang, TextProblem(t[lang]))
		case !allowed[lang]:
			errs.Add(field+"."+lang, fmt.Sprintf("language %q is not one of the guideline's languages %v", lang, languages))
		case utf8.RuneCountInString(s) > maxLen:
			errs.Add(field+"."+lang, fmt.Sprintf("text is longer than %d characters", maxLen))
		case s != "":
			clean[lang] = s
		}
	}
	if every {
		for _, l := range languages {
			if clean[l] == "" && !errs.Has(field+"."+l) {
				errs.Add(field+"."+l, "required in every language of the guideline")
			}
		}
	} else if len(errs) == 0 && len(clean) == 0 {
		errs.Add(field, "text in at least one language is required")
	}
	return clean, errs
}

// In is the text in lang, or else in the first of order that has one, or
// else "" (a rendering's fallback for a language a title lacks).
func (t Text) In(lang string, order []string) string {
	if s := t[lang]; s != "" {
		return s
	}
	for _, l := range order {
		if s := t[l]; s != "" {
			return s
		}
	}
	return ""
}

// SameText reports whether two texts are identical in every language.
func SameText(a, b Text) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// Numbering assigns display numbers "s.c" to clauses ordered by section
// position then clause position. Clause ids never change; numbers follow order.
func Numbering(sectionPos, clausePos int) string {
	return fmt.Sprintf("%d.%d", sectionPos, clausePos)
}
