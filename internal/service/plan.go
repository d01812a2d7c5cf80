package service

import (
	"context"
	"fmt"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/render"
	"github.com/rcm-iom/consenso/internal/store"
)

// The implementation plan (Session 4 of the meeting). An action is a
// clause in a section of kind plan: it is created, versioned, commented,
// positioned on, put to silence, locked, drafted and adopted by the clause
// machinery as it is, and only its details (responsible, timeframe,
// indicators, means of verification, the clauses it carries out) are its
// own, recorded per clause version in action_details.

// ActionView is an action: its clause and its details at the current
// version.
type ActionView struct {
	ClauseView
	Details drafting.ActionDetails
}

// NewAction is a facilitator's request to add an action to the plan.
type NewAction struct {
	SectionID string
	Number    string
	Position  int
	Text      drafting.Text
	Note      string
	Details   drafting.ActionDetails
}

// checkActionText applies the text rule to an action's details.
func checkActionText(a *drafting.ActionDetails) error {
	var t drafting.Texts
	a.Timeframe = t.Text("timeframe", a.Timeframe)
	a.Indicators = t.Map("indicators", a.Indicators)
	a.Verification = t.Map("means_of_verification", a.Verification)
	for i, r := range a.Responsible {
		t.Plain(fmt.Sprintf("responsible[%d]", i), r)
	}
	for i, c := range a.Clauses {
		t.Plain(fmt.Sprintf("clauses[%d]", i), c)
	}
	return t.Err()
}

// validAction validates details for guideline g and checks that the
// clauses they name are clauses of g's text (not actions).
func validAction(tx *store.Tx, g drafting.Guideline, a drafting.ActionDetails) (drafting.ActionDetails, error) {
	clean, errs := drafting.ValidateAction(g.Languages, g.Participants, a)
	if err := errs.Err("action.invalid"); err != nil {
		return clean, err
	}
	text, _, err := tx.Clauses(store.ClauseFilter{GuidelineID: g.ID, SectionKind: drafting.SectionText}, nil, 0)
	if err != nil {
		return clean, err
	}
	known := map[string]bool{}
	for _, c := range text {
		known[c.ID] = true
	}
	for i, id := range a.Clauses {
		if drafting.ValidID(id) && !known[id] {
			errs.Add(fmt.Sprintf("clauses[%d]", i), "no such clause in this guideline's text")
		}
	}
	return clean, errs.Err("action.invalid")
}

// CreateActionOnce adds an action, in draft status at version 1, to a
// section of the implementation plan (facilitator), honouring an
// Idempotency-Key.
func (s *Service) CreateActionOnce(ctx context.Context, p auth.Principal, gid string, in NewAction, idem Idempotency) (Created[ActionView], error) {
	return createOnce(ctx, s, p, idem, creation[ActionView]{
		scope: "action",
		create: func(u *unit) (ActionView, error) {
			if err := requireFacilitator(p); err != nil {
				return ActionView{}, err
			}
			if err := checkActionText(&in.Details); err != nil {
				return ActionView{}, err
			}
			g, err := u.Guideline(gid)
			if err != nil {
				return ActionView{}, err
			}
			details, err := validAction(u.Tx, g, in.Details)
			if err != nil {
				return ActionView{}, err
			}
			v, err := s.createClause(u, p, gid, NewClause{SectionID: in.SectionID, Number: in.Number, Position: in.Position,
				Text: in.Text, Note: in.Note, action: &details})
			return ActionView{ClauseView: v, Details: details}, err
		},
		ref: func(v ActionView) string { return v.ID },
		load: func(tx *store.Tx, id string) (ActionView, error) {
			return actionOf(tx, id)
		},
	})
}

// actionOf reads an action at its current version; a clause that is not
// an action is not found.
func actionOf(tx *store.Tx, id string) (ActionView, error) {
	c, g, err := clauseAndGuideline(tx, id)
	if err != nil {
		if drafting.IsKind(err, drafting.KindNotFound) {
			return ActionView{}, drafting.NotFound("action")
		}
		return ActionView{}, err
	}
	ds, err := tx.ActionDetailsAt(map[string]int{c.ID: c.Version})
	if err != nil {
		return ActionView{}, err
	}
	d, ok := ds[c.ID]
	if !ok {
		return ActionView{}, drafting.NotFound("action")
	}
	return ActionView{ClauseView: viewOf(c, g), Details: d}, nil
}

// Action reads one action.
func (s *Service) Action(ctx context.Context, p auth.Principal, id string) (ActionView, error) {
	if err := requireDraftReader(p); err != nil {
		return ActionView{}, err
	}
	var out ActionView
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = actionOf(tx, id)
		return err
	})
	return out, err
}

