package service

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/render"
	"github.com/rcm-iom/consenso/internal/store"
)

// ClauseView is a clause with what a reader needs beside it.
type ClauseView struct {
	drafting.Clause
	// Missing lists the guideline languages the current version lacks.
	Missing []string
}

func viewOf(c drafting.Clause, g drafting.Guideline) ClauseView {
	return ClauseView{Clause: c, Missing: drafting.MissingLanguages(g.Languages, c.Text)}
}

// maxClaimAttempts bounds the retries of a clause change that lost a race
// without an If-Match (positions, status changes): it is simply run again on
// the newer state. Each loss means another writer committed, so with eight
// delegations recording positions at the same moment the last needs eight
// attempts; the bound leaves room for far more.
const maxClaimAttempts = 32

// updateClause is the one way a clause changes: in one transaction, load the
// clause and its guideline, check the caller's precondition (If-Match),
// claim the clause with a conditional UPDATE on its revision, let fn apply a
// domain rule, and save. A lost race is a 412 with If-Match and a retry
// without. fn returns errUnchanged when the request changes nothing: the
// transaction is rolled back, claim included, and the clause is answered as
// it was, revision (ETag) and all.
func (s *Service) updateClause(ctx context.Context, p auth.Principal, id string, expect Precondition,
	fn func(u *unit, c *drafting.Clause, g drafting.Guideline) error) (ClauseView, error) {
	var view ClauseView
	for attempt := 1; ; attempt++ {
		raced := false
		err := s.write(ctx, p.ID, func(u *unit) error {
			c, g, err := clauseAndGuideline(u.Tx, id)
			if err != nil {
				return err
			}
			if !expect.Admits(c.Revision) {
				return errStale("clause")
			}
			before := viewOf(c, g)
			ok, err := u.ClaimClause(c.ID, c.Revision, u.now)
			if err != nil {
				return err
			}
			if !ok {
				if expect.Pinned() {
					return errStale("clause")
				}
				raced = true
				return errRaced
			}
			c.Revision++
			c.UpdatedAt = u.now
			if err := fn(u, &c, g); err != nil {
				if errors.Is(err, errUnchanged) {
					view = before
				}
				return err
			}
			if err := u.SaveClause(c); err != nil {
				return err
			}
			view = viewOf(c, g)
			return nil
		})
		if raced && attempt < maxClaimAttempts {
			continue
		}
		if errors.Is(err, errUnchanged) {
			return view, nil
		}
		return view, err
	}
}

var errRaced = drafting.Errorf(drafting.KindConflict, "clause.busy", "the clause is being changed by someone else; try again")

// NewClause is a facilitator's request to add a clause.
type NewClause struct {
	SectionID string
	// Number "s.c" or Position c places the clause; neither appends it.
	Number   string
	Position int
	Text     drafting.Text
	Note     string
	// action, set by CreateActionOnce only, makes the clause an action of
	// the implementation plan with these details at version 1.
	action *drafting.ActionDetails
}

var numberPattern = regexp.MustCompile(`^(\d{1,4})\.(\d{1,4})$`)

// CreateClause adds a clause in draft status with version 1.
func (s *Service) CreateClause(ctx context.Context, p auth.Principal, gid string, in NewClause) (ClauseView, error) {
	out, err := s.CreateClauseOnce(ctx, p, gid, in, Idempotency{})
	return out.Value, err
}

// CreateClauseOnce is CreateClause honouring an Idempotency-Key.
func (s *Service) CreateClauseOnce(ctx context.Context, p auth.Principal, gid string, in NewClause, idem Idempotency) (Created[ClauseView], error) {
	return createOnce(ctx, s, p, idem, creation[ClauseView]{
		scope:  "clause",
		create: func(u *unit) (ClauseView, error) { return s.createClause(u, p, gid, in) },
		ref:    func(v ClauseView) string { return v.ID },
		load: func(tx *store.Tx, id string) (ClauseView, error) {
			c, g, err := clauseAndGuideline(tx, id)
			return viewOf(c, g), err
		},
	})
}

