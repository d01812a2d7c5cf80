package drafting

import (
	"slices"
	"testing"
	"time"
)

// TestPositionStatuses: the statuses a worklist offers are exactly those in
// which CheckPosition accepts a position on the current version.
func TestPositionStatuses(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	later := now.Add(time.Hour)
	for _, st := range []Status{StatusDraft, StatusOpen, StatusContested, StatusConsensus, StatusSilence, StatusAgreed} {
		c := Clause{Status: st, Version: 2}
		if st == StatusSilence {
			c.SilenceDeadline = &later
		}
		err := c.CheckPosition(PositionInput{Stance: StanceAgree, ClauseVersion: 2}, now)
		if accepts, listed := err == nil, slices.Contains(PositionStatuses(), st); accepts != listed {
			t.Errorf("%s: CheckPosition accepts = %v, PositionStatuses lists it = %v", st, accepts, listed)
		}
	}
}
