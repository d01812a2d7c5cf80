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
	// RecordedAs is the capacity RecordedBy spoke in (drafting.RecordedAs…).
	RecordedAs string
	// Recorder is who RecordedBy is; nil when deemed or pending.
	Recorder *Person
	Deemed   bool
	// AdReferendum marks an agreement awaiting the capital's
	// confirmation by ConfirmBy.
	AdReferendum bool
	ConfirmBy    *time.Time
	// Acceptable lists the alternatives an agreement accepts.
	Acceptable []string
	RecordedAt *time.Time
}

func positionView(country string, p *drafting.Position, version int) PositionView {
	if p == nil {
		return PositionView{Country: country, Stance: drafting.CellPending}
	}
	at := p.CreatedAt
	return PositionView{Country: country, Stance: string(p.Stance), ClauseVersion: p.ClauseVersion,
		Current: p.ClauseVersion == version, Reservation: p.Reservation, Reason: p.Reason, RecordedBy: p.RecordedBy,
		RecordedAs: p.RecordedAs, Deemed: p.Deemed, AdReferendum: p.AdReferendum, ConfirmBy: p.ConfirmBy, Acceptable: p.Acceptable, RecordedAt: &at}
}

// Recorded is a position just recorded and the clause after it.
type Recorded struct {
	Position PositionView
	Clause   ClauseView
}

// SetPosition records country's position on a clause. Only the country
// speaks for itself: its head of delegation, or the alternate the head
// designated from its delegation (recorded_as tells which). Facilitators and
// admins are refused whatever they ask: a country's objection cannot be
// turned into agreement by anyone else. The designation is read in the
// transaction that records the position, so a revocation takes effect at
// once. The clause's status is derived again from every current position in
// the same transaction; an objection breaks a silence procedure.
func (s *Service) SetPosition(ctx context.Context, p auth.Principal, clauseID, country string, in drafting.PositionInput) (Recorded, error) {
	country = strings.ToUpper(strings.TrimSpace(country))
	if !p.CanReadDrafts() || p.Role == drafting.RoleObserver {
		return Recorded{}, forbidden("observers and integrations cannot hold positions")
	}
	notYours := forbidden("only the head of delegation of " + country + ", or the alternate that head designated, records its position; nobody else does, facilitators and admins included")
	// Only a delegate of the country could be its head or its alternate:
	// everyone else is refused before anything is read.
	if _, maybe := p.Speaker().SpeaksFor(country, p.ID); !maybe {
		return Recorded{}, notYours
	}
	var t drafting.Texts
	in.Reservation = t.Text("reservation", in.Reservation)
	in.Reason = t.Text("reason", in.Reason)
	in.Stance = drafting.Stance(t.Plain("stance", string(in.Stance)))
	if err := t.Err(); err != nil {
		return Recorded{}, err
	}
	in, err := in.Validate()
	if err != nil {
		return Recorded{}, err
	}
	var out Recorded
	view, err := s.updateClause(ctx, p, clauseID, AnyRevision, func(u *unit, c *drafting.Clause, g drafting.Guideline) error {
		// Who speaks for the country is read in this transaction — the
		// caller's account as the designation — not taken from the
		// request's start: a head replaced, or an alternate revoked, while
		// the request was on its way no longer speaks.
		alternate, err := u.Alternate(country)
		if err != nil {
			return err
		}
		me, err := speakerNow(u, p)
		if err != nil {
			return err
		}
		as, ok := me.SpeaksFor(country, alternate)
		if !ok {
			return notYours
		}
		if !g.IsParticipant(country) {
			return drafting.Invalid("position.not_participant",
				drafting.FieldError{Field: "country", Message: country + " is not a participating country of this guideline"})
		}
		if err := c.CheckPosition(in, u.now); err != nil {
			return err
		}
		acceptable, err := c.AcceptableLabels(in)
		if err != nil {
			return err
		}
		in.Acceptable = acceptable
		current, err := u.CurrentPositions(c.ID)
		if err != nil {
			return err
		}
		// An agreement ad referendum whose deadline passed lapses before
		// anything else is recorded, visibly, even if the sweep has not
		// come by yet.
		if current, err = s.lapseDue(u, c, g.Participants, current, u.now); err != nil {
			return err
		}
		if same := repeatedPosition(current, country, c.Version, in); same != nil {
			out.Position = positionView(country, same, c.Version)
			pp, err := readPeople(u.Tx, same.RecordedBy)
			if err != nil {
				return err
			}
			out.Position.Recorder = pp.Of(same.RecordedBy)
			return errUnchanged
		}
		pos := drafting.Position{ID: s.newID(), ClauseID: c.ID, Country: country, ClauseVersion: c.Version, Stance: in.Stance,
			Reservation: in.Reservation, Reason: in.Reason, RecordedBy: p.ID, RecordedAs: as, AdReferendum: in.AdReferendum, Acceptable: acceptable, CreatedAt: u.now}
		if in.ConfirmBy != nil {
			d := in.ConfirmBy.UTC().Truncate(time.Microsecond)
			pos.ConfirmBy = &d
		}
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
			"reservation": pos.Reservation, "reason": pos.Reason, "recorded_by": p.ID, "recorded_as": as, "previous_stance": nil,
			"ad_referendum": pos.AdReferendum, "acceptable": nonNil(pos.Acceptable)}
		if pos.ConfirmBy != nil {
			data["confirm_by"] = *pos.ConfirmBy
		}
		if previous != nil {
			data["previous_stance"] = previous.Stance
			data["previous_version"] = previous.ClauseVersion
			if previous.AdReferendum && previous.ClauseVersion == c.Version {
				// The capital answered: a plain agreement confirms it,
				// anything else withdraws it.
				data["ad_referendum_confirmed"] = !pos.AdReferendum && (pos.Stance == drafting.StanceAgree || pos.Stance == drafting.StanceAgreeReservation)
			}
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
		pp, err := readPeople(u.Tx, pos.RecordedBy)
		out.Position.Recorder = pp.Of(pos.RecordedBy)
		return err
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
		out, err = participantPositions(tx, c, g)
		return err
	})
	return c, out, err
}

