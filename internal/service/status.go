package service

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

func statusChanged(u *unit, c *drafting.Clause, from drafting.Status, data map[string]any) error {
	if data == nil {
		data = map[string]any{}
	}
	data["from"], data["to"], data["version"] = from, c.Status, c.Version
	return u.emit(drafting.EventClauseStatusChanged, c.GuidelineID, c.ID, data)
}

// OpenClause takes a clause from draft into discussion (facilitator).
// expect comes from If-Match.
func (s *Service) OpenClause(ctx context.Context, p auth.Principal, id string, expect Precondition) (ClauseView, error) {
	if err := requireFacilitator(p); err != nil {
		return ClauseView{}, err
	}
	return s.updateClause(ctx, p, id, expect, func(u *unit, c *drafting.Clause, g drafting.Guideline) error {
		positions, err := u.CurrentPositions(c.ID)
		if err != nil {
			return err
		}
		from := c.Status
		if err := c.Open(g.Participants, positions); err != nil {
			return err
		}
		return statusChanged(u, c, from, map[string]any{"reason": "opened for discussion"})
	})
}

// maxSilence bounds how far ahead a silence procedure may end.
const maxSilence = 366 * 24 * time.Hour

// StartSilence begins a silence procedure: unless a participating country
// objects before deadline, the clause is then agreed (facilitator). The
// deadline is at least the deployment's minimum silence ahead (422
// silence.deadline_too_soon otherwise), so every capital can be heard.
func (s *Service) StartSilence(ctx context.Context, p auth.Principal, id string, expect Precondition, deadline time.Time) (ClauseView, error) {
	if err := requireFacilitator(p); err != nil {
		return ClauseView{}, err
	}
	if deadline.IsZero() {
		return ClauseView{}, drafting.Invalid("silence.deadline_required", drafting.FieldError{Field: "deadline", Message: "required (RFC 3339)"})
	}
	deadline = deadline.UTC().Truncate(time.Microsecond)
	return s.updateClause(ctx, p, id, expect, func(u *unit, c *drafting.Clause, g drafting.Guideline) error {
		if deadline.Sub(u.now) > maxSilence {
			return drafting.Invalid("silence.deadline_too_far", drafting.FieldError{Field: "deadline", Message: "at most a year ahead"})
		}
		from := c.Status
		if err := c.StartSilence(deadline, u.now, s.minSilence); err != nil {
			return err
		}
		if err := statusChanged(u, c, from, map[string]any{"reason": "silence procedure", "deadline": deadline}); err != nil {
			return err
		}
		return u.emit(drafting.EventSilenceStarted, c.GuidelineID, c.ID, map[string]any{"deadline": deadline, "version": c.Version})
	})
}

// LockClause marks a clause in consensus as agreed (facilitator).
func (s *Service) LockClause(ctx context.Context, p auth.Principal, id string, expect Precondition) (ClauseView, error) {
	if err := requireFacilitator(p); err != nil {
		return ClauseView{}, err
	}
	return s.updateClause(ctx, p, id, expect, func(u *unit, c *drafting.Clause, g drafting.Guideline) error {
		from := c.Status
		positions, err := u.CurrentPositions(c.ID)
		if err != nil {
			return err
		}
		if err := c.Lock(g.Participants, positions, u.now); err != nil {
			return err
		}
		return statusChanged(u, c, from, map[string]any{"reason": "locked by the facilitator"})
	})
}

// ReopenClause takes an agreed clause (or one in silence) back into
// discussion; the reason is recorded with the event (facilitator).
func (s *Service) ReopenClause(ctx context.Context, p auth.Principal, id string, expect Precondition, reason string) (ClauseView, error) {
	if err := requireFacilitator(p); err != nil {
		return ClauseView{}, err
	}
	reason, err := drafting.CheckText("reason", reason)
	if err != nil {
		return ClauseView{}, err
	}
	if utf8.RuneCountInString(reason) > drafting.MaxNoteLen {
		return ClauseView{}, drafting.Invalid("clause.invalid", drafting.FieldError{Field: "reason", Message: "at most 2000 characters"})
	}
	return s.updateClause(ctx, p, id, expect, func(u *unit, c *drafting.Clause, g drafting.Guideline) error {
		positions, err := u.CurrentPositions(c.ID)
		if err != nil {
			return err
		}
		from := c.Status
		if err := c.Reopen(reason, g.Participants, positions, u.now); err != nil {
			return err
		}
		return statusChanged(u, c, from, map[string]any{"reason": reason, "reopened": true})
	})
}

// errSilenceGone means the clause is no longer in a due silence procedure:
// another replica (or a position, or the facilitator) got there first.
var errSilenceGone = errors.New("silence procedure no longer due")

