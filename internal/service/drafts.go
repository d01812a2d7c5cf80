package service

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/render"
	"github.com/rcm-iom/consenso/internal/store"
)

// CreateDraft freezes, in one transaction, which version of every clause
// stands where, as draft n+1 of the guideline.
func (s *Service) CreateDraft(ctx context.Context, p auth.Principal, gid, label string) (drafting.Draft, error) {
	out, err := s.CreateDraftOnce(ctx, p, gid, label, Idempotency{})
	return out.Value, err
}

// CreateDraftOnce is CreateDraft honouring an Idempotency-Key.
func (s *Service) CreateDraftOnce(ctx context.Context, p auth.Principal, gid, label string, idem Idempotency) (Created[drafting.Draft], error) {
	return createOnce(ctx, s, p, idem, creation[drafting.Draft]{
		scope:  "draft:" + gid,
		create: func(u *unit) (drafting.Draft, error) { return s.createDraft(u, p, gid, label) },
		ref:    func(d drafting.Draft) string { return strconv.Itoa(d.Number) },
		load: func(tx *store.Tx, ref string) (drafting.Draft, error) {
			n, err := strconv.Atoi(ref)
			if err != nil {
				return drafting.Draft{}, fmt.Errorf("idempotency record of a draft: %w", err)
			}
			return tx.Draft(gid, n, true)
		},
	})
}

func (s *Service) createDraft(u *unit, p auth.Principal, gid, label string) (drafting.Draft, error) {
	if err := requireFacilitator(p); err != nil {
		return drafting.Draft{}, err
	}
	label, err := drafting.CheckText("label", label)
	if err != nil {
		return drafting.Draft{}, err
	}
	if utf8.RuneCountInString(label) > drafting.MaxTitleLen {
		return drafting.Draft{}, drafting.Invalid("draft.invalid", drafting.FieldError{Field: "label", Message: "at most 300 characters"})
	}
	if _, err := u.Guideline(gid); err != nil {
		return drafting.Draft{}, err
	}
	// The claim serializes concurrent drafts of one guideline, so
	// numbers are 1, 2, 3… with no collision.
	if err := u.ClaimGuideline(gid, u.now); err != nil {
		return drafting.Draft{}, err
	}
	n, err := u.NextDraftNumber(gid)
	if err != nil {
		return drafting.Draft{}, err
	}
	if label == "" {
		label = "Draft " + strconv.Itoa(n)
	}
	d := drafting.Draft{GuidelineID: gid, Number: n, Label: label, CreatedBy: p.ID, CreatedAt: u.now}
	if err := u.CreateDraft(d); err != nil {
		return d, err
	}
	full, err := u.Draft(gid, n, true)
	if err != nil {
		return d, err
	}
	d.Clauses = full.Clauses
	versions := make([]map[string]any, len(d.Clauses))
	for i, c := range d.Clauses {
		versions[i] = map[string]any{"clause_id": c.ClauseID, "version": c.Version}
	}
	return d, u.emit(drafting.EventDraftCreated, gid, gid, map[string]any{"number": n, "label": label, "clauses": versions})
}

// Drafts lists a guideline's drafts, newest first.
func (s *Service) Drafts(ctx context.Context, p auth.Principal, gid string, page Page) ([]drafting.Draft, string, error) {
	if err := requireDraftReader(p); err != nil {
		return nil, "", err
	}
	before, err := page.decodeInt()
	if err != nil {
		return nil, "", err
	}
	var out []drafting.Draft
	err = s.read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Guideline(gid); err != nil {
			return err
		}
		var err error
		out, err = tx.Drafts(gid, before, page.Limit+1)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, page.Limit, func(d drafting.Draft) any { return d.Number })
	return out, next, nil
}

// DraftDocument is a draft ready to render.
type DraftDocument struct {
	Draft     drafting.Draft
	Guideline drafting.Guideline
	Document  render.Document
	// View is how the draft is read; Amendments, in the accepted and
	// rejected views, the open amendments of each clause (by clause id)
	// the view accepted or rejected, oldest first.
	View       drafting.DraftView
	Amendments map[string][]string
}

