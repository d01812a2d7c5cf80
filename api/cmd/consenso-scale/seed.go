package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// copyChunk bounds the rows of one COPY, so the foreign-key checks queued
// for the end of each statement stay small; every chunk commits on its own.
const copyChunk = 100_000

// copyRows writes n rows into table through COPY, row(i) giving the i-th
// row's values in the order of cols.
func copyRows(ctx context.Context, conn *pgx.Conn, table string, cols []string, n int, row func(i int) []any) error {
	for from := 0; from < n; from += copyChunk {
		to := min(from+copyChunk, n)
		i := from
		_, err := conn.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
			if i == to {
				return nil, nil
			}
			i++
			return row(i - 1), nil
		}))
		if err != nil {
			return fmt.Errorf("copy into %s (rows %d–%d): %w", table, from, to, err)
		}
	}
	return nil
}

// seed writes the plan into a migrated, empty schema: every row through
// COPY, in the order the foreign keys need, then the event log and its
// counter. passwordHash is every account's.
func seed(ctx context.Context, conn *pgx.Conn, p *plan, passwordHash string) (lastEvent int64, err error) {
	s := p.Shape
	nu := len(p.Users)
	err = copyRows(ctx, conn, "users", []string{"id", "email", "name", "password_hash", "role", "country_code",
		"head_of_delegation", "active", "revision", "created_at", "updated_at"}, nu, func(i int) []any {
		u := p.Users[i]
		t := p.setupTime(i)
		return []any{u.ID, u.Email, u.Name, passwordHash, string(u.Role), nullable(u.Country), u.Head, true, 1, t, t}
	})
	if err != nil {
		return 0, err
	}
	fac := p.Users[p.Facilitator].ID
	gt := p.setupTime(nu)
	if err := copyRows(ctx, conn, "guidelines", []string{"id", "title", "slug", "languages", "status", "revision",
		"created_by", "created_at", "updated_at"}, 1, func(int) []any {
		return []any{p.GuidelineID, mustJSON(title("Regional guidelines (" + s.Name + " archive)")), "regional-guidelines-" + s.Name,
			mustJSON(languages), "drafting", 1, fac, gt, gt}
	}); err != nil {
		return 0, err
	}
	if err := copyRows(ctx, conn, "guideline_participants", []string{"guideline_id", "country_code"}, len(countries),
		func(i int) []any { return []any{p.GuidelineID, countries[i]} }); err != nil {
		return 0, err
	}
	if err := copyRows(ctx, conn, "sections", []string{"id", "guideline_id", "title", "position", "created_at"}, len(p.Sections),
		func(i int) []any {
			return []any{p.Sections[i], p.GuidelineID, mustJSON(title(fmt.Sprintf("Chapter %d", i+1))), i + 1, p.setupTime(nu + 1 + i)}
		}); err != nil {
		return 0, err
	}
	if err := copyRows(ctx, conn, "clauses", []string{"id", "guideline_id", "section_id", "position", "number", "status",
		"version", "revision", "created_at", "updated_at"}, len(p.Clauses), func(i int) []any {
		c := p.Clauses[i]
		return []any{c.ID, p.GuidelineID, p.Sections[c.Section], c.Position, c.Number, string(c.Status), c.Version, c.Revision,
			p.Versions[i].Created, c.Updated}
	}); err != nil {
		return 0, err
	}
	if err := copyRows(ctx, conn, "clause_versions", []string{"clause_id", "number", "text", "note", "incorporates",
		"author_id", "created_at"}, len(p.Versions), func(i int) []any {
		v := p.Versions[i]
		c := p.Clauses[v.Clause]
		return []any{c.ID, v.Number, mustJSON(versionText(c, v.Number)), versionNote(v.Number), "[]", fac, v.Created}
	}); err != nil {
		return 0, err
	}
	resolver := p.Users[p.Facilitator].ID
	if err := copyRows(ctx, conn, "comments", []string{"id", "guideline_id", "clause_id", "clause_version", "author_id",
		"country_code", "observer", "kind", "body", "proposed_text", "status", "resolution_note", "resolved_by", "resolved_at",
		"parent_id", "revision", "created_at", "updated_at"}, len(p.Comments), func(i int) []any {
		cm := p.Comments[i]
		c := p.Clauses[cm.Clause]
		a := p.Users[cm.Author]
		t := p.commentTime(i)
		kind := commentKinds[cm.Kind]
		var proposed any
		if kind == drafting.KindAmendment {
			proposed = mustJSON(proposedText(c, i))
		}
		status := commentStatuses[cm.Status]
		var note, by, at any = "", nil, nil
		revision, updated := 1, t
		if status != drafting.CommentOpen {
			revision, updated = 2, t.Add(p.commentEvery/4)
		}
		if status == drafting.CommentAddressed || status == drafting.CommentDeclined {
			note, by, at = resolutionNote(status), resolver, updated
		}
		var parent any
		if cm.Parent >= 0 {
			parent = p.Comments[cm.Parent].ID.String()
		}
		return []any{cm.ID.String(), p.GuidelineID, c.ID, int(cm.Version), a.ID, commentCountry(a), a.Role == drafting.RoleObserver,
			string(kind), commentBody(i), proposed, string(status), note, by, at, parent, revision, t, updated}
	}); err != nil {
		return 0, err
	}
	// The comments came by COPY, past the store: count them as it would have.
	if _, err := conn.Exec(ctx, store.RecountCommentsSQL); err != nil {
		return 0, fmt.Errorf("count comments: %w", err)
	}
	if err := copyRows(ctx, conn, "positions", []string{"id", "clause_id", "country_code", "clause_version", "stance",
		"reservation", "reason", "recorded_by", "recorded_as", "deemed", "superseded", "created_at"}, len(p.Positions), func(i int) []any {
		ps := p.Positions[i]
		c := p.Clauses[ps.Clause]
		reservation, reason := stanceTexts(ps.Stance)
		return []any{ps.ID, c.ID, ps.Country, c.Version, string(ps.Stance), reservation, reason, p.Users[ps.Author].ID,
			drafting.RecordedAsHead, false, false, ps.Created}
	}); err != nil {
		return 0, err
	}
	return seedEvents(ctx, conn, p)
}

