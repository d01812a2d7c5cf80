package drafting

import (
	"regexp"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// GuidelineStatus is the life cycle of a whole document.
type GuidelineStatus string

// Guideline statuses.
const (
	GuidelineDrafting GuidelineStatus = "drafting"
	GuidelineAdopted  GuidelineStatus = "adopted"
)

// Limits on user text, so one request cannot store or render without bound.
const (
	MaxTitleLen      = 300
	MaxClauseTextLen = 20000
	MaxNoteLen       = 2000
	MaxCommentLen    = 20000
)

// Guideline is a document negotiated by its participating countries.
type Guideline struct {
	ID           string
	Title        Text // per language, every language of the guideline
	Slug         string
	Languages    []string
	Participants []string // country codes, sorted
	Status       GuidelineStatus
	Revision     int
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// IsParticipant reports whether country belongs to the consensus body.
func (g *Guideline) IsParticipant(country string) bool {
	for _, c := range g.Participants {
		if c == country {
			return true
		}
	}
	return false
}

// HasLanguage reports whether lang is one of the guideline's languages.
func (g *Guideline) HasLanguage(lang string) bool {
	for _, l := range g.Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Section is an ordered heading inside a guideline.
type Section struct {
	ID          string
	GuidelineID string
	Title       Text // per language, every language of the guideline
	Position    int  // 1-based
	// Kind is SectionText, or SectionPlan for a section of the
	// implementation plan, whose clauses are actions.
	Kind      string
	CreatedAt time.Time
}

var slugUnsafe = regexp.MustCompile(`[^a-z0-9]+`)

// Slugify derives a URL slug from a title ("Directrices regionales" →
// "directrices-regionales"), dropping accents.
func Slugify(title string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(title)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	s := strings.Trim(slugUnsafe.ReplaceAllString(b.String(), "-"), "-")
	if len(s) > 80 {
		s = strings.Trim(s[:80], "-")
	}
	return s
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidSlug reports whether s is a usable slug.
func ValidSlug(s string) bool { return len(s) <= 80 && slugPattern.MatchString(s) }