func (s *Service) createClause(u *unit, p auth.Principal, gid string, in NewClause) (ClauseView, error) {
	if err := requireFacilitator(p); err != nil {
		return ClauseView{}, err
	}
	var t drafting.Texts
	in.Text = t.Map("text", in.Text)
	in.Note = t.Text("note", in.Note)
	in.Number = t.Plain("number", in.Number)
	if err := t.Err(); err != nil {
		return ClauseView{}, err
	}
	var view ClauseView
	g, err := u.Guideline(gid)
	if err != nil {
		return view, err
	}
	if err := u.ClaimGuideline(gid, u.now); err != nil {
		return view, err
	}
	var errs drafting.Fields
	text, terrs := drafting.ValidateText("text", g.Languages, in.Text)
	errs = append(errs, terrs...)
	note := drafting.CleanText(in.Note)
	if utf8.RuneCountInString(note) > drafting.MaxNoteLen {
		errs.Add("note", "at most 2000 characters")
	}
	var sec drafting.Section
	if in.SectionID == "" {
		errs.Add("section_id", "required")
	} else if !checkIDField(&errs, "section_id", in.SectionID, "no such section in this guideline") {
	} else if sec, err = u.Section(in.SectionID); err != nil || sec.GuidelineID != gid {
		if err != nil && !drafting.IsKind(err, drafting.KindNotFound) {
			return view, err
		}
		errs.Add("section_id", "no such section in this guideline")
	}
	if sec.ID != "" && (sec.Kind == drafting.SectionPlan) != (in.action != nil) {
		if in.action == nil {
			errs.Add("section_id", "a section of the implementation plan holds actions: POST /guidelines/{gid}/actions")
		} else {
			errs.Add("section_id", "actions go in a section of the implementation plan (kind plan)")
		}
	}
	pos := in.Position
	if in.Number != "" {
		m := numberPattern.FindStringSubmatch(in.Number)
		if m == nil {
			errs.Add("number", `must look like "3.2"`)
		} else if sp, _ := strconv.Atoi(m[1]); sec.ID != "" && sp != sec.Position {
			errs.Add("number", fmt.Sprintf("section %s is number %d", sec.ID, sec.Position))
		} else if pos, _ = strconv.Atoi(m[2]); pos < 1 {
			// "3.0" would otherwise fall through to "append".
			errs.Add("number", "clause numbers start at 1")
		}
	}
	if pos < 0 {
		errs.Add("position", "must be 1 or more")
	}
	if err := errs.Err("clause.invalid"); err != nil {
		return view, err
	}
	count, err := u.CountClauses(sec.ID)
	if err != nil {
		return view, err
	}
	if pos == 0 || pos > count+1 {
		pos = count + 1
	}
	c := drafting.Clause{ID: s.newID(), GuidelineID: gid, SectionID: sec.ID, Position: pos,
		Number: drafting.Numbering(sec.Position, pos), Status: drafting.StatusDraft, Version: 1, Revision: 1,
		CreatedAt: u.now, UpdatedAt: u.now, Text: text}
	if err := u.InsertClause(c); err != nil {
		return view, err
	}
	if err := u.InsertVersion(drafting.Version{ClauseID: c.ID, Number: 1, Text: text, Note: note, AuthorID: p.ID, CreatedAt: u.now}); err != nil {
		return view, err
	}
	if in.action != nil {
		if err := u.InsertActionDetails(c.ID, 1, *in.action); err != nil {
			return view, err
		}
	}
	if err := u.Renumber(gid, u.now); err != nil {
		return view, err
	}
	view = viewOf(c, g)
	return view, u.emit(drafting.EventClauseCreated, gid, c.ID, map[string]any{"number": c.Number, "section_id": sec.ID, "version": 1, "text": text})
}

// Clause reads a clause with its current text.
func (s *Service) Clause(ctx context.Context, p auth.Principal, id string) (ClauseView, error) {
	if err := requireDraftReader(p); err != nil {
		return ClauseView{}, err
	}
	var view ClauseView
	err := s.read(ctx, func(tx *store.Tx) error {
		if e, ok := s.clauseViews.Get(id); ok {
			rev, err := s.revision(tx, e.Value.GuidelineID)
			if err != nil {
				return err
			}
			if rev == e.Revision {
				view = e.Value
				return nil
			}
		}
		// The revision first, then the rows: the entry is never older
		// than its label.
		c, err := tx.Clause(id)
		if err != nil {
			return err
		}
		rev, err := s.revision(tx, c.GuidelineID)
		if err != nil {
			return err
		}
		if c, err = tx.Clause(id); err != nil {
			return err
		}
		g, err := tx.Guideline(c.GuidelineID)
		if err != nil {
			return err
		}
		view = viewOf(c, g)
		s.clauseViews.Put(id, rev, view)
		return nil
	})
	return view, err
}

