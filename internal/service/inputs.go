package service

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// NewInput is a delegation's national workshop outcome.
type NewInput = drafting.InputContent

func (s *Service) checkInputContent(in *drafting.InputContent) error {
	var t drafting.Texts
	in.Text = t.Map("text", in.Text)
	in.Source = t.Text("source", in.Source)
	in.Area = t.Plain("area", in.Area)
	in.Kind = drafting.InputKind(t.Plain("kind", string(in.Kind)))
	return t.Err()
}

// CreateInputOnce records a national input of the caller's country in a
// guideline (a delegate of a participating country), honouring an
// Idempotency-Key.
func (s *Service) CreateInputOnce(ctx context.Context, p auth.Principal, gid string, in NewInput, idem Idempotency) (Created[drafting.NationalInput], error) {
	return createOnce(ctx, s, p, idem, creation[drafting.NationalInput]{
		scope:  "input",
		create: func(u *unit) (drafting.NationalInput, error) { return s.createInput(u, p, gid, in) },
		ref:    func(n drafting.NationalInput) string { return n.ID },
		load:   (*store.Tx).Input,
	})
}

func (s *Service) createInput(u *unit, p auth.Principal, gid string, in NewInput) (drafting.NationalInput, error) {
	var out drafting.NationalInput
	if err := requireDraftReader(p); err != nil {
		return out, err
	}
	g, err := u.Guideline(gid)
	if err != nil {
		return out, err
	}
	if err := p.Speaker().CheckInputAuthor(p.Country); err != nil {
		return out, err
	}
	if !g.IsParticipant(p.Country) {
		return out, drafting.Errorf(drafting.KindForbidden, "input.forbidden", "%s does not participate in this guideline", p.Country)
	}
	if err := s.checkInputContent(&in); err != nil {
		return out, err
	}
	clean, errs := drafting.ValidateInput(g.Languages, in)
	if err := errs.Err("input.invalid"); err != nil {
		return out, err
	}
	out = drafting.NationalInput{ID: s.newID(), GuidelineID: gid, Country: p.Country, Area: clean.Area, Kind: clean.Kind,
		Text: clean.Text, Source: clean.Source, Version: 1, Revision: 1, CreatedBy: p.ID, CreatedAt: u.now, UpdatedAt: u.now}
	if err := u.InsertInput(out); err != nil {
		return out, err
	}
	return out, u.emit(drafting.EventInputCreated, gid, out.ID, map[string]any{"input_id": out.ID, "country": out.Country,
		"area": out.Area, "kind": string(out.Kind), "version": 1, "text": out.Text, "source": out.Source})
}

// UpdateInput adds a version of a national input (a delegate of its
// country). expect comes from If-Match, which the HTTP layer requires.
func (s *Service) UpdateInput(ctx context.Context, p auth.Principal, id string, expect Precondition, in drafting.InputContent) (drafting.NationalInput, error) {
	var out drafting.NationalInput
	if err := requireDraftReader(p); err != nil {
		return out, err
	}
	if err := s.checkInputContent(&in); err != nil {
		return out, err
	}
	// Without If-Match ("*"), an edit that lost the race to another one is
	// run again on the newer input; with it, the loser is told (412).
	for attempt := 1; ; attempt++ {
		raced := false
		err := s.write(ctx, p.ID, func(u *unit) error {
			return s.updateInput(u, p, id, expect, in, &out, &raced)
		})
		if raced && attempt < maxClaimAttempts {
			continue
		}
		return out, err
	}
}