// Draft reads a whole draft with texts and standing reservations, in a
// constant number of statements.
//
// view reads it as it is (drafting.ViewAsIs, or ""), or as if every open
// amendment were accepted or rejected (drafting.AcceptAmendments).
func (s *Service) Draft(ctx context.Context, p auth.Principal, gid string, n int, view drafting.DraftView) (DraftDocument, error) {
	if err := requireDraftReader(p); err != nil {
		return DraftDocument{}, err
	}
	if view == "" {
		view = drafting.ViewAsIs
	}
	if !drafting.ValidDraftView(view) {
		return DraftDocument{}, drafting.Invalid("draft.invalid_view", drafting.FieldError{Field: "view", Message: "one of as_is, accepted, rejected"})
	}
	var out DraftDocument
	err := s.read(ctx, func(tx *store.Tx) error {
		g, err := tx.Guideline(gid)
		if err != nil {
			return err
		}
		d, err := tx.Draft(gid, n, true)
		if err != nil {
			return err
		}
		res, err := tx.DraftReservations(gid, n)
		if err != nil {
			return err
		}
		adRef, err := tx.DraftAdReferendum(gid, n)
		if err != nil {
			return err
		}
		unaligned, err := tx.DraftUnaligned(gid, n)
		if err != nil {
			return err
		}
		out = DraftDocument{Draft: d, Guideline: g, Document: draftDocument(g, d, res), View: view}
		markAdReferendum(&out.Document, adRef)
		if err := annotateDraft(tx, &out.Document, d); err != nil {
			return err
		}
		for si := range out.Document.Sections {
			for ci := range out.Document.Sections[si].Clauses {
				c := &out.Document.Sections[si].Clauses[ci]
				c.Unaligned = unaligned[c.ID]
			}
		}
		if view == drafting.ViewAsIs {
			return nil
		}
		amendments, err := tx.OpenAmendments(gid)
		if err != nil {
			return err
		}
		out.Amendments = applyView(&out.Document, view, amendments)
		return nil
	})
	return out, err
}

// draftDocument lays a draft out by section for the renderers.
func draftDocument(g drafting.Guideline, d drafting.Draft, res []drafting.Reservation) render.Document {
	byClause := map[string][]render.Reservation{}
	for _, r := range res {
		byClause[r.ClauseID] = append(byClause[r.ClauseID], render.Reservation{Country: r.Country, Text: r.Text})
	}
	doc := render.Document{GuidelineID: g.ID, Title: g.Title, Slug: g.Slug, Languages: g.Languages,
		Kind: "draft", Number: d.Number, Label: d.Label, Date: d.CreatedAt}
	for _, c := range d.Clauses {
		if len(doc.Sections) == 0 || doc.Sections[len(doc.Sections)-1].ID != c.SectionID {
			doc.Sections = append(doc.Sections, render.Section{ID: c.SectionID, Title: c.SectionTitle})
		}
		sec := &doc.Sections[len(doc.Sections)-1]
		sec.Clauses = append(sec.Clauses, render.Clause{ID: c.ClauseID, Number: c.Number, Status: string(c.Status),
			Version: c.Version, Text: map[string]string(c.Text), Reservations: byClause[c.ClauseID], Alternatives: c.Alternatives})
	}
	return doc
}

// markAdReferendum notes, on each clause of doc, the countries whose
// agreement with its version awaits their capital (a footnote "agreed ad
// referendum by X" in the renderings).
func markAdReferendum(doc *render.Document, adRef []drafting.Reservation) {
	if len(adRef) == 0 {
		return
	}
	byClause := map[string][]string{}
	for _, r := range adRef {
		byClause[r.ClauseID] = append(byClause[r.ClauseID], r.Country)
	}
	for si := range doc.Sections {
		for ci := range doc.Sections[si].Clauses {
			c := &doc.Sections[si].Clauses[ci]
			c.AdReferendum = byClause[c.ID]
		}
	}
}

// applyView reads doc as if the open amendments were accepted or rejected
// and returns, by clause id, the amendments each clause's reading took
// into account.
func applyView(doc *render.Document, view drafting.DraftView, amendments []drafting.Comment) map[string][]string {
	doc.View = string(view)
	byClause := map[string][]drafting.Comment{}
	for _, a := range amendments {
		byClause[a.ClauseID] = append(byClause[a.ClauseID], a)
	}
	ids := map[string][]string{}
	for si := range doc.Sections {
		for ci := range doc.Sections[si].Clauses {
			c := &doc.Sections[si].Clauses[ci]
			open := byClause[c.ID]
			if len(open) == 0 {
				continue
			}
			proposals := make([]drafting.Text, len(open))
			for i, a := range open {
				ids[c.ID] = append(ids[c.ID], a.ID)
				proposals[i] = a.ProposedText
			}
			if view != drafting.ViewAccepted {
				continue
			}
			text, alternatives := drafting.AcceptAmendments(drafting.Text(c.Text), proposals)
			c.Text, c.Amended, c.Alternatives = map[string]string(text), true, alternatives
		}
	}
	return ids
}

// DraftChange is how one clause differs between two drafts.
type DraftChange struct {
	ClauseID    string
	FromNumber  string
	ToNumber    string
	FromVersion int
	ToVersion   int
	Text        drafting.Text
	Diff        map[string][]render.Op
}