// Actions lists one page of a guideline's plan, in document order.
func (s *Service) Actions(ctx context.Context, p auth.Principal, gid string, page Page) ([]ActionView, string, error) {
	cs, next, err := s.ClausesWhere(ctx, p, gid, ClauseQuery{sectionKind: drafting.SectionPlan}, page)
	if err != nil {
		return nil, "", err
	}
	versions := make(map[string]int, len(cs))
	for _, c := range cs {
		versions[c.ID] = c.Version
	}
	var ds map[string]drafting.ActionDetails
	// Details at a version never change, so reading them apart from the
	// clauses cannot mix two states.
	if err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		ds, err = tx.ActionDetailsAt(versions)
		return err
	}); err != nil {
		return nil, "", err
	}
	out := make([]ActionView, len(cs))
	for i, c := range cs {
		out[i] = ActionView{ClauseView: c, Details: ds[c.ID]}
	}
	return out, next, nil
}

// UpdateAction records new details of an action as version n+1 of its
// clause (facilitator; expect from If-Match): the text stays, every
// position becomes stale and the action returns to open, as for a text
// change. An agreed action is reopened first.
func (s *Service) UpdateAction(ctx context.Context, p auth.Principal, id string, expect Precondition, in drafting.ActionDetails, note string) (ActionView, error) {
	if err := requireFacilitator(p); err != nil {
		return ActionView{}, err
	}
	if err := checkActionText(&in); err != nil {
		return ActionView{}, err
	}
	var t drafting.Texts
	note = t.Text("note", note)
	if err := t.Err(); err != nil {
		return ActionView{}, err
	}
	var details drafting.ActionDetails
	v, err := s.updateClause(ctx, p, id, expect, func(u *unit, c *drafting.Clause, g drafting.Guideline) error {
		ds, err := u.ActionDetailsAt(map[string]int{c.ID: c.Version})
		if err != nil {
			return err
		}
		before, ok := ds[c.ID]
		if !ok {
			return drafting.NotFound("action")
		}
		if details, err = validAction(u.Tx, g, in); err != nil {
			return err
		}
		if err := c.CheckTextChange(); err != nil {
			return err
		}
		if drafting.SameAction(details, before) {
			return drafting.Invalid("action.unchanged", drafting.FieldError{Field: "responsible", Message: "identical to the current details"})
		}
		from, status := c.Version, c.Status
		if err := c.ApplyNewVersion(u.now); err != nil {
			return err
		}
		if note == "" {
			note = "action details changed"
		}
		if err := u.InsertVersion(drafting.Version{ClauseID: c.ID, Number: c.Version, Text: c.Text, Note: note,
			AuthorID: u.actor, CreatedAt: u.now}); err != nil {
			return err
		}
		if err := u.InsertActionDetails(c.ID, c.Version, details); err != nil {
			return err
		}
		if err := u.emit(drafting.EventActionChanged, c.GuidelineID, c.ID, map[string]any{
			"from_version": from, "to_version": c.Version, "before": actionData(before), "after": actionData(details)}); err != nil {
			return err
		}
		if status != c.Status {
			return statusChanged(u, c, status, map[string]any{"reason": "action details changed: positions are stale"})
		}
		return nil
	})
	if err != nil {
		return ActionView{}, err
	}
	return ActionView{ClauseView: v, Details: details}, nil
}

// actionData is details as events and approved content carry them.
func actionData(a drafting.ActionDetails) map[string]any {
	return map[string]any{"responsible": nonNil(a.Responsible), "timeframe": a.Timeframe, "indicators": a.Indicators,
		"means_of_verification": a.Verification, "clauses": nonNil(a.Clauses)}
}

// draftActions reads the details of the actions of a draft, at the
// versions the draft holds.
func draftActions(tx *store.Tx, d drafting.Draft) (map[string]drafting.ActionDetails, error) {
	versions := make(map[string]int, len(d.Clauses))
	for _, dc := range d.Clauses {
		versions[dc.ClauseID] = dc.Version
	}
	return tx.ActionDetailsAt(versions)
}

