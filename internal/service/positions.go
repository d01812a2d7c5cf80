package service

import (
	"context"
	"strings"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// PositionView is one participating country's standing on a clause.
type PositionView struct {
	Country string
	// Stance is the current position's stance, or "pending" when the
	// country has none.
	Stance        string
	ClauseVersion int // 0 when pending
	// Current is false for a position on an earlier version (stale) and
	// for pending.
	Current     bool
	Reservation string
	Reason      string
	RecordedBy  string
	Deemed      bool
	RecordedAt  *time.Time
}

func positionView(country string, p *drafting.Position, version int) PositionView {
	if p == nil {
		return PositionView{Country: country, Stance: drafting.CellPending}
	}
	at := p.CreatedAt
	return PositionView{Country: country, Stance: string(p.Stance), ClauseVersion: p.ClauseVersion,
		Current: p.ClauseVersion == version, Reservation: p.Reservation, Reason: p.Reason, RecordedBy: p.RecordedBy,
		Deemed: p.Deemed, RecordedAt: &at}
}

// Recorded is a position just recorded and the clause after it.
type Recorded struct {
	Position PositionView
	Clause   ClauseView
}

// SetPosition records country's position on a clause: by that country's
// head of delegation, or by a facilitator in session (recorded_by tells
// which). The clause's status is derived again from every current position
// in the same transaction; an objection breaks a silence procedure.
func (s *Service) SetPosition(ctx context.Context, p auth.Principal, clauseID, country string, in drafting.PositionInput) (Recorded, error) {
	country = strings.ToUpper(strings.TrimSpace(country))
	if !p.CanReadDrafts() || p.Role == drafting.RoleObserver {
		return Recorded{}, forbidden("observers and integrations cannot hold positions")
	}
	if !p.CanSetPosition(country) {
		return Recorded{}, forbidden("only the head of delegation of " + country + " (or a facilitator in session) records its position")
	}
	in, err := in.Validate()
	if err != nil {
		return Recorded{}, err
	}
	var out Recorded
	view, err := s.updateClause(ctx, p, clauseID, AnyRevision, func(u *unit, c *drafting.Clause, g drafting.Guideline) error {
		if !g.IsParticipant(country) {
			return drafting.Invalid("position.not_participant",
				drafting.FieldError{Field: "country", Message: country + " is not a participating country of this guideline"})
		}
		if err := c.CheckPosition(in, u.now); err != nil {
			return err
		}
		current, err := u.CurrentPositions(c.ID)
		if err != nil {
			return err
		}
		if same := repeatedPosition(current, country, c.Version, in); same != nil {
			out.Position = positionView(country, same, c.Version)
			return errUnchanged
		}
		pos := drafting.Position{ID: s.newID(), ClauseID: c.ID, Country: country, ClauseVersion: c.Version, Stance: in.Stance,
			Reservation: in.Reservation, Reason: in.Reason, RecordedBy: p.ID, CreatedAt: u.now}
		var previous *drafting.Position
		all := make([]drafting.Position, 0, len(current)+1)
		for i := range current {
			if current[i].Country == country {
				previous = &current[i]
				continue
			}
			all = append(all, current[i])
		}
		all = append(all, pos)
		if err := u.InsertPositions(c.ID, []drafting.Position{pos}); err != nil {
			return err
		}
		from := c.Status
		c.ApplyPosition(g.Participants, pos, all, u.now)
		data := map[string]any{"clause_id": c.ID, "country": country, "stance": pos.Stance, "version": c.Version,
			"reservation": pos.Reservation, "reason": pos.Reason, "recorded_by": p.ID, "previous_stance": nil}
		if previous != nil {
			data["previous_stance"] = previous.Stance
			data["previous_version"] = previous.ClauseVersion
		}
		if err := u.emit(drafting.EventPositionRecorded, c.GuidelineID, c.ID, data); err != nil {
			return err
		}
		if from != c.Status {
			if from == drafting.StatusSilence {
				if err := u.emit(drafting.EventSilenceBroken, c.GuidelineID, c.ID, map[string]any{
					"country": country, "reason": pos.Reason, "version": c.Version}); err != nil {
					return err
				}
			}
			if err := statusChanged(u, c, from, map[string]any{"reason": "position of " + country}); err != nil {
				return err
			}
		}
		out.Position = positionView(country, &pos, c.Version)
		return nil
	})
	out.Clause = view
	return out, err
}

// Positions lists one row per participating country of the clause's
// guideline: its current stance (stale ones marked not current) or pending.
func (s *Service) Positions(ctx context.Context, p auth.Principal, clauseID string) (drafting.Clause, []PositionView, error) {
	if err := requireDraftReader(p); err != nil {
		return drafting.Clause{}, nil, err
	}
	var out []PositionView
	var c drafting.Clause
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		c, err = tx.Clause(clauseID)
		if err != nil {
			return err
		}
		g, err := tx.Guideline(c.GuidelineID)
		if err != nil {
			return err
		}
		current, err := tx.CurrentPositions(c.ID)
		if err != nil {
			return err
		}
		byCountry := map[string]*drafting.Position{}
		for i := range current {
			byCountry[current[i].Country] = &current[i]
		}
		out = make([]PositionView, len(g.Participants))
		for i, country := range g.Participants {
			out[i] = positionView(country, byCountry[country], c.Version)
		}
		return nil
	})
	return c, out, err
}

// PositionRecord is an entry of a clause's position history.
type PositionRecord struct {
	drafting.Position
	// Superseded is true once the country recorded a later position.
	Superseded bool
}

// PositionHistory lists every position ever recorded on a clause, newest
// first.
func (s *Service) PositionHistory(ctx context.Context, p auth.Principal, clauseID string, page Page) ([]PositionRecord, string, error) {
	if err := requireDraftReader(p); err != nil {
		return nil, "", err
	}
	var after *store.PositionCursor
	if page.Cursor != "" {
		after = &store.PositionCursor{}
		if err := page.decode(after); err != nil {
			return nil, "", err
		}
	}
	var rows []store.PositionRecord
	err := s.read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Clause(clauseID); err != nil {
			return err
		}
		var err error
		rows, err = tx.PositionHistory(clauseID, after, page.Limit+1)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > page.Limit {
		rows = rows[:page.Limit]
		last := rows[len(rows)-1]
		next = encodeCursor(store.PositionCursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	out := make([]PositionRecord, len(rows))
	for i, r := range rows {
		out[i] = PositionRecord{Position: r.Position, Superseded: r.Superseded}
	}
	return out, next, nil
}