// participantPositions lists one row per participating country of g: its
// current position on clause c (stale ones marked not current) or pending,
// with who recorded it — two statements, whatever the number of countries.
func participantPositions(tx *store.Tx, c drafting.Clause, g drafting.Guideline) ([]PositionView, error) {
	current, err := tx.CurrentPositions(c.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(current))
	for i := range current {
		ids[i] = current[i].RecordedBy
	}
	pp, err := readPeople(tx, ids...)
	if err != nil {
		return nil, err
	}
	return positionViews(c, g, current, pp), nil
}

// positionViews makes the rows of participantPositions from the current
// positions and the people who recorded them.
func positionViews(c drafting.Clause, g drafting.Guideline, current []drafting.Position, pp People) []PositionView {
	byCountry := map[string]*drafting.Position{}
	for i := range current {
		byCountry[current[i].Country] = &current[i]
	}
	out := make([]PositionView, len(g.Participants))
	for i, country := range g.Participants {
		out[i] = positionView(country, byCountry[country], c.Version)
		out[i].Recorder = pp.Of(out[i].RecordedBy)
	}
	return out
}

// PositionRecord is an entry of a clause's position history.
type PositionRecord struct {
	drafting.Position
	// Superseded is true once the country recorded a later position (or
	// its agreement ad referendum lapsed).
	Superseded bool
	// LapsedAt is when an agreement ad referendum lapsed unconfirmed.
	LapsedAt *time.Time
	// Recorder is who RecordedBy is; nil when deemed.
	Recorder *Person
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
	var pp People
	next := ""
	err := s.read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Clause(clauseID); err != nil {
			return err
		}
		var err error
		if rows, err = tx.PositionHistory(clauseID, after, page.Limit+1); err != nil {
			return err
		}
		if len(rows) > page.Limit {
			rows = rows[:page.Limit]
			last := rows[len(rows)-1]
			next = encodeCursor(store.PositionCursor{CreatedAt: last.CreatedAt, ID: last.ID})
		}
		ids := make([]string, len(rows))
		for i, r := range rows {
			ids[i] = r.RecordedBy
		}
		pp, err = readPeople(tx, ids...)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]PositionRecord, len(rows))
	for i, r := range rows {
		out[i] = PositionRecord{Position: r.Position, Superseded: r.Superseded, LapsedAt: r.LapsedAt, Recorder: pp.Of(r.RecordedBy)}
	}
	return out, next, nil
}