// clausePage is one page of a clause list, as ClausesWhere answers it.
type clausePage struct {
	views []ClauseView
	next  string
}

// Clauses lists a guideline's clauses in document order.
func (s *Service) Clauses(ctx context.Context, p auth.Principal, gid, sectionID string, status drafting.Status) ([]ClauseView, error) {
	cs, _, err := s.ClausesWhere(ctx, p, gid, ClauseQuery{SectionID: sectionID, Status: status}, Page{})
	return cs, err
}

// ClauseQuery narrows a guideline's clause list; every filter set must hold.
type ClauseQuery struct {
	SectionID string
	Status    drafting.Status
	// NeedsPosition, a participating country's code, keeps the clauses
	// open for positions (drafting.PositionStatuses, less silence
	// procedures already over) on which that country has no position on
	// the current version: a delegation's worklist.
	NeedsPosition string
	// sectionKind keeps the clauses of sections of that kind (Actions).
	sectionKind string
}

// ClausesWhere lists one page of the clauses of a guideline that q
// selects, in document order (section position, clause position, id), and
// the cursor of the next page ("" on the last). A page without a limit (the
// service's own callers) lists them all.
func (s *Service) ClausesWhere(ctx context.Context, p auth.Principal, gid string, q ClauseQuery, page Page) ([]ClauseView, string, error) {
	cs, next, _, err := s.ClausesAt(ctx, p, gid, q, page)
	return cs, next, err
}

// ClausesAt is ClausesWhere with the guideline's revision the answer
// reflects (store.Tx.LatestEventID), so a caller may keep what it makes
// of the answer and reuse it while the revision stays; 0 when the answer
// depends on the time (needs_position) and must be made afresh.
func (s *Service) ClausesAt(ctx context.Context, p auth.Principal, gid string, q ClauseQuery, page Page) ([]ClauseView, string, int64, error) {
	if err := requireDraftReader(p); err != nil {
		return nil, "", 0, err
	}
	after, err := page.decodeClauseKey()
	if err != nil {
		return nil, "", 0, err
	}
	var errs drafting.Fields
	if q.Status != "" && !drafting.ValidStatus(q.Status) {
		errs.Add("status", "unknown status "+string(q.Status))
	}
	if q.NeedsPosition != "" && !countryCode.MatchString(q.NeedsPosition) {
		errs.Add("needs_position", `a country code such as "CR"`)
	}
	if err := errs.Err("clause.invalid_filter"); err != nil {
		return nil, "", 0, err
	}
	f := store.ClauseFilter{GuidelineID: gid, SectionID: q.SectionID, Status: string(q.Status), SectionKind: q.sectionKind}
	if q.NeedsPosition != "" {
		f.NeedsPosition, f.SilenceOver = q.NeedsPosition, s.clock()
		for _, st := range drafting.PositionStatuses() {
			f.PositionStatuses = append(f.PositionStatuses, string(st))
		}
	}
	var filter drafting.Fields
	if !checkIDField(&filter, "section_id", q.SectionID, "not a section id") {
		return nil, "", 0, filter.Err("clause.invalid_filter")
	}
	// A list that does not depend on the time (needs_position does: a
	// silence procedure ends at its deadline) is kept, checked against the
	// guideline's revision on every use.
	cacheKey := ""
	if q.NeedsPosition == "" {
		cacheKey = strings.Join([]string{gid, q.SectionID, string(q.Status), q.sectionKind, page.Cursor, strconv.Itoa(page.Limit)}, "\x00")
	}
	var out []ClauseView
	var keys []store.ClauseKey
	var hit *clausePage
	var rev int64
	err = s.read(ctx, func(tx *store.Tx) error {
		if cacheKey != "" {
			var err error
			if rev, err = s.revision(tx, gid); err != nil {
				return err
			}
			if e, ok := s.clausePages.Get(cacheKey); ok && e.Revision == rev {
				hit = &e.Value
				return nil
			}
		}
		g, err := tx.Guideline(gid)
		if err != nil {
			return err
		}
		if q.NeedsPosition != "" && !g.IsParticipant(q.NeedsPosition) {
			return drafting.Invalid("clause.invalid_filter", drafting.FieldError{Field: "needs_position",
				Message: q.NeedsPosition + " is not a participating country of this guideline"})
		}
		limit := 0
		if page.Limit > 0 {
			limit = page.Limit + 1
		}
		cs, ks, err := tx.Clauses(f, after, limit)
		if err != nil {
			return err
		}
		out, keys = make([]ClauseView, len(cs)), ks
		for i, c := range cs {
			out[i] = viewOf(c, g)
		}
		return nil
	})
	if err != nil {
		return nil, "", 0, err
	}
	if hit != nil {
		// A copy of the kept slice: callers may reorder or trim theirs.
		return append([]ClauseView(nil), hit.views...), hit.next, rev, nil
	}
	next := ""
	if page.Limit > 0 && len(out) > page.Limit {
		out, next = out[:page.Limit], encodeCursor(keys[page.Limit-1])
	}
	if cacheKey == "" {
		return out, next, 0, nil
	}
	s.clausePages.Put(cacheKey, rev, clausePage{views: out, next: next})
	return out, next, rev, nil
}