// updateInput is one attempt of UpdateInput, in its transaction; it sets
// raced when it lost to a concurrent edit and may be run again.
func (s *Service) updateInput(u *unit, p auth.Principal, id string, expect Precondition, in drafting.InputContent,
	out *drafting.NationalInput, raced *bool) error {
	cur, err := u.Input(id)
	if err != nil {
		return err
	}
	if err := p.Speaker().CheckInputAuthor(cur.Country); err != nil {
		return err
	}
	if !expect.Admits(cur.Revision) {
		return errStale("input")
	}
	g, err := u.Guideline(cur.GuidelineID)
	if err != nil {
		return err
	}
	clean, errs := drafting.ValidateInput(g.Languages, in)
	if err := errs.Err("input.invalid"); err != nil {
		return err
	}
	if drafting.SameInput(clean, drafting.InputContent{Area: cur.Area, Kind: cur.Kind, Text: cur.Text, Source: cur.Source}) {
		return drafting.Invalid("input.unchanged", drafting.FieldError{Field: "text", Message: "identical to the current version"})
	}
	rev := cur.Revision
	*out = cur
	out.Area, out.Kind, out.Text, out.Source = clean.Area, clean.Kind, clean.Text, clean.Source
	out.Version++
	out.Revision++
	out.UpdatedAt = u.now
	if err := u.SaveInput(*out, rev); err != nil {
		if errors.Is(err, store.ErrConflict) {
			if expect.Pinned() {
				return errStale("input")
			}
			*raced = true
			return errRaced
		}
		return err
	}
	if err := u.InsertInputVersion(drafting.InputVersion{InputID: id, Number: out.Version, Area: out.Area, Kind: out.Kind,
		Text: out.Text, Source: out.Source, AuthorID: p.ID, CreatedAt: u.now}); err != nil {
		return err
	}
	return u.emit(drafting.EventInputChanged, out.GuidelineID, id, map[string]any{"input_id": id, "country": out.Country,
		"area": out.Area, "kind": string(out.Kind), "from_version": cur.Version, "to_version": out.Version,
		"before": cur.Text, "after": out.Text, "source": out.Source})
}

// Input reads one national input.
func (s *Service) Input(ctx context.Context, p auth.Principal, id string) (drafting.NationalInput, error) {
	var out drafting.NationalInput
	if err := requireDraftReader(p); err != nil {
		return out, err
	}
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Input(id)
		return err
	})
	return out, err
}

// InputQuery narrows a guideline's list of national inputs.
type InputQuery struct {
	Country, Area string
	Kind          drafting.InputKind
	// Unaddressed keeps the inputs no clause cites yet ("which challenges
	// does no clause address?": Kind challenge, Unaddressed).
	Unaddressed bool
}

// Inputs lists one page of a guideline's national inputs, oldest first.
func (s *Service) Inputs(ctx context.Context, p auth.Principal, gid string, q InputQuery, page Page) ([]drafting.NationalInput, string, error) {
	if err := requireDraftReader(p); err != nil {
		return nil, "", err
	}
	var errs drafting.Fields
	if q.Kind != "" && !drafting.ValidInputKind(q.Kind) {
		errs.Add("kind", "one of advance, challenge, good_practice")
	}
	if q.Area != "" && !drafting.ValidArea(q.Area) {
		errs.Add("area", "an area name such as prevention")
	}
	if q.Country != "" && !countryCode.MatchString(q.Country) {
		errs.Add("country", `a country code such as "CR"`)
	}
	if err := errs.Err("input.invalid_filter"); err != nil {
		return nil, "", err
	}
	var after *store.InputCursor
	if page.Cursor != "" {
		after = &store.InputCursor{}
		if err := page.decode(after); err != nil {
			return nil, "", err
		}
		if !drafting.ValidID(after.ID) {
			return nil, "", errBadCursor
		}
	}
	var out []drafting.NationalInput
	err := s.read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Guideline(gid); err != nil {
			return err
		}
		var err error
		out, err = tx.Inputs(store.InputFilter{GuidelineID: gid, Country: q.Country, Area: q.Area, Kind: string(q.Kind),
			Unaddressed: q.Unaddressed, After: after, Limit: page.Limit + 1})
		return err
	})
	if err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, page.Limit, func(n drafting.NationalInput) any {
		return store.InputCursor{CreatedAt: n.CreatedAt, ID: n.ID}
	})
	return out, next, nil
}

