package service

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// DesignateAlternate makes userID the alternate of country: besides its
// heads of delegation, the one account that records the country's
// positions. Only a head of delegation of that country designates, and only
// an active delegate of the same country who is not a head qualifies (422
// country.alternate_invalid otherwise, the same answer whatever the reason).
// A new designation replaces the previous one; designating the current
// alternate again changes nothing and records nothing.
func (s *Service) DesignateAlternate(ctx context.Context, p auth.Principal, code, userID string) (drafting.Country, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	userID = strings.TrimSpace(userID)
	var out drafting.Country
	err := s.write(ctx, p.ID, func(u *unit) error {
		c, err := readCountry(u, code)
		if err != nil {
			return err
		}
		if err := checkDesignator(u, p, code); err != nil {
			return err
		}
		if userID == "" {
			return drafting.Invalid("country.alternate_invalid", drafting.FieldError{Field: "user_id", Message: "required"})
		}
		var candidate drafting.User
		found := false
		if plausibleID(userID) {
			candidate, err = u.User(userID)
			if err != nil && !drafting.IsKind(err, drafting.KindNotFound) {
				return err
			}
			found = err == nil
		}
		if err := drafting.CheckAlternate(candidate, found, code); err != nil {
			return err
		}
		out = c
		if c.AlternateID == userID {
			return nil
		}
		if err := u.SetAlternate(code, userID, p.ID, u.now); err != nil {
			return err
		}
		out.AlternateID = userID
		return s.countryEvent(u, drafting.EventAlternateDesignated, code, map[string]any{
			"country": code, "user_id": userID, "previous_user_id": optionalID(c.AlternateID)})
	})
	return out, err
}

// RevokeAlternate ends the designation of country's alternate (a head of
// that country). Revoking when there is none changes nothing and records
// nothing.
func (s *Service) RevokeAlternate(ctx context.Context, p auth.Principal, code string) error {
	code = strings.ToUpper(strings.TrimSpace(code))
	return s.write(ctx, p.ID, func(u *unit) error {
		c, err := readCountry(u, code)
		if err != nil {
			return err
		}
		if err := checkDesignator(u, p, code); err != nil {
			return err
		}
		if c.AlternateID == "" {
			return nil
		}
		if _, err := u.RemoveAlternate(code); err != nil {
			return err
		}
		return s.countryEvent(u, drafting.EventAlternateRevoked, code, map[string]any{
			"country": code, "user_id": c.AlternateID, "reason": "revoked by the head of delegation"})
	})
}

// speakerNow is the caller as its account is in this transaction, not as
// the request's token found it: a head replaced, or an account disabled,
// while the request was on its way speaks for nobody (the zero Speaker,
// also for an unknown account).
func speakerNow(u *unit, p auth.Principal) (drafting.Speaker, error) {
	me, err := u.User(p.ID)
	switch {
	case drafting.IsKind(err, drafting.KindNotFound):
		return drafting.Speaker{}, nil
	case err != nil:
		return drafting.Speaker{}, err
	case !me.Active:
		return drafting.Speaker{}, nil
	}
	return drafting.SpeakerOf(me), nil
}

// checkDesignator refuses anyone but code's head of delegation, as the
// caller is now (speakerNow).
func checkDesignator(u *unit, p auth.Principal, code string) error {
	me, err := speakerNow(u, p)
	if err != nil {
		return err
	}
	return me.CheckDesignator(code)
}

// revocation is a designation an account change ended: the country, the
// former alternate, and why.
type revocation struct{ country, userID, reason string }

// endDesignations ends, in the transaction that changed an account from
// before to after, the designations that no longer stand, and returns them
// for their events (the designations are written before the event counter
// is taken, here as in DesignateAlternate):
//   - the account's own designation as an alternate, when it no longer
//     qualifies (disabled, moved to another country or role, made a head)
//     or an admin set its password (whoever holds the account now is not
//     known to be whom the head designated): the head designates again;
//   - the alternate of a country whose head stopped being head: it was that
//     head's designation, and a country without a head would have nobody
//     to revoke it.
//
// A designation does not come back to life should the account be changed
// back.
func (s *Service) endDesignations(u *unit, before, after drafting.User, passwordSet bool) ([]revocation, error) {
	var out []revocation
	if code, err := u.AlternateOf(after.ID); err != nil {
		return nil, err
	} else if code != "" {
		reason := ""
		switch {
		case !drafting.QualifiesAsAlternate(after, code):
			reason = "the account no longer qualifies: it is not an active delegate of " + code + " below its head"
		case passwordSet:
			reason = "an admin set the account's password: the head designates it again if it is still to speak for " + code
		}
		if reason != "" {
			if _, err := u.RemoveAlternate(code); err != nil {
				return nil, err
			}
			out = append(out, revocation{code, after.ID, reason})
		}
	}
	if was := headOf(before); was != "" && was != headOf(after) {
		alternate, err := u.Alternate(was)
		if err != nil {
			return nil, err
		}
		if alternate != "" {
			if _, err := u.RemoveAlternate(was); err != nil {
				return nil, err
			}
			out = append(out, revocation{was, alternate, "the head of delegation who designated it is no longer head"})
		}
	}
	return out, nil
}

// countryEvent records a change of who may speak for a country — its
// alternate designated or revoked, its head of delegation changed — where
// those who follow the negotiation see it: in the event log of every
// guideline being drafted in which the country takes part (their live
// streams and webhooks). A country that takes part in none gets one event
// outside any guideline, as for country.created, so the change is always
// on record.
func (s *Service) countryEvent(u *unit, typ, code string, data map[string]any) error {
	gids, err := u.ParticipatingGuidelines(code)
	if err != nil {
		return err
	}
	if len(gids) == 0 {
		return u.emit(typ, "", code, data)
	}
	for _, gid := range gids {
		if err := u.emit(typ, gid, code, data); err != nil {
			return err
		}
	}
	return nil
}

// readCountry reads a country by code; anything that is not a code is 404
// before any query.
func readCountry(u *unit, code string) (drafting.Country, error) {
	if !countryCode.MatchString(code) {
		return drafting.Country{}, drafting.NotFound("country")
	}
	return u.Country(code)
}

// plausibleID reports whether id could be an account id, so that nothing a
// database would refuse (a NUL, invalid UTF-8, a megabyte) reaches a query.
func plausibleID(id string) bool {
	return id != "" && len(id) <= 64 && utf8.ValidString(id) && !strings.ContainsFunc(id, unicode.IsControl)
}

func optionalID(id string) any {
	if id == "" {
		return nil
	}
	return id
}

// Me is the caller's own account, with whether they are their country's
// alternate.
type Me struct {
	drafting.User
	// AlternateFor is the country the user is the designated alternate of
	// ("" when none).
	AlternateFor string
}

// Me reads the caller's account.
func (s *Service) Me(ctx context.Context, p auth.Principal) (Me, error) {
	var out Me
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		if out.User, err = tx.User(p.ID); err != nil {
			return err
		}
		out.AlternateFor, err = tx.AlternateOf(p.ID)
		return err
	})
	return out, err
}