// SweepSilence concludes every silence procedure whose deadline is at or
// before now: the clause becomes agreed and the participants that said
// nothing on its current version are recorded as deemed to agree. Each
// clause is concluded in its own transaction under the clause claim, so
// several replicas may sweep at once: a clause another one concluded is
// skipped. It returns how many clauses this call concluded.
func (s *Service) SweepSilence(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC()
	var due []string
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		due, err = tx.SilenceDue(now)
		return err
	})
	if err != nil {
		return 0, err
	}
	done := 0
	var firstErr error
	for _, id := range due {
		if err := s.endSilence(ctx, id, now); err != nil {
			if errors.Is(err, errSilenceGone) || errors.Is(err, errRaced) {
				continue
			}
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return done, err
			}
			s.log.ErrorContext(ctx, "conclude silence procedure", "clause_id", id, "err", err)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		done++
	}
	return done, firstErr
}

func (s *Service) endSilence(ctx context.Context, id string, now time.Time) error {
	system := auth.Principal{} // events of the sweep have no actor
	_, err := s.updateClause(ctx, system, id, AnyRevision, func(u *unit, c *drafting.Clause, g drafting.Guideline) error {
		if !c.SilenceDue(now) {
			return errSilenceGone
		}
		positions, err := u.CurrentPositions(c.ID)
		if err != nil {
			return err
		}
		deadline := *c.SilenceDeadline
		silent, err := c.EndSilence(g.Participants, positions, now)
		if err != nil {
			return err
		}
		c.UpdatedAt = u.now
		if c.Status == drafting.StatusContested {
			// A participant objects all the same (see EndSilence): the
			// procedure is broken, nobody is deemed to agree.
			objecting := drafting.Objecting(g.Participants, c.Version, positions)
			if err := u.emit(drafting.EventSilenceBroken, c.GuidelineID, c.ID, map[string]any{
				"countries": objecting, "version": c.Version, "deadline": deadline}); err != nil {
				return err
			}
			return statusChanged(u, c, drafting.StatusSilence, map[string]any{"reason": "the silence procedure ended with a participant objecting"})
		}
		deemed := make([]drafting.Position, len(silent))
		for i, country := range silent {
			deemed[i] = drafting.Position{ID: s.newID(), ClauseID: c.ID, Country: country, ClauseVersion: c.Version,
				Stance: drafting.StanceAgree, Deemed: true, CreatedAt: u.now}
		}
		if err := u.InsertPositions(c.ID, deemed); err != nil {
			return err
		}
		for _, d := range deemed {
			if err := u.emit(drafting.EventPositionRecorded, c.GuidelineID, c.ID, map[string]any{"clause_id": c.ID,
				"country": d.Country, "stance": d.Stance, "version": c.Version, "deemed": true}); err != nil {
				return err
			}
		}
		if silent == nil {
			silent = []string{}
		}
		if err := u.emit(drafting.EventSilenceEnded, c.GuidelineID, c.ID, map[string]any{
			"deadline": deadline, "version": c.Version, "deemed": silent}); err != nil {
			return err
		}
		return statusChanged(u, c, drafting.StatusSilence, map[string]any{"reason": "silence procedure ended without objection"})
	})
	return err
}

// RunSilenceSweeper concludes due silence procedures, and lapses
// agreements ad referendum whose confirmation deadline passed, now
// (catching up on deadlines that passed while no replica ran) and then
// every interval, until ctx is done.
func (s *Service) RunSilenceSweeper(ctx context.Context, every time.Duration) {
	runEvery(ctx, every, func() {
		if n, err := s.SweepSilence(ctx, s.clock()); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "silence sweep", "err", err)
		} else if n > 0 {
			s.log.InfoContext(ctx, "silence procedures concluded", "clauses", n)
		}
		if n, err := s.SweepAdReferendum(ctx, s.clock()); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "ad referendum sweep", "err", err)
		} else if n > 0 {
			s.log.InfoContext(ctx, "agreements ad referendum lapsed", "clauses", n)
		}
	})
}

// RunPurger drops expired Idempotency-Key records and stream tickets now and
// then every interval, until ctx is done.
func (s *Service) RunPurger(ctx context.Context, every time.Duration) {
	runEvery(ctx, every, func() {
		now := s.clock()
		if err := s.store.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.PurgeIdempotencyKeys(now); err != nil {
				return err
			}
			return tx.PurgeStreamTickets(now)
		}); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "purge idempotency keys and stream tickets", "err", err)
		}
	})
}

// runEvery runs fn now and then every interval (a second when not
// positive) until ctx is done.
func runEvery(ctx context.Context, every time.Duration, fn func()) {
	if every <= 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
