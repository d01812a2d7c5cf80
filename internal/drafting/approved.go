package drafting

import "time"

// Approved is an adopted draft: immutable, with the SHA-256 of its canonical
// JSON recorded at adoption.
type Approved struct {
	GuidelineID string
	Version     int
	DraftNumber int
	Content     []byte // canonical JSON that was hashed
	ContentHash string // "sha256:<hex>"
	AdoptedBy   string
	AdoptedAt   time.Time
}
