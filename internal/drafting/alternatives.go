package drafting

import (
	"sort"
	"strconv"
	"time"
)

// Alternative texts (docs/consensus.md, rule 11): an unresolved choice sits
// in the clause as bracketed alternatives A, B, …, each with its text per
// language. A version carrying alternatives has as its text the
// alternatives written side by side ("[Alt. A: …] [Alt. B: …]",
// AlternativesText), so every rendering, diff and draft shows them the way
// negotiators write them. Countries say, in their position, which
// alternatives they can accept (one or several); the matrix counts the
// support of each. The facilitator resolves by choosing one: a new version
// whose text is that alternative (the others stay in the history). A clause
// with unresolved alternatives cannot be locked nor put to a silence
// procedure: there is not yet one text to agree on.

// MaxAlternatives bounds the alternatives of one clause.
const MaxAlternatives = 26

// ValidateAlternatives checks the alternatives a facilitator proposes: two
// or more (at most MaxAlternatives), each a clause text in the guideline's
// languages (ValidateText), no two the same.
func ValidateAlternatives(languages []string, alts []Text) ([]Text, error) {
	var errs Fields
	if len(alts) < 2 {
		errs.Add("alternatives", "at least two alternatives")
	}
	if len(alts) > MaxAlternatives {
		errs.Add("alternatives", "at most "+strconv.Itoa(MaxAlternatives)+" alternatives")
	}
	out := make([]Text, len(alts))
	for i, a := range alts {
		t, terrs := ValidateText("alternatives["+strconv.Itoa(i)+"]", languages, a)
		errs = append(errs, terrs...)
		if len(t) == 0 && len(terrs) == 0 {
			errs.Add("alternatives["+strconv.Itoa(i)+"]", "a text in at least one language")
		}
		for j := 0; j < i; j++ {
			if SameText(out[j], t) {
				errs.Add("alternatives["+strconv.Itoa(i)+"]", "the same as alternative "+AltLabel(j))
			}
		}
		out[i] = t
	}
	return out, errs.Err("clause.invalid")
}

// AltIndex is the index of the alternative labelled label, or -1.
func AltIndex(label string, n int) int {
	for i := 0; i < n; i++ {
		if AltLabel(i) == label {
			return i
		}
	}
	return -1
}

// AcceptableLabels checks the acceptable alternatives that do not fit the
// clause: with alternatives, an agreement names at least one and only
// existing labels; without, or with another stance, it names none. It
// returns the labels sorted in alternative order, without repeats.
func (c *Clause) AcceptableLabels(in PositionInput) ([]string, error) {
	n := len(c.Alternatives)
	agreement := in.Stance == StanceAgree || in.Stance == StanceAgreeReservation
	if n == 0 || !agreement {
		if len(in.Acceptable) > 0 {
			msg := "only an agreement with a clause that carries alternatives names acceptable ones"
			return nil, Invalid("position.invalid", FieldError{Field: "acceptable", Message: msg})
		}
		return nil, nil
	}
	seen := map[int]bool{}
	for _, l := range in.Acceptable {
		i := AltIndex(l, n)
		if i < 0 {
			return nil, Invalid("position.invalid", FieldError{Field: "acceptable", Message: "no alternative " + strconv.Quote(l) + " in this version"})
		}
		seen[i] = true
	}
	if len(seen) == 0 {
		return nil, Invalid("position.invalid", FieldError{Field: "acceptable",
			Message: "the clause carries alternatives: say which one(s) the country can accept"})
	}
	idx := make([]int, 0, len(seen))
	for i := range seen {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = AltLabel(i)
	}
	return out, nil
}

// Support counts, for each of n alternatives, the participants whose
// current position on version accepts it (sorted).
func Support(participants []string, version, n int, positions []Position) [][]string {
	out := make([][]string, n)
	for i := range out {
		out[i] = []string{}
	}
	for _, country := range participants {
		for _, p := range positions {
			if p.Country != country || p.ClauseVersion != version {
				continue
			}
			for _, l := range p.Acceptable {
				if i := AltIndex(l, n); i >= 0 {
					out[i] = append(out[i], country)
				}
			}
		}
	}
	for i := range out {
		sort.Strings(out[i])
	}
	return out
}

// checkResolved refuses what needs one text while alternatives stand.
func (c *Clause) checkResolved(what string) error {
	if len(c.Alternatives) == 0 && c.AlternativeCount == 0 {
		return nil
	}
	return stateConflict("clause.alternatives_unresolved", what+" refused while the clause carries alternatives: the facilitator chooses one first")
}

// ChooseAlternative resolves the clause's alternatives by choosing the one
// labelled label, returning its text: the caller makes it the new version
// (ApplyNewVersion), with no alternatives.
func (c *Clause) ChooseAlternative(label string, now time.Time) (Text, error) {
	if len(c.Alternatives) == 0 {
		return nil, stateConflict("clause.no_alternatives", "the clause carries no alternatives")
	}
	i := AltIndex(label, len(c.Alternatives))
	if i < 0 {
		return nil, Invalid("alternative.unknown", FieldError{Field: "label", Message: "no alternative " + strconv.Quote(label) + " in this version"})
	}
	if err := c.CheckTextChange(); err != nil {
		return nil, err
	}
	return c.Alternatives[i], nil
}
