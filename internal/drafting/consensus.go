package drafting

import (
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Stance is a country's position on a clause version.
type Stance string

// Stances (DOMAIN.md): abstain stands aside; object blocks.
const (
	StanceAgree            Stance = "agree"
	StanceAgreeReservation Stance = "agree_with_reservation"
	StanceAbstain          Stance = "abstain"
	StanceObject           Stance = "object"
)

// Matrix cells that are not stances.
const (
	CellPending = "pending" // no position at all
	CellStale   = "stale"   // a position on an earlier version
)

// Position is one country's stance on one clause version.
type Position struct {
	ID            string
	ClauseID      string
	Country       string
	ClauseVersion int
	Stance        Stance
	Reservation   string
	Reason        string
	RecordedBy    string // empty when deemed
	// RecordedAs is the capacity RecordedBy spoke in (RecordedAsHead,
	// RecordedAsAlternate, or RecordedOnBehalf for history kept from before
	// only the country could speak for itself); empty when deemed.
	RecordedAs string
	Deemed     bool
	// AdReferendum marks an agreement subject to the capital's
	// confirmation by ConfirmBy (adreferendum.go).
	AdReferendum bool
	ConfirmBy    *time.Time
	// Acceptable lists the alternatives (labels) an agreement accepts,
	// when the version carries alternatives (alternatives.go).
	Acceptable []string
	CreatedAt  time.Time
}

// Current reports whether p is about the clause's current version.
func (p Position) Current(c *Clause) bool { return p.ClauseVersion == c.Version }

// PositionInput is what a head of delegation (or the alternate the head
// designated) asks to record.
type PositionInput struct {
	Stance        Stance
	ClauseVersion int
	Reservation   string
	Reason        string
	// AdReferendum asks for an agreement subject to the capital's
	// confirmation by ConfirmBy.
	AdReferendum bool
	ConfirmBy    *time.Time
	// Acceptable names the alternatives the country can accept.
	Acceptable []string
}

// Validate checks the stance and its required texts, returning a cleaned input.
func (in PositionInput) Validate() (PositionInput, error) {
	var errs Fields
	in.Reservation = CleanText(in.Reservation)
	in.Reason = CleanText(in.Reason)
	switch in.Stance {
	case StanceAgree, StanceAbstain:
		if in.Reservation != "" {
			errs.Add("reservation", "only allowed with stance agree_with_reservation")
		}
		if in.Reason != "" && in.Stance == StanceAgree {
			errs.Add("reason", "only allowed with stance object or abstain")
		}
	case StanceAgreeReservation:
		if in.Reservation == "" {
			errs.Add("reservation", "required with stance agree_with_reservation")
		}
		if in.Reason != "" {
			errs.Add("reason", "only allowed with stance object or abstain")
		}
	case StanceObject:
		if in.Reason == "" {
			errs.Add("reason", "required with stance object")
		}
		if in.Reservation != "" {
			errs.Add("reservation", "only allowed with stance agree_with_reservation")
		}
	default:
		errs.Add("stance", "must be one of agree, agree_with_reservation, abstain, object")
	}
	in.validateAdReferendum(&errs)
	if in.ClauseVersion < 1 {
		errs.Add("clause_version", "required: the clause version this position is about")
	}
	if utf8.RuneCountInString(in.Reservation) > MaxNoteLen {
		errs.Add("reservation", "too long")
	}
	if utf8.RuneCountInString(in.Reason) > MaxNoteLen {
		errs.Add("reason", "too long")
	}
	return in, errs.Err("position.invalid")
}

// Derive computes the status of a clause under discussion from the current
// positions of the participating countries: any objection → contested; every
// participant with a current position → consensus; otherwise open.
// Positions of non-participants or on earlier versions do not count.
func Derive(participants []string, version int, positions []Position) Status {
	current := map[string]Stance{}
	for _, p := range positions {
		if p.ClauseVersion == version {
			current[p.Country] = p.Stance
		}
	}
	all := true
	for _, c := range participants {
		s, ok := current[c]
		if !ok {
			all = false
			continue
		}
		if s == StanceObject {
			return StatusContested
		}
	}
	if all && len(participants) > 0 {
		return StatusConsensus
	}
	return StatusOpen
}

// Transition errors are conflicts: the request is well formed but the
// clause's state does not allow it.
func stateConflict(code, msg string) *Error { return Errorf(KindConflict, code, "%s", msg) }

// Open moves a clause from draft into discussion.
func (c *Clause) Open(participants []string, positions []Position) error {
	if c.Status != StatusDraft {
		return stateConflict("clause.not_draft", "only a clause in draft can be opened; it is "+string(c.Status))
	}
	c.Status = Derive(participants, c.Version, positions)
	return nil
}

// CheckTextChange refuses a new text while the clause is agreed.
func (c *Clause) CheckTextChange() error {
	if c.Status == StatusAgreed {
		return stateConflict("clause.agreed", "the clause is agreed; the facilitator must reopen it before its text can change")
	}
	return nil
}

// ApplyNewVersion records that the text changed: every position becomes
// stale and a clause under discussion (or in silence) returns to open.
func (c *Clause) ApplyNewVersion(now time.Time) error {
	if err := c.CheckTextChange(); err != nil {
		return err
	}
	c.Version++
	if c.Status != StatusDraft {
		c.Status = StatusOpen
	}
	c.SilenceDeadline = nil
	c.UpdatedAt = now
	return nil
}

// CheckPosition refuses a position the clause cannot take now.
// A silence procedure whose deadline has passed is over even before the
// sweep records it: no position, and so no objection, can reach it.
func (c *Clause) CheckPosition(in PositionInput, now time.Time) error {
	if c.SilenceDue(now) {
		return stateConflict("clause.silence_ended", "the silence procedure ended at its deadline without objection; the clause is being concluded as agreed")
	}
	switch c.Status {
	case StatusDraft:
		return stateConflict("clause.not_open", "positions are taken once the facilitator opens the clause")
	case StatusAgreed:
		return stateConflict("clause.agreed", "the clause is agreed; positions can change only after it is reopened")
	}
	if err := c.CheckAligned("positions are"); err != nil {
		return err
	}
	if in.ClauseVersion != c.Version {
		e := stateConflict("position.version_stale", "the position names a version that is not the current one")
		e.Data = map[string]any{"current_version": c.Version}
		return e
	}
	if _, err := c.AcceptableLabels(in); err != nil {
		return err
	}
	return in.checkConfirmBy(now)
}

// ApplyPosition recomputes the status after a position was recorded; all is
// the full set of current positions including the new one. During a silence
// procedure only an objection matters: it breaks the silence.
func (c *Clause) ApplyPosition(participants []string, p Position, all []Position, now time.Time) {
	c.UpdatedAt = now
	if c.Status == StatusSilence {
		if p.Stance == StanceObject && contains(participants, p.Country) {
			c.Status = StatusContested
			c.SilenceDeadline = nil
		}
		return
	}
	c.Status = Derive(participants, c.Version, all)
}

// DefaultMinSilence is the shortest silence procedure unless a deployment
// configures another (DOMAIN.md rule 8): long enough for every capital to
// be heard.
const DefaultMinSilence = 24 * time.Hour

// StartSilence begins a silence procedure ending at deadline, which must be
// at least minSilence after now.
func (c *Clause) StartSilence(deadline, now time.Time, minSilence time.Duration) error {
	switch c.Status {
	case StatusOpen, StatusConsensus:
	case StatusContested:
		return stateConflict("clause.contested", "a country objects to this version; resolve the objection before a silence procedure")
	default:
		return stateConflict("clause.silence_not_allowed", "a silence procedure can start only on an open clause or one in consensus; it is "+string(c.Status))
	}
	if err := c.CheckAligned("a silence procedure is"); err != nil {
		return err
	}
	if err := c.checkResolved("a silence procedure is"); err != nil {
		return err
	}
	if !deadline.After(now) {
		return Invalid("silence.deadline_past", FieldError{Field: "deadline", Message: "must be in the future"})
	}
	if deadline.Sub(now) < minSilence {
		e := Invalid("silence.deadline_too_soon", FieldError{Field: "deadline",
			Message: "a silence procedure lasts at least " + FormatDuration(minSilence) + " so that every capital can be heard"})
		e.Data = map[string]any{"min_silence": FormatDuration(minSilence), "earliest_deadline": now.Add(minSilence).UTC()}
		return e
	}
	d := deadline.UTC()
	c.Status = StatusSilence
	c.SilenceDeadline = &d
	c.UpdatedAt = now
	return nil
}

// FormatDuration writes d the way people read it: "24h", "90m", "1h30m".
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// SilenceDue reports whether the silence deadline has passed at now.
func (c *Clause) SilenceDue(now time.Time) bool {
	return c.Status == StatusSilence && c.SilenceDeadline != nil && !c.SilenceDeadline.After(now)
}

// EndSilence concludes a silence procedure whose deadline passed with no
// objection: the clause is agreed, and the participants that said nothing on
// the current version are returned, to be recorded as deemed to agree.
// Should a participant hold a current objection all the same, the clause is
// contested instead and nobody is deemed to agree: an agreed clause never
// stands against a participant's objection.
func (c *Clause) EndSilence(participants []string, positions []Position, now time.Time) ([]string, error) {
	if !c.SilenceDue(now) {
		return nil, stateConflict("clause.silence_not_due", "the silence procedure has not ended")
	}
	c.SilenceDeadline = nil
	c.UpdatedAt = now
	if len(Objecting(participants, c.Version, positions)) > 0 {
		c.Status = StatusContested
		return nil, nil
	}
	// An agreement ad referendum is no objection, but awaits its capital:
	// the silent are deemed to agree and the clause stays in consensus
	// until it is confirmed.
	pendingCapital := len(AdReferendum(participants, c.Version, positions)) > 0
	spoke := map[string]bool{}
	for _, p := range positions {
		if p.ClauseVersion == c.Version {
			spoke[p.Country] = true
		}
	}
	var silent []string
	for _, country := range participants {
		if !spoke[country] {
			silent = append(silent, country)
		}
	}
	sort.Strings(silent)
	c.Status = StatusAgreed
	if pendingCapital {
		c.Status = StatusConsensus
	}
	return silent, nil
}

// Lock marks a clause in consensus as agreed. Consensus is derived again
// from the current participants and positions, not taken from the stored
// status, so a change of the consensus body can never be locked past.
func (c *Clause) Lock(participants []string, positions []Position, now time.Time) error {
	if c.Status != StatusConsensus {
		return stateConflict("clause.not_consensus", "only a clause in consensus can be locked; it is "+string(c.Status))
	}
	if err := c.CheckAligned("locking is"); err != nil {
		return err
	}
	if err := c.checkResolved("locking is"); err != nil {
		return err
	}
	if d := Derive(participants, c.Version, positions); d != StatusConsensus {
		return stateConflict("clause.not_consensus", "not every participating country has a current position without objection; the clause is "+string(d))
	}
	if ad := AdReferendum(participants, c.Version, positions); len(ad) > 0 {
		return adReferendumConflict(ad, "the clause cannot be locked")
	}
	c.Status = StatusAgreed
	c.UpdatedAt = now
	return nil
}

// Reopen takes an agreed clause (or one in silence) back into discussion; the
// reason is required and recorded with the event.
func (c *Clause) Reopen(reason string, participants []string, positions []Position, now time.Time) error {
	if strings.TrimSpace(reason) == "" {
		return Invalid("clause.reopen_reason_required", FieldError{Field: "reason", Message: "required"})
	}
	if c.Status != StatusAgreed && c.Status != StatusSilence {
		return stateConflict("clause.not_agreed", "only an agreed clause or one in silence can be reopened; it is "+string(c.Status))
	}
	c.SilenceDeadline = nil
	c.Status = Derive(participants, c.Version, positions)
	c.UpdatedAt = now
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