// decodeClauseKey reads a document-order cursor (nil when there is none).
func (p Page) decodeClauseKey() (*store.ClauseKey, error) {
	if p.Cursor == "" {
		return nil, nil
	}
	var k store.ClauseKey
	if err := p.decode(&k); err != nil {
		return nil, err
	}
	if !drafting.ValidID(k.ID) || k.SectionPosition < 0 || k.Position < 0 ||
		k.SectionPosition > math.MaxInt32 || k.Position > math.MaxInt32 {
		return nil, errBadCursor
	}
	return &k, nil
}

// TextChange is a facilitator's new wording for a clause.
type TextChange struct {
	Text         drafting.Text
	Note         string
	Incorporates []string
}

// UpdateText adds version n+1 of a clause. expect comes from the caller's
// If-Match, which the HTTP layer requires. Every position becomes stale, the
// clause returns to open, and the comments it incorporates are marked so in
// the same transaction.
func (s *Service) UpdateText(ctx context.Context, p auth.Principal, id string, expect Precondition, in TextChange) (ClauseView, error) {
	if err := requireFacilitator(p); err != nil {
		return ClauseView{}, err
	}
	var t drafting.Texts
	in.Text = t.Map("text", in.Text)
	in.Note = t.Text("note", in.Note)
	for i, id := range in.Incorporates {
		t.Plain(fmt.Sprintf("incorporates[%d]", i), id)
	}
	if err := t.Err(); err != nil {
		return ClauseView{}, err
	}
	return s.updateClause(ctx, p, id, expect, func(u *unit, c *drafting.Clause, g drafting.Guideline) error {
		var errs drafting.Fields
		text, terrs := drafting.ValidateText("text", g.Languages, in.Text)
		errs = append(errs, terrs...)
		note := drafting.CleanText(in.Note)
		if utf8.RuneCountInString(note) > drafting.MaxNoteLen {
			errs.Add("note", "at most 2000 characters")
		}
		if len(in.Incorporates) > 200 {
			errs.Add("incorporates", "at most 200 comments")
		}
		if err := errs.Err("clause.invalid"); err != nil {
			return err
		}
		if err := c.CheckTextChange(); err != nil {
			return err
		}
		if drafting.SameText(text, c.Text) {
			return drafting.Invalid("clause.text_unchanged", drafting.FieldError{Field: "text", Message: "identical to the current version"})
		}
		return s.newVersion(u, c, g, text, nil, note, func() ([]string, error) { return s.incorporate(u, c, in.Incorporates) })
	})
}

// newVersion makes text, already validated, the clause's new version, in
// u: positions become stale (drafting.Clause.ApplyNewVersion), the
// languages the change did not touch are pending alignment
// (AlignAfterChange), comments' anchors follow the text, and the events
// say so. alts, when not nil, are the alternatives the version carries
// (text then holds them side by side). incorporate, when not nil, marks the
// comments the version incorporates and returns their ids.
func (s *Service) newVersion(u *unit, c *drafting.Clause, g drafting.Guideline, text drafting.Text, alts []drafting.Text, note string,
	incorporate func() ([]string, error)) error {
	before, from, status := c.Text, c.Version, c.Status
	if err := c.ApplyNewVersion(u.now); err != nil {
		return err
	}
	c.AlignAfterChange(g.Languages, before, text)
	incorporated := []string{}
	if incorporate != nil {
		var err error
		if incorporated, err = incorporate(); err != nil {
			return err
		}
	}
	if err := u.InsertVersion(drafting.Version{ClauseID: c.ID, Number: c.Version, Text: text, Note: note,
		Incorporates: incorporated, Alternatives: alts, AuthorID: u.actor, CreatedAt: u.now}); err != nil {
		return err
	}
	c.Text, c.Alternatives, c.AlternativeCount = text, alts, len(alts)
	anchors, err := followAnchors(u, c.ID, g.Languages, from, before, c.Version, text)
	if err != nil {
		return err
	}
	pending := c.AlignmentPending
	if pending == nil {
		pending = []string{}
	}
	if err := u.emit(drafting.EventClauseTextChanged, c.GuidelineID, c.ID, map[string]any{
		"from_version": from, "to_version": c.Version, "note": note, "incorporates": incorporated,
		"before": before, "after": text, "anchors": anchors, "alignment_pending": pending, "alternatives": len(alts),
	}); err != nil {
		return err
	}
	if status != c.Status {
		return statusChanged(u, c, status, map[string]any{"reason": "text changed: positions are stale"})
	}
	return nil
}