// addPlan moves the actions of adopted content out of its sections into
// its plan, the annex, with their details; a section left without clauses
// (a section of the plan) is dropped from the text.
func addPlan(c *ApprovedContent, d drafting.Draft, actions map[string]drafting.ActionDetails) {
	if len(actions) == 0 {
		return
	}
	numbers := map[string]string{}
	for _, dc := range d.Clauses {
		numbers[dc.ClauseID] = dc.Number
	}
	var text []ApprovedSection
	for _, sec := range c.Sections {
		kept := []ApprovedClause{}
		var plan *ApprovedPlanSection
		for _, cl := range sec.Clauses {
			a, ok := actions[cl.ID]
			if !ok {
				kept = append(kept, cl)
				continue
			}
			if plan == nil {
				c.Plan = append(c.Plan, ApprovedPlanSection{ID: sec.ID, Title: sec.Title, Actions: []ApprovedAction{}})
				plan = &c.Plan[len(c.Plan)-1]
			}
			nums := make([]string, 0, len(a.Clauses))
			for _, id := range a.Clauses {
				if n, ok := numbers[id]; ok {
					nums = append(nums, n)
				}
			}
			plan.Actions = append(plan.Actions, ApprovedAction{ID: cl.ID, Number: cl.Number, Version: cl.Version, Text: cl.Text,
				Responsible: nonNil(a.Responsible), Timeframe: a.Timeframe, Indicators: a.Indicators, Verification: a.Verification,
				Clauses: nonNil(a.Clauses), ClauseNumbers: nums})
		}
		if len(kept) > 0 {
			sec.Clauses = kept
			text = append(text, sec)
		}
	}
	if text == nil {
		text = []ApprovedSection{}
	}
	c.Sections = text
}

// annotateDraft completes a draft's rendering with what the agenda adds:
// the actions move to the annex with their details (at the versions the
// draft holds), and each clause names the national inputs it cites as
// notes. Approved renderings never carry sources (ApprovedDocument).
func annotateDraft(tx *store.Tx, doc *render.Document, d drafting.Draft) error {
	actions, err := draftActions(tx, d)
	if err != nil {
		return err
	}
	sources, err := tx.ClauseSources(d.GuidelineID)
	if err != nil {
		return err
	}
	var cited []string
	for _, ids := range sources {
		cited = append(cited, ids...)
	}
	inputs := map[string]drafting.NationalInput{}
	if len(cited) > 0 {
		ins, err := tx.Inputs(store.InputFilter{GuidelineID: d.GuidelineID, IDs: cited})
		if err != nil {
			return err
		}
		for _, in := range ins {
			inputs[in.ID] = in
		}
	}
	numbers := map[string]string{}
	for _, dc := range d.Clauses {
		numbers[dc.ClauseID] = dc.Number
	}
	var text []render.Section
	for _, sec := range doc.Sections {
		kept := sec
		kept.Clauses = nil
		var annex *render.Section
		for _, c := range sec.Clauses {
			for _, id := range sources[c.ID] {
				if in, ok := inputs[id]; ok {
					c.Sources = append(c.Sources, fmt.Sprintf("%s, %s (%s)", in.Country, in.Kind, in.Area))
				}
			}
			a, ok := actions[c.ID]
			if !ok {
				kept.Clauses = append(kept.Clauses, c)
				continue
			}
			if annex == nil {
				doc.Annex = append(doc.Annex, render.Section{ID: sec.ID, Title: sec.Title})
				annex = &doc.Annex[len(doc.Annex)-1]
			}
			c.Action = renderAction(a.Responsible, a.Timeframe, a.Indicators, a.Verification, clauseNumbersOf(a.Clauses, numbers))
			annex.Clauses = append(annex.Clauses, c)
		}
		if len(kept.Clauses) > 0 {
			text = append(text, kept)
		}
	}
	doc.Sections = text
	return nil
}

func clauseNumbersOf(ids []string, numbers map[string]string) []string {
	var out []string
	for _, id := range ids {
		if n, ok := numbers[id]; ok {
			out = append(out, n)
		}
	}
	return out
}

func renderAction(responsible []string, timeframe string, indicators, verification drafting.Text, numbers []string) *render.Action {
	return &render.Action{Responsible: responsible, Timeframe: timeframe, Indicators: indicators,
		Verification: verification, ClauseNumbers: numbers}
}

// approvedAnnex is the annex of an approved rendering: the adopted plan.
func approvedAnnex(c ApprovedContent) []render.Section {
	var out []render.Section
	for _, sec := range c.Plan {
		rs := render.Section{ID: sec.ID, Title: sec.Title}
		for _, a := range sec.Actions {
			rs.Clauses = append(rs.Clauses, render.Clause{ID: a.ID, Number: a.Number, Status: string(drafting.StatusAgreed),
				Version: a.Version, Text: a.Text,
				Action: renderAction(a.Responsible, a.Timeframe, a.Indicators, a.Verification, a.ClauseNumbers)})
		}
		out = append(out, rs)
	}
	return out
}
