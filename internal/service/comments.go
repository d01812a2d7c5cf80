package service

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// CreateComment records a comment on a clause's current version, as the
// author's country (delegates), as an observer, or as a facilitator,
// honouring an Idempotency-Key.
func (s *Service) CreateComment(ctx context.Context, p auth.Principal, clauseID string, in drafting.CommentInput,
	idem Idempotency) (Created[CommentView], error) {
	if !p.CanComment() {
		return Created[CommentView]{}, forbidden("integrations cannot comment")
	}
	if p.Role == drafting.RoleDelegate && p.Country == "" {
		return Created[CommentView]{}, forbidden("a delegate without a country cannot comment")
	}
	return createOnce(ctx, s, p, idem, creation[CommentView]{
		scope: "comment",
		create: func(u *unit) (CommentView, error) {
			c, err := s.createComment(u, p, clauseID, in)
			if err != nil {
				return CommentView{}, err
			}
			// The author is the caller, as authenticated for this request.
			return CommentView{Comment: c, Author: &Person{ID: p.ID, Name: p.Name, Country: p.Country}}, nil
		},
		ref:  func(c CommentView) string { return c.ID },
		load: loadCommentView,
	})
}

// commentTarget is what a new comment on a clause is checked against, and
// no more: its clause's current version and text, its guideline's
// languages and participants, and the guideline's revision.
type commentTarget struct {
	clauseID, guidelineID string
	version               int
	text                  drafting.Text
	revision              int
	languages             []string
	participants          []string
}

func newCommentTarget(c drafting.Clause, g drafting.Guideline) commentTarget {
	return commentTarget{clauseID: c.ID, guidelineID: g.ID, version: c.Version, text: c.Text, revision: g.Revision,
		languages: g.Languages, participants: g.Participants}
}

// label orders the targets of one clause: by version, then by the
// guideline's revision (both only grow), so an older read never replaces
// a newer one in commentTargets.
func (t commentTarget) label() int64 { return int64(t.version)<<32 | int64(t.revision) }

// createComment checks and inserts a comment. The clause and guideline it
// is checked against are those the last comment on the clause was checked
// against, if this replica keeps them: the insert then takes place only if
// the clause is still at that version and the guideline at that revision
// (store.InsertCommentIf), which is all a comment's checks depend on. A
// comment is the busiest write of a negotiation, and this spares it two of
// its reads. Otherwise, or if the check refuses the comment (the refusal
// may come from what changed since), both are read in the transaction, as
// for any other write.
func (s *Service) createComment(u *unit, p auth.Principal, clauseID string, in drafting.CommentInput) (drafting.Comment, error) {
	if kept, ok := s.commentTargets.Get(clauseID); ok {
		t := kept.Value
		cm, err := s.newComment(u, p, t, in)
		if err == nil {
			ok, err := u.InsertCommentIf(cm, store.CommentGuard{ClauseVersion: t.version, GuidelineRevision: t.revision})
			if err != nil {
				return drafting.Comment{}, err
			}
			if ok {
				return cm, s.commentCreated(u, p, cm)
			}
		} else if !isRefusal(err) {
			return drafting.Comment{}, err
		}
	}
	c, err := u.Clause(clauseID)
	if err != nil {
		return drafting.Comment{}, err
	}
	g, err := u.Guideline(c.GuidelineID)
	if err != nil {
		return drafting.Comment{}, err
	}
	t := newCommentTarget(c, g)
	s.commentTargets.Put(clauseID, t.label(), t)
	cm, err := s.newComment(u, p, t, in)
	if err != nil {
		return drafting.Comment{}, err
	}
	if err := u.InsertComment(cm); err != nil {
		return drafting.Comment{}, err
	}
	return cm, s.commentCreated(u, p, cm)
}

