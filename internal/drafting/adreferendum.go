package drafting

import "time"

// Ad referendum (docs/consensus.md): a head of delegation may agree — with
// or without a reservation — subject to confirmation by the capital, by a
// deadline. Such an agreement joins consensus (the clause shows consensus
// "ad referendum") but the clause cannot be locked, nor a silence procedure
// conclude it as agreed, nor a draft holding it be adopted, until the country
// confirms (records the same stance without ad_referendum: a plain
// agreement) or withdraws (records another stance). At its deadline an
// unconfirmed agreement lapses: the country is pending again.

// MaxAdReferendum bounds how far ahead a confirmation deadline may lie.
const MaxAdReferendum = 366 * 24 * time.Hour

// LapseDue reports whether p is an agreement ad referendum whose
// confirmation deadline passed at now, unconfirmed.
func (p Position) LapseDue(now time.Time) bool {
	return p.AdReferendum && p.ConfirmBy != nil && !p.ConfirmBy.After(now)
}

// validateAdReferendum adds the field errors of the ad referendum part of a
// position: only an agreement can be ad referendum, and it needs the
// deadline by which the capital confirms.
func (in PositionInput) validateAdReferendum(errs *Fields) {
	if !in.AdReferendum {
		if in.ConfirmBy != nil {
			errs.Add("confirm_by", "only allowed with ad_referendum")
		}
		return
	}
	if in.Stance != StanceAgree && in.Stance != StanceAgreeReservation {
		errs.Add("ad_referendum", "only an agreement (agree or agree_with_reservation) can be given ad referendum")
	}
	if in.ConfirmBy == nil {
		errs.Add("confirm_by", "required with ad_referendum: the deadline by which the capital confirms")
	}
}

// checkConfirmBy refuses a confirmation deadline that is not ahead of now,
// or more than MaxAdReferendum ahead.
func (in PositionInput) checkConfirmBy(now time.Time) error {
	if !in.AdReferendum || in.ConfirmBy == nil {
		return nil
	}
	if !in.ConfirmBy.After(now) {
		return Invalid("position.confirm_by_past", FieldError{Field: "confirm_by", Message: "must be in the future"})
	}
	if in.ConfirmBy.Sub(now) > MaxAdReferendum {
		return Invalid("position.confirm_by_too_far", FieldError{Field: "confirm_by", Message: "at most a year ahead"})
	}
	return nil
}

// AdReferendum lists, sorted, the participants whose current position on
// version is an agreement ad referendum not yet confirmed.
func AdReferendum(participants []string, version int, positions []Position) []string {
	return participantsWhere(participants, version, positions, func(p *Position) bool { return p != nil && p.AdReferendum })
}

// adReferendumConflict is the refusal to conclude a clause as agreed while
// countries' agreements await their capitals.
func adReferendumConflict(countries []string, what string) *Error {
	e := stateConflict("clause.ad_referendum", what+": the agreement of "+joinCountries(countries)+
		" is ad referendum; it must be confirmed (or withdrawn) first")
	e.Data = map[string]any{"ad_referendum": countries}
	return e
}

// ApplyLapse recomputes the status after unconfirmed agreements lapsed;
// remaining are the current positions left. A clause under discussion is
// derived again (a consensus becomes open: the country is pending); a
// silence procedure runs on, the country being silent now.
func (c *Clause) ApplyLapse(participants []string, remaining []Position, now time.Time) {
	c.UpdatedAt = now
	switch c.Status {
	case StatusOpen, StatusContested, StatusConsensus:
		c.Status = Derive(participants, c.Version, remaining)
	}
}

func joinCountries(cs []string) string {
	out := ""
	for i, c := range cs {
		if i > 0 {
			out += ", "
		}
		out += c
	}
	return out
}