// InputVersions lists an input's versions, newest first.
func (s *Service) InputVersions(ctx context.Context, p auth.Principal, id string, page Page) ([]drafting.InputVersion, string, error) {
	if err := requireDraftReader(p); err != nil {
		return nil, "", err
	}
	before, err := page.decodeInt()
	if err != nil {
		return nil, "", err
	}
	var out []drafting.InputVersion
	err = s.read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Input(id); err != nil {
			return err
		}
		var err error
		out, err = tx.InputVersions(id, before, page.Limit+1)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, page.Limit, func(v drafting.InputVersion) any { return v.Number })
	return out, next, nil
}

// SynthesisInput is one input as the regional synthesis shows it, with
// the clauses that cite it.
type SynthesisInput struct {
	drafting.NationalInput
	CitedBy []string
}

// SynthesisGroup is the inputs of one area and kind, with the countries
// that raised them.
type SynthesisGroup struct {
	Area      string
	Kind      drafting.InputKind
	Countries []string
	Inputs    []SynthesisInput
}

// areaOrder puts the meeting's three areas first, then the others by name.
func areaOrder(a string) string {
	switch a {
	case drafting.AreaPrevention:
		return "0"
	case drafting.AreaProtection:
		return "1"
	case drafting.AreaConsularAssistance:
		return "2"
	}
	return "3" + a
}

var kindOrder = map[drafting.InputKind]int{drafting.InputAdvance: 0, drafting.InputChallenge: 1, drafting.InputGoodPractice: 2}

