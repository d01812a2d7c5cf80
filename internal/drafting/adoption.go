package drafting

// Adoption blockers: why a clause of a draft stops its adoption.
const (
	BlockNotAgreed      = "not_agreed"       // the clause is not agreed now
	BlockVersionChanged = "version_changed"  // agreed, but at another version than the draft's
	BlockObjection      = "objection"        // a participant objects to the version
	BlockNoPosition     = "missing_position" // a participant has no position on the version
	BlockAdReferendum   = "ad_referendum"    // a participant's agreement awaits its capital's confirmation
)

// AdoptionBlocker is a clause of a draft that cannot be adopted, and why.
type AdoptionBlocker struct {
	ClauseID     string
	Number       string
	Status       Status
	Version      int // the clause's current version
	DraftVersion int
	Reason       string
	// Objecting and Unheard are the participants that object to, or have
	// no position on, the clause's current version.
	Objecting []string
	Unheard   []string
	// AdReferendum lists the participants whose agreement on the current
	// version awaits confirmation.
	AdReferendum []string
}

// CheckAdoption lists, in the draft's order, the clauses that stop the
// draft's adoption by the current participants: every clause must be agreed
// now, at the draft's version, and every participant must hold a current
// position on it that is not an objection. Positions deemed by a silence
// procedure that ended count as positions: that is how a clause agreed by
// silence passes. clauses holds the guideline's clauses by id; positions
// the current positions by clause id.
func CheckAdoption(participants []string, d Draft, clauses map[string]Clause, positions map[string][]Position) []AdoptionBlocker {
	out := []AdoptionBlocker{}
	for _, dc := range d.Clauses {
		c, ok := clauses[dc.ClauseID]
		if !ok {
			out = append(out, AdoptionBlocker{ClauseID: dc.ClauseID, Number: dc.Number, DraftVersion: dc.Version, Reason: BlockNotAgreed,
				Objecting: []string{}, Unheard: []string{}, AdReferendum: []string{}})
			continue
		}
		b := AdoptionBlocker{ClauseID: c.ID, Number: c.Number, Status: c.Status, Version: c.Version, DraftVersion: dc.Version,
			Objecting: Objecting(participants, c.Version, positions[c.ID]), Unheard: Unheard(participants, c.Version, positions[c.ID]),
			AdReferendum: AdReferendum(participants, c.Version, positions[c.ID])}
		switch {
		case c.Status != StatusAgreed:
			b.Reason = BlockNotAgreed
		case c.Version != dc.Version:
			b.Reason = BlockVersionChanged
		case len(b.Objecting) > 0:
			b.Reason = BlockObjection
		case len(b.Unheard) > 0:
			b.Reason = BlockNoPosition
		case len(b.AdReferendum) > 0:
			b.Reason = BlockAdReferendum
		default:
			continue
		}
		out = append(out, b)
	}
	return out
}
