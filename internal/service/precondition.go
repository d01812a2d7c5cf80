package service

// Precondition is what a change requires of the current revision of what it
// changes, as the client said with If-Match: any revision (no If-Match, or
// "*"), or exactly one.
type Precondition struct {
	revision int // 0: any revision will do
}

// AnyRevision admits every revision: no If-Match, or "If-Match: *".
var AnyRevision = Precondition{}

// AtRevision admits revision n only (If-Match with that revision's ETag).
func AtRevision(n int) Precondition { return Precondition{revision: n} }

// Pinned reports whether the change is bound to one revision: a lost race
// is then a 412 for the client to resolve, never a silent retry.
func (p Precondition) Pinned() bool { return p.revision != 0 }

// Admits reports whether rev satisfies the precondition.
func (p Precondition) Admits(rev int) bool { return p.revision == 0 || p.revision == rev }
