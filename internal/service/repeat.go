package service

import (
	"errors"
	"strings"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// errUnchanged is returned inside a clause change (updateClause) that would
// change nothing: the transaction is rolled back and the clause answered as
// it was, so a repeated request leaves no trace — no history row, no event,
// the same ETag.
var errUnchanged = errors.New("nothing to change")

// repeatedPosition returns country's current position on version when in
// says exactly the same (stance, reservation, reason): recording it again
// would only add a row and an event saying nothing new, so a client may
// resend a position whose answer it lost. A position that was deemed by a
// silence procedure is not the country's own word, so saying it is news.
func repeatedPosition(current []drafting.Position, country string, version int, in drafting.PositionInput) *drafting.Position {
	for i := range current {
		p := &current[i]
		if p.Country != country {
			continue
		}
		if p.ClauseVersion == version && in.ClauseVersion == version && !p.Deemed &&
			p.Stance == in.Stance && p.Reservation == in.Reservation && p.Reason == in.Reason &&
			p.AdReferendum == in.AdReferendum && sameTime(p.ConfirmBy, in.ConfirmBy) &&
			strings.Join(p.Acceptable, ",") == strings.Join(in.Acceptable, ",") {
			return p
		}
		return nil
	}
	return nil
}

// sameTime reports whether a and b are both nil or the same instant (to the
// microsecond the databases keep).
func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Truncate(time.Microsecond).Equal(b.Truncate(time.Microsecond))
}