// newComment checks a new comment against its clause and guideline, and
// its parent (read in the transaction), and makes it.
func (s *Service) newComment(u *unit, p auth.Principal, t commentTarget, in drafting.CommentInput) (drafting.Comment, error) {
	if p.Role == drafting.RoleDelegate && !slices.Contains(t.participants, p.Country) {
		return drafting.Comment{}, forbidden(p.Country + " does not participate in this guideline")
	}
	clean, err := drafting.ValidateComment(in, t.languages, t.text)
	if isTextRefusal(err) {
		return drafting.Comment{}, err
	}
	if clean.ParentID != "" && !drafting.ValidID(clean.ParentID) {
		err = addField(err, "comment.invalid", "parent_id", "not a comment on this clause")
	} else if clean.ParentID != "" {
		parent, perr := u.Comment(clean.ParentID)
		if perr != nil && !drafting.IsKind(perr, drafting.KindNotFound) {
			return drafting.Comment{}, perr
		}
		if perr != nil || parent.ClauseID != t.clauseID {
			err = addField(err, "comment.invalid", "parent_id", "not a comment on this clause")
		}
	}
	if err != nil {
		return drafting.Comment{}, err
	}
	cm := drafting.Comment{ID: s.newID(), GuidelineID: t.guidelineID, ClauseID: t.clauseID, ClauseVersion: t.version, AuthorID: p.ID,
		Kind: clean.Kind, Body: clean.Body, ProposedText: clean.ProposedText, Quote: clean.Quote, ParentID: clean.ParentID,
		Status: drafting.CommentOpen, Revision: 1, CreatedAt: u.now, UpdatedAt: u.now}
	if a, ok := drafting.NewAnchor(cm.Quote, t.version, t.languages, t.text); ok {
		cm.Anchor = &a
	}
	switch p.Role {
	case drafting.RoleDelegate:
		cm.Country = p.Country
	case drafting.RoleObserver:
		cm.Observer = true
	}
	return cm, nil
}

// commentCreated emits a new comment's event, with the comment itself, so
// a live view shows it without reading it again.
func (s *Service) commentCreated(u *unit, p auth.Principal, cm drafting.Comment) error {
	var proposed any
	if len(cm.ProposedText) > 0 {
		proposed = cm.ProposedText
	}
	return u.emit(drafting.EventCommentCreated, cm.GuidelineID, cm.ID, map[string]any{
		"clause_id": cm.ClauseID, "clause_version": cm.ClauseVersion, "country": nullable(cm.Country), "observer": cm.Observer,
		"kind": cm.Kind, "body": cm.Body, "quote": nullable(cm.Quote), "proposed_text": proposed, "parent_id": nullable(cm.ParentID),
		"author": map[string]any{"id": p.ID, "name": p.Name, "country": nullable(p.Country)}})
}

// addField adds a field error to err (nil or a KindInvalid error).
func addField(err error, code, field, msg string) error {
	var de *drafting.Error
	if errors.As(err, &de) && de.Kind == drafting.KindInvalid {
		fields := append(append([]drafting.FieldError{}, de.Fields...), drafting.FieldError{Field: field, Message: msg})
		return drafting.Invalid(de.Code, fields...)
	}
	if err != nil {
		return err
	}
	return drafting.Invalid(code, drafting.FieldError{Field: field, Message: msg})
}

// updateComment changes one comment in one transaction: fn applies the
// change to the comment as read, and the revision guard refuses it if
// someone changed the comment meanwhile (412 with If-Match; otherwise it is
// run again on the newer state). expect comes from If-Match. The comment
// is answered with its author and resolver.
func (s *Service) updateComment(ctx context.Context, p auth.Principal, id string, expect Precondition,
	fn func(u *unit, c *drafting.Comment) error) (CommentView, error) {
	var out CommentView
	for attempt := 1; ; attempt++ {
		raced := false
		err := s.write(ctx, p.ID, func(u *unit) error {
			c, err := u.Comment(id)
			if err != nil {
				return err
			}
			if !expect.Admits(c.Revision) {
				return errStale("comment")
			}
			if err := fn(u, &c); err != nil {
				return err
			}
			c.Revision++
			c.UpdatedAt = u.now
			ok, err := u.SaveComment(c)
			if err != nil {
				return err
			}
			if !ok {
				if expect.Pinned() {
					return errStale("comment")
				}
				raced = true
				return errCommentRaced
			}
			out, err = commentView(u.Tx, c)
			return err
		})
		if raced && attempt < maxClaimAttempts {
			continue
		}
		return out, err
	}
}