// MoveClause moves a clause to a position in a section (possibly another
// one of the same guideline); numbers follow, the id never changes.
func (s *Service) MoveClause(ctx context.Context, p auth.Principal, id, sectionID string, position int) (ClauseView, error) {
	if err := requireFacilitator(p); err != nil {
		return ClauseView{}, err
	}
	if position < 1 {
		return ClauseView{}, drafting.Invalid("clause.invalid", drafting.FieldError{Field: "position", Message: "must be 1 or more"})
	}
	var idErrs drafting.Fields
	if !checkIDField(&idErrs, "section_id", sectionID, "no such section in this guideline") {
		return ClauseView{}, idErrs.Err("clause.invalid")
	}
	var view ClauseView
	err := s.write(ctx, p.ID, func(u *unit) error {
		c, err := u.Clause(id)
		if err != nil {
			return err
		}
		if err := u.ClaimGuideline(c.GuidelineID, u.now); err != nil {
			return err
		}
		if c, err = u.Clause(id); err != nil {
			return err
		}
		// The moved clause is claimed like any clause change, so a
		// concurrent position or text change cannot interleave with it.
		ok, err := u.ClaimClause(c.ID, c.Revision, u.now)
		if err != nil {
			return err
		}
		if !ok {
			return errRaced
		}
		c.Revision++
		g, err := u.Guideline(c.GuidelineID)
		if err != nil {
			return err
		}
		if sectionID == "" {
			sectionID = c.SectionID
		}
		to, err := u.Section(sectionID)
		if err != nil || to.GuidelineID != c.GuidelineID {
			if err != nil && !drafting.IsKind(err, drafting.KindNotFound) {
				return err
			}
			return drafting.Invalid("clause.invalid", drafting.FieldError{Field: "section_id", Message: "no such section in this guideline"})
		}
		if err := sameSectionKind(u.Tx, c.SectionID, to); err != nil {
			return err
		}
		count, err := u.CountClauses(to.ID)
		if err != nil {
			return err
		}
		limit := count + 1
		if to.ID == c.SectionID {
			limit = count
		}
		position = min(position, limit)
		fromNumber := c.Number
		if err := u.CloseGap(c.SectionID, c.Position); err != nil {
			return err
		}
		if err := u.OpenGap(to.ID, position, c.ID); err != nil {
			return err
		}
		c.SectionID, c.Position = to.ID, position
		if err := u.SaveClause(c); err != nil {
			return err
		}
		if err := u.Renumber(c.GuidelineID, u.now); err != nil {
			return err
		}
		if c, err = u.Clause(id); err != nil {
			return err
		}
		view = viewOf(c, g)
		return u.emit(drafting.EventClauseMoved, c.GuidelineID, c.ID, map[string]any{"from": fromNumber, "to": c.Number, "section_id": to.ID})
	})
	return view, err
}

// VersionView is a clause version with its author.
type VersionView struct {
	drafting.Version
	Author *Person
}

// Versions lists a clause's versions, newest first, with their authors.
func (s *Service) Versions(ctx context.Context, p auth.Principal, id string, page Page) ([]VersionView, string, error) {
	if err := requireDraftReader(p); err != nil {
		return nil, "", err
	}
	before, err := page.decodeInt()
	if err != nil {
		return nil, "", err
	}
	var out []VersionView
	var next string
	err = s.read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Clause(id); err != nil {
			return err
		}
		var err error
		out, next, err = versionsPage(tx, id, before, page.Limit)
		return err
	})
	return out, next, err
}