// seedEvents writes the event log the plan's history would have written,
// in time order with gap-free ids from 1, and sets the counter to its end.
func seedEvents(ctx context.Context, conn *pgx.Conn, p *plan) (int64, error) {
	var evs []eventRow
	n := int64(0)
	flush := func() error {
		rows := evs
		evs = evs[:0]
		return copyRows(ctx, conn, "events", []string{"id", "guideline_id", "type", "actor_id", "subject_id", "data", "created_at"},
			len(rows), func(i int) []any {
				e := rows[i]
				return []any{e.ID, e.Guideline, e.Type, e.Actor, e.Subject, e.Data, e.At}
			})
	}
	err := p.events(func(e eventRow) error {
		n++
		e.ID = n
		evs = append(evs, e)
		if len(evs) == copyChunk {
			return flush()
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if err := flush(); err != nil {
		return 0, err
	}
	_, err = conn.Exec(ctx, "UPDATE event_counter SET value = $1 WHERE id = 1", n)
	return n, err
}

// eventRow is one row of the log; ID is assigned as it is written.
type eventRow struct {
	ID        int64
	Guideline any // string, or nil for account events
	Type      string
	Actor     any
	Subject   string
	Data      string
	At        time.Time
}

// events replays the plan's history in time order, calling emit for each
// event the service would have recorded.
func (p *plan) events(emit func(eventRow) error) error {
	admin, fac := p.Users[p.Admin].ID, p.Users[p.Facilitator].ID
	g := p.GuidelineID
	ev := func(typ string, actor any, subject string, at time.Time, data map[string]any) error {
		return emit(eventRow{Guideline: g, Type: typ, Actor: actor, Subject: subject, Data: mustJSON(data), At: at})
	}
	for i, u := range p.Users {
		var actor any = admin
		if i == p.Admin {
			actor = nil // the first admin is made at start-up
		}
		if err := emit(eventRow{Type: drafting.EventUserCreated, Actor: actor, Subject: u.ID, At: p.setupTime(i),
			Data: mustJSON(map[string]any{"email": u.Email, "role": u.Role, "country": u.Country})}); err != nil {
			return err
		}
	}
	nu := len(p.Users)
	if err := ev(drafting.EventGuidelineCreated, fac, g, p.setupTime(nu), map[string]any{
		"title": title("Regional guidelines (" + p.Shape.Name + " archive)"), "participants": countries, "languages": languages}); err != nil {
		return err
	}
	for i, sec := range p.Sections {
		if err := ev(drafting.EventSectionCreated, fac, sec, p.setupTime(nu+1+i), map[string]any{
			"title": title(fmt.Sprintf("Chapter %d", i+1)), "position": i + 1}); err != nil {
			return err
		}
	}
	for i, c := range p.Clauses {
		v := p.Versions[i]
		if err := ev(drafting.EventClauseCreated, fac, c.ID, v.Created, map[string]any{"number": c.Number,
			"section_id": p.Sections[c.Section], "version": 1, "text": versionText(c, 1)}); err != nil {
			return err
		}
		if err := ev(drafting.EventClauseStatusChanged, fac, c.ID, v.Created.Add(setupStep), map[string]any{
			"from": drafting.StatusDraft, "to": drafting.StatusOpen, "version": 1, "reason": "opened for discussion"}); err != nil {
			return err
		}
	}
	next := len(p.Clauses) // the versions after the first ones, in time order
	for i, cm := range p.Comments {
		c := p.Clauses[cm.Clause]
		a := p.Users[cm.Author]
		parent := ""
		if cm.Parent >= 0 {
			parent = p.Comments[cm.Parent].ID.String()
		}
		id := cm.ID.String()
		t := p.commentTime(i)
		if err := ev(drafting.EventCommentCreated, a.ID, id, t, map[string]any{"clause_id": c.ID, "clause_version": cm.Version,
			"country": a.Country, "observer": a.Role == drafting.RoleObserver, "kind": commentKinds[cm.Kind], "parent_id": parent}); err != nil {
			return err
		}
		switch status := commentStatuses[cm.Status]; status {
		case drafting.CommentAddressed, drafting.CommentDeclined:
			if err := ev(drafting.EventCommentResolved, fac, id, t.Add(p.commentEvery/4), map[string]any{
				"clause_id": c.ID, "status": status, "note": resolutionNote(status)}); err != nil {
				return err
			}
		case drafting.CommentWithdrawn:
			if err := ev(drafting.EventCommentWithdrawn, a.ID, id, t.Add(p.commentEvery/4), map[string]any{"clause_id": c.ID}); err != nil {
				return err
			}
		}
		for ; next < len(p.Versions) && p.Versions[next].After == i; next++ {
			v := p.Versions[next]
			c := p.Clauses[v.Clause]
			if err := ev(drafting.EventClauseTextChanged, fac, c.ID, v.Created, map[string]any{"from_version": v.Number - 1,
				"to_version": v.Number, "note": versionNote(v.Number), "incorporates": []string{},
				"before": versionText(c, v.Number-1), "after": versionText(c, v.Number)}); err != nil {
				return err
			}
		}
	}
	for ; next < len(p.Versions); next++ { // a plan without comments
		v := p.Versions[next]
		c := p.Clauses[v.Clause]
		if err := ev(drafting.EventClauseTextChanged, fac, c.ID, v.Created, map[string]any{"from_version": v.Number - 1,
			"to_version": v.Number, "note": versionNote(v.Number), "incorporates": []string{},
			"before": versionText(c, v.Number-1), "after": versionText(c, v.Number)}); err != nil {
			return err
		}
	}
	for _, ps := range p.Positions {
		c := p.Clauses[ps.Clause]
		by := p.Users[ps.Author].ID
		reservation, reason := stanceTexts(ps.Stance)
		if err := ev(drafting.EventPositionRecorded, by, c.ID, ps.Created, map[string]any{"clause_id": c.ID, "country": ps.Country,
			"stance": ps.Stance, "version": c.Version, "reservation": reservation, "reason": reason, "recorded_by": by,
			"recorded_as": drafting.RecordedAsHead, "previous_stance": nil}); err != nil {
			return err
		}
		if ps.From != ps.To {
			if err := ev(drafting.EventClauseStatusChanged, by, c.ID, ps.Created, map[string]any{
				"from": ps.From, "to": ps.To, "reason": "position of " + ps.Country}); err != nil {
				return err
			}
		}
	}
	for _, l := range p.Locks {
		c := p.Clauses[l.Clause]
		if err := ev(drafting.EventClauseStatusChanged, fac, c.ID, l.At, map[string]any{"from": drafting.StatusConsensus,
			"to": drafting.StatusAgreed, "version": c.Version, "reason": "locked by the facilitator"}); err != nil {
			return err
		}
	}
	return nil
}

func versionText(c clause, n int) drafting.Text {
	return drafting.Text{"en": clauseText(c, n, "en"), "es": clauseText(c, n, "es")}
}

func versionNote(n int) string {
	if n == 1 {
		return ""
	}
	return fmt.Sprintf("Text after session %d", n)
}

func proposedText(c clause, i int) drafting.Text {
	return drafting.Text{
		"en": fmt.Sprintf("States shall ensure that consular officials identify and assist victims without delay (amendment %d to %s).", i, c.Number),
		"es": fmt.Sprintf("Los Estados velarán por que los funcionarios consulares identifiquen y asistan a las víctimas sin demora (enmienda %d a %s).", i, c.Number),
	}
}

func commentBody(i int) string { return fmt.Sprintf(commentBodies[i%len(commentBodies)], i) }

func resolutionNote(s drafting.CommentStatus) string {
	if s == drafting.CommentDeclined {
		return "Declined in plenary: the wording follows the agreed national workshop outcomes."
	}
	return "Addressed in the facilitator's revised text."
}

func stanceTexts(s drafting.Stance) (reservation, reason string) {
	switch s {
	case drafting.StanceAgreeReservation:
		return "Subject to the national law on consular protection.", ""
	case drafting.StanceObject:
		return "", "The deadline is incompatible with our national referral procedure."
	}
	return "", ""
}

// commentCountry is the country a comment carries: its author's, for
// delegates only (observers and facilitators speak for no country).
func commentCountry(u user) any {
	if u.Role == drafting.RoleDelegate {
		return u.Country
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain maps and slices only
	}
	return string(b)
}

// quoteIdent quotes a PostgreSQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
