package drafting

import (
	"sort"
	"strings"
	"time"
)

// Changing the participating countries never manufactures consensus
// (DOMAIN.md rule 7). The rules of this file hold that line: a change of
// the consensus body re-derives every clause, agreed ones included, and
// adoption checks every clause against the participants of that moment.

// Objecting lists, sorted, the participants whose current position (on
// version) is an objection.
func Objecting(participants []string, version int, positions []Position) []string {
	return participantsWhere(participants, version, positions, func(p *Position) bool { return p != nil && p.Stance == StanceObject })
}

// Unheard lists, sorted, the participants with no position on version.
func Unheard(participants []string, version int, positions []Position) []string {
	return participantsWhere(participants, version, positions, func(p *Position) bool { return p == nil })
}

func participantsWhere(participants []string, version int, positions []Position, keep func(*Position) bool) []string {
	current := make(map[string]*Position, len(positions))
	for i := range positions {
		if positions[i].ClauseVersion == version {
			current[positions[i].Country] = &positions[i]
		}
	}
	out := []string{}
	for _, country := range participants {
		if keep(current[country]) {
			out = append(out, country)
		}
	}
	sort.Strings(out)
	return out
}

// ParticipantsChange is a change of a guideline's consensus body.
type ParticipantsChange struct {
	Before, After []string
}

// Added lists, sorted, the countries that joined.
func (ch ParticipantsChange) Added() []string { return minus(ch.After, ch.Before) }

// Removed lists, sorted, the countries that left.
func (ch ParticipantsChange) Removed() []string { return minus(ch.Before, ch.After) }

func minus(a, b []string) []string {
	out := []string{}
	for _, x := range a {
		if !contains(b, x) {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// Rederivation is what a change of participants did to one clause.
type Rederivation struct {
	From, To Status
	// Reason says why, for the clause.status_changed event.
	Reason string
	// Countries are the participants that caused it: objectors, or
	// newcomers that have not spoken on the current version.
	Countries []string
}

// ApplyParticipants derives the clause's status again after the consensus
// body changed, and reports what changed (false: nothing).
//
//   - draft: stays; nobody takes positions on it yet.
//   - open, contested, consensus: derived from the new participants' current
//     positions (a departed objector no longer counts, a newcomer without a
//     position undoes a consensus).
//   - silence: a participant's current objection breaks it (contested); a
//     newcomer that has not spoken on this version ends it (the status is
//     derived again), since it could not be heard for the whole procedure.
//   - agreed: never stands against a participant's current objection
//     (contested), and a participant with no position on the agreed version
//     — a newcomer — reopens it (derived again: open).
func (c *Clause) ApplyParticipants(ch ParticipantsChange, positions []Position, now time.Time) (Rederivation, bool) {
	r := Rederivation{From: c.Status}
	objecting := Objecting(ch.After, c.Version, positions)
	switch c.Status {
	case StatusDraft:
		return r, false
	case StatusOpen, StatusContested, StatusConsensus:
		r.To = Derive(ch.After, c.Version, positions)
		r.Reason = "participating countries changed"
		r.Countries = ch.Added()
		if len(objecting) > 0 && r.To == StatusContested {
			r.Countries = objecting
		}
	case StatusSilence:
		unheard := Unheard(ch.Added(), c.Version, positions)
		switch {
		case len(objecting) > 0:
			r.To, r.Countries = StatusContested, objecting
			r.Reason = "participating countries changed: " + say(objecting, "objects", "object") + " to this version, which breaks the silence procedure"
		case len(unheard) > 0:
			r.To, r.Countries = Derive(ch.After, c.Version, positions), unheard
			r.Reason = "participating countries changed: " + say(unheard, "joined", "joined") + " during the silence procedure and " + pick(unheard, "has", "have") + " not been heard on this version; the procedure ends"
		default:
			return r, false
		}
		c.SilenceDeadline = nil
	case StatusAgreed:
		unheard := Unheard(ch.After, c.Version, positions)
		switch {
		case len(objecting) > 0:
			r.To, r.Countries = Derive(ch.After, c.Version, positions), objecting
			r.Reason = "participating countries changed: " + say(objecting, "objects", "object") + " to the agreed version; an agreed clause never stands against a participant's objection"
		case len(unheard) > 0:
			r.To, r.Countries = Derive(ch.After, c.Version, positions), unheard
			r.Reason = "participating countries changed: " + say(unheard, "has", "have") + " no position on the agreed version; the clause is reopened"
		default:
			return r, false
		}
	default:
		return r, false
	}
	if r.To == r.From {
		return r, false
	}
	c.Status, c.UpdatedAt = r.To, now
	return r, true
}

// say joins countries and the verb that agrees with them: "BZ objects",
// "BZ, CR object".
func say(countries []string, one, many string) string {
	return strings.Join(countries, ", ") + " " + pick(countries, one, many)
}

func pick(countries []string, one, many string) string {
	if len(countries) == 1 {
		return one
	}
	return many
}