// DraftDiff lists what changed from draft `against` to draft n.
type DraftDiff struct {
	From, To                       int
	Added, Removed, Moved, Changed []DraftChange
}

// CompareDrafts compares draft n against an earlier (or later) draft m.
func (s *Service) CompareDrafts(ctx context.Context, p auth.Principal, gid string, n, against int) (DraftDiff, error) {
	if err := requireDraftReader(p); err != nil {
		return DraftDiff{}, err
	}
	out := DraftDiff{From: against, To: n, Added: []DraftChange{}, Removed: []DraftChange{}, Moved: []DraftChange{}, Changed: []DraftChange{}}
	err := s.read(ctx, func(tx *store.Tx) error {
		g, err := tx.Guideline(gid)
		if err != nil {
			return err
		}
		to, err := tx.Draft(gid, n, true)
		if err != nil {
			return err
		}
		from, err := tx.Draft(gid, against, true)
		if err != nil {
			return err
		}
		old := map[string]drafting.DraftClause{}
		for _, c := range from.Clauses {
			old[c.ClauseID] = c
		}
		for _, c := range to.Clauses {
			o, ok := old[c.ClauseID]
			delete(old, c.ClauseID)
			switch {
			case !ok:
				out.Added = append(out.Added, DraftChange{ClauseID: c.ClauseID, ToNumber: c.Number, ToVersion: c.Version, Text: c.Text})
				continue
			case o.SectionID != c.SectionID || o.Number != c.Number:
				out.Moved = append(out.Moved, DraftChange{ClauseID: c.ClauseID, FromNumber: o.Number, ToNumber: c.Number, FromVersion: o.Version, ToVersion: c.Version})
			}
			if o.Version != c.Version {
				diff := map[string][]render.Op{}
				for _, lang := range g.Languages {
					diff[lang] = wordDiff(o.Text[lang], c.Text[lang])
				}
				out.Changed = append(out.Changed, DraftChange{ClauseID: c.ClauseID, FromNumber: o.Number, ToNumber: c.Number,
					FromVersion: o.Version, ToVersion: c.Version, Text: c.Text, Diff: diff})
			}
		}
		for _, c := range from.Clauses {
			if _, gone := old[c.ClauseID]; gone {
				out.Removed = append(out.Removed, DraftChange{ClauseID: c.ClauseID, FromNumber: c.Number, FromVersion: c.Version, Text: c.Text})
			}
		}
		return nil
	})
	return out, err
}

// checkAdoption re-checks, in the adopting transaction, every clause of
// draft d against the participants of this moment (drafting.CheckAdoption):
// agreed at the draft's version, and a current position that is not an
// objection from every participant — a position deemed by a silence
// procedure that ended counts. Otherwise 409 draft.not_agreed names the
// clauses in its message and lists them, with the reason and the countries,
// in data.blocking. The stored status alone is not trusted: it may have been
// reached under another consensus body.
func (s *Service) checkAdoption(u *unit, g drafting.Guideline, d drafting.Draft) error {
	if len(d.Clauses) == 0 {
		return drafting.Errorf(drafting.KindConflict, "draft.empty", "an empty draft cannot be adopted")
	}
	states, err := u.ClauseStates(g.ID)
	if err != nil {
		return err
	}
	clauses := make(map[string]drafting.Clause, len(states))
	for _, c := range states {
		clauses[c.ID] = c
	}
	stances, err := u.GuidelineStances(g.ID)
	if err != nil {
		return err
	}
	positions := map[string][]drafting.Position{}
	for _, p := range stances {
		positions[p.ClauseID] = append(positions[p.ClauseID], p)
	}
	blockers := drafting.CheckAdoption(g.Participants, d, clauses, positions)
	if len(blockers) == 0 {
		return nil
	}
	blocking := make([]map[string]any, len(blockers))
	numbers := make([]string, len(blockers))
	for i, b := range blockers {
		blocking[i] = map[string]any{"clause_id": b.ClauseID, "number": b.Number, "status": b.Status, "version": b.Version,
			"draft_version": b.DraftVersion, "reason": b.Reason, "objecting": b.Objecting, "unheard": b.Unheard,
			"ad_referendum": b.AdReferendum}
		numbers[i] = b.Number
	}
	e := drafting.Errorf(drafting.KindConflict, "draft.not_agreed",
		"%d clause(s) of draft %d cannot be adopted by the participating countries now (%s): each must be agreed at the draft's version, with a position that is not an objection from every participant",
		len(blockers), d.Number, strings.Join(numbers, ", "))
	e.Data = map[string]any{"blocking": blocking}
	return e
}