// versionsPage reads one page of a clause's versions with their authors:
// two statements, whatever the number of versions.
func versionsPage(tx *store.Tx, clauseID string, before, limit int) ([]VersionView, string, error) {
	vs, err := tx.Versions(clauseID, before, limit+1)
	if err != nil {
		return nil, "", err
	}
	vs, next := trimPage(vs, limit, func(v drafting.Version) any { return v.Number })
	ids := make([]string, len(vs))
	for i, v := range vs {
		ids[i] = v.AuthorID
	}
	pp, err := readPeople(tx, ids...)
	if err != nil {
		return nil, "", err
	}
	return versionViews(vs, pp), next, nil
}

func versionViews(vs []drafting.Version, pp People) []VersionView {
	out := make([]VersionView, len(vs))
	for i, v := range vs {
		out[i] = VersionView{Version: v, Author: pp.Of(v.AuthorID)}
	}
	return out
}

// Version reads one version of a clause with its author.
func (s *Service) Version(ctx context.Context, p auth.Principal, id string, n int) (VersionView, error) {
	if err := requireDraftReader(p); err != nil {
		return VersionView{}, err
	}
	var v VersionView
	err := s.read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Clause(id); err != nil {
			return err
		}
		var err error
		if v.Version, err = tx.Version(id, n); err != nil {
			return err
		}
		pp, err := readPeople(tx, v.AuthorID)
		v.Author = pp.Of(v.AuthorID)
		return err
	})
	return v, err
}

// Diff is a word-level comparison of two versions of a clause in one
// language (Lang, Ops) or in every language of the guideline (Langs).
type Diff struct {
	From, To int
	Lang     string
	Ops      []render.Op
	Langs    map[string][]render.Op
}

// AllLanguages asks ClauseDiff for every language of the guideline.
const AllLanguages = "*"

// ClauseDiff compares versions from and to of a clause in lang (default:
// the guideline's first language; AllLanguages: each of its languages).
func (s *Service) ClauseDiff(ctx context.Context, p auth.Principal, id string, from, to int, lang string) (Diff, error) {
	if err := requireDraftReader(p); err != nil {
		return Diff{}, err
	}
	var d Diff
	err := s.read(ctx, func(tx *store.Tx) error {
		c, g, err := clauseAndGuideline(tx, id)
		if err != nil {
			return err
		}
		if lang == "" {
			lang = g.Languages[0]
		}
		if lang != AllLanguages && !g.HasLanguage(lang) {
			return drafting.Invalid("diff.invalid", drafting.FieldError{Field: "lang", Message: fmt.Sprintf("the guideline's languages are %v", g.Languages)})
		}
		if to == 0 {
			to = c.Version
		}
		if from == 0 {
			from = max(to-1, 1)
		}
		a, err := tx.Version(id, from)
		if err != nil {
			return err
		}
		b, err := tx.Version(id, to)
		if err != nil {
			return err
		}
		if lang != AllLanguages {
			d = Diff{From: from, To: to, Lang: lang, Ops: wordDiff(a.Text[lang], b.Text[lang])}
			return nil
		}
		d = Diff{From: from, To: to, Langs: make(map[string][]render.Op, len(g.Languages))}
		for _, l := range g.Languages {
			d.Langs[l] = wordDiff(a.Text[l], b.Text[l])
		}
		return nil
	})
	return d, err
}

// wordDiff is render.WordDiff that answers an empty list, never null, when
// both texts are empty (a translation missing from both versions): clients
// iterate over ops without a special case.
func wordDiff(a, b string) []render.Op {
	if ops := render.WordDiff(a, b); ops != nil {
		return ops
	}
	return []render.Op{}
}

// clauseAndGuideline reads a clause with its current text and the guideline
// it belongs to.
func clauseAndGuideline(tx *store.Tx, id string) (drafting.Clause, drafting.Guideline, error) {
	c, err := tx.Clause(id)
	if err != nil {
		return c, drafting.Guideline{}, err
	}
	g, err := tx.Guideline(c.GuidelineID)
	return c, g, err
}

// sameSectionKind refuses to move a clause between the text and the
// implementation plan: an action is not a clause of the text, nor the
// other way round.
func sameSectionKind(tx *store.Tx, fromID string, to drafting.Section) error {
	from, err := tx.Section(fromID)
	if err != nil {
		return err
	}
	if from.Kind != to.Kind {
		return drafting.Invalid("clause.invalid", drafting.FieldError{Field: "section_id",
			Message: "a clause stays in the text and an action in the implementation plan"})
	}
	return nil
}