var errCommentRaced = drafting.Errorf(drafting.KindConflict, "comment.busy", "the comment is being changed by someone else; try again")

// EditComment changes the body of the caller's own open comment.
func (s *Service) EditComment(ctx context.Context, p auth.Principal, id string, expect Precondition, body string) (CommentView, error) {
	if !p.CanComment() {
		return CommentView{}, forbidden("integrations cannot comment")
	}
	body, err := drafting.CheckText("body", body)
	if err != nil {
		return CommentView{}, err
	}
	var errs drafting.Fields
	if body == "" {
		errs.Add("body", "required")
	} else if utf8.RuneCountInString(body) > drafting.MaxCommentLen {
		errs.Add("body", "at most 20000 characters")
	}
	return s.updateComment(ctx, p, id, expect, func(u *unit, c *drafting.Comment) error {
		if err := c.CheckAuthorChange(p.ID); err != nil {
			return err
		}
		if err := errs.Err("comment.invalid"); err != nil {
			return err
		}
		before := c.Body
		c.Body = body
		return u.emit(drafting.EventCommentEdited, c.GuidelineID, c.ID, map[string]any{
			"clause_id": c.ClauseID, "before": before, "after": body})
	})
}

// WithdrawComment withdraws the caller's own open comment.
func (s *Service) WithdrawComment(ctx context.Context, p auth.Principal, id string, expect Precondition) (CommentView, error) {
	if !p.CanComment() {
		return CommentView{}, forbidden("integrations cannot comment")
	}
	return s.updateComment(ctx, p, id, expect, func(u *unit, c *drafting.Comment) error {
		if err := c.CheckAuthorChange(p.ID); err != nil {
			return err
		}
		c.Status = drafting.CommentWithdrawn
		return u.emit(drafting.EventCommentWithdrawn, c.GuidelineID, c.ID, map[string]any{"clause_id": c.ClauseID})
	})
}

// ResolveComment closes an open comment with the facilitator's decision
// (addressed, incorporated or declined) and a note.
func (s *Service) ResolveComment(ctx context.Context, p auth.Principal, id string, expect Precondition,
	status drafting.CommentStatus, note string) (CommentView, error) {
	if err := requireFacilitator(p); err != nil {
		return CommentView{}, err
	}
	var t drafting.Texts
	note = t.Text("note", note)
	t.Plain("status", string(status))
	if err := t.Err(); err != nil {
		return CommentView{}, err
	}
	if note == "" {
		return CommentView{}, drafting.Invalid("comment.invalid_resolution", drafting.FieldError{Field: "note", Message: "required: say how the comment was dealt with"})
	}
	return s.updateComment(ctx, p, id, expect, func(u *unit, c *drafting.Comment) error {
		if err := c.Resolve(status, note, p.ID, u.now); err != nil {
			return err
		}
		return u.emit(drafting.EventCommentResolved, c.GuidelineID, c.ID, map[string]any{
			"clause_id": c.ClauseID, "status": status, "note": note})
	})
}

// CommentQuery selects the comments of one clause or one guideline.
type CommentQuery struct {
	ClauseID    string
	GuidelineID string
	Country     string // a country code, or "observer"
	Status      string
	Kind        string
	// Anchor selects the comments whose quote's anchor is in this state
	// (carried, moved, changed, orphaned).
	Anchor  string
	Version int
	// ParentID selects the replies to one comment.
	ParentID string
	// Author "me" selects the caller's own comments.
	Author string
	// RepliesTo "me" selects the replies to the caller's delegation: to
	// comments written for the caller's country (a delegate), or to the
	// caller's own comments (anyone without a country); the caller's own
	// replies are left out.
	RepliesTo string
}

// Myself is the one value of the author and replies_to filters: the caller.
const Myself = "me"