// Synthesis is the regional synthesis of a guideline's national inputs
// (optionally of one area): grouped by area and kind, each group naming
// the countries that raised it, each input the clauses that cite it.
func (s *Service) Synthesis(ctx context.Context, p auth.Principal, gid, area string) ([]SynthesisGroup, error) {
	if err := requireDraftReader(p); err != nil {
		return nil, err
	}
	if area != "" && !drafting.ValidArea(area) {
		return nil, drafting.Invalid("input.invalid_filter", drafting.FieldError{Field: "area", Message: "an area name such as prevention"})
	}
	var ins []drafting.NationalInput
	var cited map[string][]string
	err := s.read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Guideline(gid); err != nil {
			return err
		}
		var err error
		if ins, err = tx.Inputs(store.InputFilter{GuidelineID: gid, Area: area}); err != nil {
			return err
		}
		cs, err := tx.ClauseSources(gid)
		cited = map[string][]string{}
		for clause, inputs := range cs {
			for _, in := range inputs {
				cited[in] = append(cited[in], clause)
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	type key struct {
		area string
		kind drafting.InputKind
	}
	groups := map[key]*SynthesisGroup{}
	var keys []key
	for _, in := range ins {
		k := key{in.Area, in.Kind}
		g := groups[k]
		if g == nil {
			g = &SynthesisGroup{Area: in.Area, Kind: in.Kind, Countries: []string{}}
			groups[k] = g
			keys = append(keys, k)
		}
		by := cited[in.ID]
		sort.Strings(by)
		if by == nil {
			by = []string{}
		}
		g.Inputs = append(g.Inputs, SynthesisInput{NationalInput: in, CitedBy: by})
		if !contains(g.Countries, in.Country) {
			g.Countries = append(g.Countries, in.Country)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].area != keys[j].area {
			return areaOrder(keys[i].area) < areaOrder(keys[j].area)
		}
		return kindOrder[keys[i].kind] < kindOrder[keys[j].kind]
	})
	out := make([]SynthesisGroup, len(keys))
	for i, k := range keys {
		g := groups[k]
		sort.Strings(g.Countries)
		sort.SliceStable(g.Inputs, func(a, b int) bool { return g.Inputs[a].Country < g.Inputs[b].Country })
		out[i] = *g
	}
	return out, nil
}

// ClauseSources is what a clause draws on: the inputs it cites and the
// countries that raised them.
type ClauseSources struct {
	ClauseID  string
	Inputs    []drafting.NationalInput
	Countries []string
}

// maxSources bounds the inputs one clause cites.
const maxSources = 200

func sourcesOf(tx *store.Tx, clauseID, gid string) (ClauseSources, error) {
	out := ClauseSources{ClauseID: clauseID, Inputs: []drafting.NationalInput{}, Countries: []string{}}
	ids, err := tx.SourcesOf(clauseID)
	if err != nil || len(ids) == 0 {
		return out, err
	}
	if out.Inputs, err = tx.Inputs(store.InputFilter{GuidelineID: gid, IDs: ids}); err != nil {
		return out, err
	}
	for _, in := range out.Inputs {
		if !contains(out.Countries, in.Country) {
			out.Countries = append(out.Countries, in.Country)
		}
	}
	sort.Strings(out.Countries)
	return out, nil
}

// Sources reads the inputs a clause cites and the countries they come
// from.
func (s *Service) Sources(ctx context.Context, p auth.Principal, clauseID string) (ClauseSources, error) {
	var out ClauseSources
	if err := requireDraftReader(p); err != nil {
		return out, err
	}
	err := s.read(ctx, func(tx *store.Tx) error {
		c, err := tx.Clause(clauseID)
		if err != nil {
			return err
		}
		out, err = sourcesOf(tx, c.ID, c.GuidelineID)
		return err
	})
	return out, err
}

// SetSources replaces the inputs a clause cites (facilitator): inputs of
// the same guideline, each once. The clause's text, version and positions
// are untouched: citing is the facilitator's record of provenance, not a
// change of what the countries agree to.
func (s *Service) SetSources(ctx context.Context, p auth.Principal, clauseID string, inputIDs []string) (ClauseSources, error) {
	var out ClauseSources
	if err := requireFacilitator(p); err != nil {
		return out, err
	}
	var errs drafting.Fields
	if inputIDs == nil {
		errs.Add("inputs", "required (an empty list cites nothing)")
	}
	if len(inputIDs) > maxSources {
		errs.Add("inputs", fmt.Sprintf("at most %d inputs", maxSources))
	}
	ids := []string{}
	for i, id := range inputIDs {
		if !drafting.ValidID(id) {
			errs.Add(fmt.Sprintf("inputs[%d]", i), "not an input id")
		} else if !contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if err := errs.Err("clause.invalid_sources"); err != nil {
		return out, err
	}
	sort.Strings(ids)
	err := s.write(ctx, p.ID, func(u *unit) error {
		c, err := u.LockClause(clauseID)
		if err != nil {
			return err
		}
		found, err := u.Inputs(store.InputFilter{GuidelineID: c.GuidelineID, IDs: ids})
		if err != nil {
			return err
		}
		if len(found) != len(ids) {
			known := map[string]bool{}
			for _, in := range found {
				known[in.ID] = true
			}
			var fe drafting.Fields
			for i, id := range inputIDs {
				if drafting.ValidID(id) && !known[id] {
					fe.Add(fmt.Sprintf("inputs[%d]", i), "no such input in this guideline")
				}
			}
			return fe.Err("clause.invalid_sources")
		}
		before, err := u.SourcesOf(c.ID)
		if err != nil {
			return err
		}
		if before == nil {
			before = []string{}
		}
		if fmt.Sprint(before) == fmt.Sprint(ids) {
			out, err = sourcesOf(u.Tx, c.ID, c.GuidelineID)
			return err
		}
		if err := u.SetClauseSources(c.ID, ids); err != nil {
			return err
		}
		if out, err = sourcesOf(u.Tx, c.ID, c.GuidelineID); err != nil {
			return err
		}
		return u.emit(drafting.EventClauseSourcesChanged, c.GuidelineID, c.ID, map[string]any{
			"before": before, "after": ids, "countries": out.Countries})
	})
	return out, err
}
