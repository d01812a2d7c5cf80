package service

import (
	"context"
	"errors"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// lapseDue lapses, in u, every current agreement ad referendum on c whose
// confirmation deadline passed at now: the country is pending again, a
// position.lapsed event says so, and the clause's status is derived again
// (drafting.ApplyLapse). It returns the current positions left.
func (s *Service) lapseDue(u *unit, c *drafting.Clause, participants []string, current []drafting.Position, now time.Time) ([]drafting.Position, error) {
	var lapsed []drafting.Position
	kept := current[:0:0]
	for _, p := range current {
		if p.LapseDue(now) {
			lapsed = append(lapsed, p)
			continue
		}
		kept = append(kept, p)
	}
	if len(lapsed) == 0 {
		return current, nil
	}
	ids := make([]string, len(lapsed))
	for i, p := range lapsed {
		ids[i] = p.ID
	}
	if err := u.LapsePositions(c.ID, ids, u.now); err != nil {
		return nil, err
	}
	for _, p := range lapsed {
		if err := u.emit(drafting.EventPositionLapsed, c.GuidelineID, c.ID, map[string]any{"clause_id": c.ID,
			"country": p.Country, "stance": p.Stance, "version": p.ClauseVersion, "confirm_by": *p.ConfirmBy}); err != nil {
			return nil, err
		}
	}
	from := c.Status
	c.ApplyLapse(participants, kept, u.now)
	if from != c.Status {
		countries := make([]string, len(lapsed))
		for i, p := range lapsed {
			countries[i] = p.Country
		}
		if err := statusChanged(u, c, from, map[string]any{"reason": "agreement ad referendum lapsed unconfirmed", "countries": countries}); err != nil {
			return nil, err
		}
	}
	return kept, nil
}

// errNothingLapsed means the clause holds no due agreement ad referendum
// any more: another replica (or the country) got there first.
var errNothingLapsed = errors.New("no agreement ad referendum due")

// SweepAdReferendum lapses every current agreement ad referendum whose
// confirmation deadline is at or before now, one clause per transaction
// under the clause claim (so several replicas may sweep at once). It
// returns how many clauses this call changed.
func (s *Service) SweepAdReferendum(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC()
	var due []string
	if err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		due, err = tx.AdReferendumDue(now)
		return err
	}); err != nil {
		return 0, err
	}
	done := 0
	var firstErr error
	for _, id := range due {
		_, err := s.updateClause(ctx, auth.Principal{}, id, AnyRevision, func(u *unit, c *drafting.Clause, g drafting.Guideline) error {
			current, err := u.CurrentPositions(c.ID)
			if err != nil {
				return err
			}
			kept, err := s.lapseDue(u, c, g.Participants, current, now)
			if err != nil {
				return err
			}
			if len(kept) == len(current) {
				return errNothingLapsed
			}
			return nil
		})
		switch {
		case err == nil:
			done++
		case errors.Is(err, errNothingLapsed) || errors.Is(err, errRaced):
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			return done, err
		default:
			s.log.ErrorContext(ctx, "lapse agreements ad referendum", "clause_id", id, "err", err)
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	return done, firstErr
}
