package drafting

import (
	"regexp"
	"time"
	"unicode/utf8"
)

// InputKind is what a national workshop outcome records.
type InputKind string

// The kinds of national input (Session 2 of the meeting).
const (
	InputAdvance      InputKind = "advance"
	InputChallenge    InputKind = "challenge"
	InputGoodPractice InputKind = "good_practice"
)

// ValidInputKind reports whether k is a kind of national input.
func ValidInputKind(k InputKind) bool {
	return k == InputAdvance || k == InputChallenge || k == InputGoodPractice
}

// The areas the meeting names; an area is any lower-case word
// (ValidArea), so a delegation may add one.
const (
	AreaPrevention         = "prevention"
	AreaProtection         = "protection"
	AreaConsularAssistance = "consular_assistance"
)

var areaPattern = regexp.MustCompile(`^[a-z][a-z_]{1,39}$`)

// ValidArea reports whether a is an area name: lower-case letters and
// underscores, 2 to 40 characters ("prevention", "consular_assistance").
func ValidArea(a string) bool { return areaPattern.MatchString(a) }

// MaxSourceLen bounds the source of a national input.
const MaxSourceLen = 300

// NationalInput is one outcome of a country's national workshop: an
// advance, a challenge or a good practice in an area, with its text per
// language and where it comes from. It is versioned like a clause: every
// edit adds a version, nothing is overwritten.
type NationalInput struct {
	ID          string
	GuidelineID string
	Country     string
	Area        string
	Kind        InputKind
	Text        Text
	Source      string
	Version     int
	Revision    int
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// InputVersion is one immutable version of a national input.
type InputVersion struct {
	InputID   string
	Number    int
	Area      string
	Kind      InputKind
	Text      Text
	Source    string
	AuthorID  string
	CreatedAt time.Time
}

// InputContent is what a delegation writes of an input.
type InputContent struct {
	Area   string
	Kind   InputKind
	Text   Text
	Source string
}

// ValidateInput checks an input's content against the guideline's
// languages and returns it cleaned: a known kind, an area name, text in at
// least one language (as clause text), a source of at most 300 characters.
func ValidateInput(languages []string, in InputContent) (InputContent, Fields) {
	var errs Fields
	if !ValidArea(in.Area) {
		errs.Add("area", `an area name such as "prevention", "protection" or "consular_assistance"`)
	}
	if !ValidInputKind(in.Kind) {
		errs.Add("kind", "one of advance, challenge, good_practice")
	}
	text, terrs := ValidateText("text", languages, in.Text)
	errs = append(errs, terrs...)
	if len(text) == 0 && len(terrs) == 0 {
		errs.Add("text", "required in at least one language of the guideline")
	}
	in.Text = text
	in.Source = CleanText(in.Source)
	if utf8.RuneCountInString(in.Source) > MaxSourceLen {
		errs.Add("source", "at most 300 characters")
	}
	return in, errs
}

// SameInput reports whether two contents say the same.
func SameInput(a, b InputContent) bool {
	return a.Area == b.Area && a.Kind == b.Kind && a.Source == b.Source && SameText(a.Text, b.Text)
}

// CheckInputAuthor says whether s may write country's national inputs: a
// delegation speaks only for itself, so only a delegate (head or not) of
// that country does; the facilitator structures and merges but does not
// write what a country reported, and observers and integrations read.
func (s Speaker) CheckInputAuthor(country string) error {
	if s.Role != RoleDelegate || s.Country == "" {
		return Errorf(KindForbidden, "input.forbidden", "only a country's delegation records its national inputs")
	}
	if s.Country != country {
		return Errorf(KindForbidden, "input.forbidden", "a delegation records and edits only its own country's inputs")
	}
	return nil
}

// The agenda's events are part of the negotiation: a webhook subscribed to
// "*" receives them.
func init() {
	for _, t := range []string{EventInputCreated, EventInputChanged, EventClauseSourcesChanged} {
		NegotiationEvents[t] = true
	}
}