func (q CommentQuery) validate() error {
	var errs drafting.Fields
	if q.Country != "" && q.Country != "observer" && !countryCode.MatchString(q.Country) {
		errs.Add("country", `a country code such as "BZ", or "observer"`)
	}
	if q.Status != "" && !drafting.ValidCommentStatus(drafting.CommentStatus(q.Status)) {
		errs.Add("status", "one of open, incorporated, addressed, declined, withdrawn")
	}
	if q.Kind != "" && !drafting.ValidCommentKind(drafting.CommentKind(q.Kind)) {
		errs.Add("kind", "one of general, editorial, substantive, amendment")
	}
	if q.Anchor != "" && !drafting.ValidAnchorState(drafting.AnchorState(q.Anchor)) {
		errs.Add("anchor", "one of carried, moved, changed, orphaned")
	}
	if q.Version < 0 {
		errs.Add("version", "must be 1 or more")
	}
	if q.Author != "" && q.Author != Myself {
		errs.Add("author", `only "me" (the caller's own comments)`)
	}
	if q.RepliesTo != "" && q.RepliesTo != Myself {
		errs.Add("replies_to", `only "me" (replies to the caller's delegation)`)
	}
	return errs.Err("comment.invalid_filter")
}

// filter turns the query into the store's filter for caller p.
func (q CommentQuery) filter(p auth.Principal) store.CommentFilter {
	f := store.CommentFilter{ClauseID: q.ClauseID, GuidelineID: q.GuidelineID, Country: q.Country, Status: q.Status,
		Kind: q.Kind, Anchor: q.Anchor, Version: q.Version, ParentID: q.ParentID}
	if q.Author == Myself {
		f.AuthorID = p.ID
	}
	if q.RepliesTo == Myself {
		if p.Country != "" {
			f.RepliesToCountry = p.Country
		} else {
			f.RepliesToAuthor = p.ID
		}
		f.NotAuthor = p.ID
	}
	return f
}

