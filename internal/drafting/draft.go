package drafting

import "time"

// Draft is an immutable, numbered snapshot of a whole guideline.
type Draft struct {
	GuidelineID string
	Number      int
	Label       string
	CreatedBy   string
	CreatedAt   time.Time
	Clauses     []DraftClause
}

// DraftClause is where one clause version stood in a draft.
type DraftClause struct {
	ClauseID        string
	Version         int
	SectionID       string
	SectionTitle    Text
	SectionPosition int
	Position        int
	Number          string
	Status          Status
	// Alternatives is set when the version carries alternatives (its text
	// holds them side by side).
	Alternatives bool
	Text         Text
}

// Reservation is a country's reservation on a clause version, a footnote in
// renderings and in the adopted text.
type Reservation struct {
	ClauseID      string
	ClauseVersion int
	Country       string
	Text          string
}