// Comments lists the comments of a clause or a guideline, oldest first,
// filtered, one page at a time, each with its author and resolver.
func (s *Service) Comments(ctx context.Context, p auth.Principal, q CommentQuery, page Page) ([]CommentView, string, error) {
	if err := requireDraftReader(p); err != nil {
		return nil, "", err
	}
	if err := q.validate(); err != nil {
		return nil, "", err
	}
	f := q.filter(p)
	if err := pageFilter(&f, page); err != nil {
		return nil, "", err
	}
	var out []CommentView
	var next string
	err := s.read(ctx, func(tx *store.Tx) error {
		if q.ClauseID != "" {
			if _, err := tx.Clause(q.ClauseID); err != nil {
				return err
			}
		} else if _, err := tx.Guideline(q.GuidelineID); err != nil {
			return err
		}
		cs, scanned, err := tx.CommentsWithin(f, commentScan)
		if err != nil {
			return err
		}
		cs, next = commentPage(cs, page)
		if next == "" && scanned != nil {
			next = encodeCursor(*scanned)
		}
		out, err = commentViews(tx, cs)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// commentScan bounds the comments a filtered page reads (store.CommentsWithin):
// a page of a rare filter may hold fewer than its limit, even none, and
// still have a next cursor, after the last comment read.
const commentScan = 1000

// pageFilter sets the limit and cursor of a comment page on f: one more
// row than the page, to know whether there is a next one.
func pageFilter(f *store.CommentFilter, page Page) error {
	f.Limit = page.Limit + 1
	if page.Cursor == "" {
		return nil
	}
	f.After = &store.CommentCursor{}
	return page.decode(f.After)
}

// commentPage cuts comments read with pageFilter to the page and returns
// the next page's cursor ("" on the last page).
func commentPage(cs []drafting.Comment, page Page) ([]drafting.Comment, string) {
	return trimPage(cs, page.Limit, func(c drafting.Comment) any {
		return store.CommentCursor{CreatedAt: c.CreatedAt, ID: c.ID}
	})
}

// CommentTally is how many comments one delegation (or the observers, or
// the facilitators) has on one clause, by status.
type CommentTally struct {
	ClauseID string
	Number   string
	// Speaker is a country code, "observer" or "facilitator".
	Speaker  string
	ByStatus map[drafting.CommentStatus]int
	Total    int
	// OpenAmendments is how many of the open comments are amendments.
	OpenAmendments int
}

// CommentCounts tells who has spoken on what: per clause (in document
// order) and per delegation, the number of comments by status, for one page
// of the guideline's clauses (page.Limit clauses; every row of a clause is
// on the same page) and the cursor of the next ("" on the last). A page
// without a limit counts every clause. Every participant reads it;
// integrations read approved text only.
func (s *Service) CommentCounts(ctx context.Context, p auth.Principal, gid string, page Page) ([]CommentTally, string, error) {
	ts, next, _, err := s.CommentCountsAt(ctx, p, gid, page)
	return ts, next, err
}

// tally orders the counts of a page of clauses as the page lists them:
// by clause (its place in the page) and, within a clause, by speaker —
// grouped by clause first, so the only sorting left is of a clause's few
// speakers.
func tally(clauses []drafting.Clause, counts []store.CommentCount) []CommentTally {
	at := make(map[string]int, len(clauses))
	for i, c := range clauses {
		at[c.ID] = i
	}
	perClause := make([][]CommentTally, len(clauses))
	for _, c := range counts {
		i, ok := at[c.ClauseID]
		if !ok {
			continue
		}
		t := CommentTally{ClauseID: c.ClauseID, Number: clauses[i].Number, Speaker: c.Speaker, ByStatus: c.ByStatus,
			OpenAmendments: c.OpenAmendments}
		for _, n := range c.ByStatus {
			t.Total += n
		}
		perClause[i] = append(perClause[i], t)
	}
	out := make([]CommentTally, 0, len(counts))
	for _, ts := range perClause {
		slices.SortFunc(ts, func(a, b CommentTally) int { return strings.Compare(a.Speaker, b.Speaker) })
		out = append(out, ts...)
	}
	return out
}

// commentCountsPage is one page of comment counts, as CommentCounts
// answers it.
type commentCountsPage struct {
	tallies []CommentTally
	next    string
}

// CommentCountsAt is CommentCounts with the guideline's revision the
// answer reflects: every write of comments records an event of the
// guideline, so a page is kept and reused while the revision stands
// (read_cache.go), and a caller may keep what it makes of it too.
func (s *Service) CommentCountsAt(ctx context.Context, p auth.Principal, gid string, page Page) ([]CommentTally, string, int64, error) {
	if err := requireDraftReader(p); err != nil {
		return nil, "", 0, err
	}
	after, err := page.decodeClauseKey()
	if err != nil {
		return nil, "", 0, err
	}
	key := gid + "\x00" + page.Cursor + "\x00" + strconv.Itoa(page.Limit)
	var counts []store.CommentCount
	var clauses []drafting.Clause
	var hit *commentCountsPage
	var rev int64
	next := ""
	err = s.read(ctx, func(tx *store.Tx) error {
		var err error
		if rev, err = s.revision(tx, gid); err != nil {
			return err
		}
		if e, ok := s.countPages.Get(key); ok && e.Revision == rev {
			hit = &e.Value
			return nil
		}
		if _, err := tx.Guideline(gid); err != nil {
			return err
		}
		limit := 0
		if page.Limit > 0 {
			limit = page.Limit + 1
		}
		cs, keys, err := tx.ClauseStatesAfter(store.ClauseFilter{GuidelineID: gid}, after, limit)
		if err != nil {
			return err
		}
		if page.Limit > 0 && len(cs) > page.Limit {
			cs, next = cs[:page.Limit], encodeCursor(keys[page.Limit-1])
		}
		clauses = cs
		if len(cs) == 0 {
			return nil
		}
		ids := make([]string, len(cs))
		for i, c := range cs {
			ids[i] = c.ID
		}
		counts, err = tx.CommentCounts(gid, ids...)
		return err
	})
	if err != nil {
		return nil, "", 0, err
	}
	if hit != nil {
		return hit.tallies, hit.next, rev, nil
	}
	out := tally(clauses, counts)
	s.countPages.Put(key, rev, commentCountsPage{tallies: out, next: next})
	return out, next, rev, nil
}

// isRefusal reports whether err refuses a request (a domain error), as
// opposed to a failure to carry it out.
func isRefusal(err error) bool {
	var de *drafting.Error
	return errors.As(err, &de) && de.Kind != drafting.KindInternal
}
