package service

import (
	"context"
	"sort"
	"unicode/utf8"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// NewGuideline is a facilitator's request to start a document.
type NewGuideline struct {
	Title        string
	Slug         string // derived from the title when empty
	Languages    []string
	Participants []string
}

func requireFacilitator(p auth.Principal) error {
	if !p.IsFacilitator() {
		return forbidden("only facilitators change the text, its structure and its status")
	}
	return nil
}

func requireDraftReader(p auth.Principal) error {
	if !p.CanReadDrafts() {
		return forbidden("integrations read approved text only")
	}
	return nil
}

// validateParticipants checks country codes against the known countries and
// returns them sorted and without duplicates.
func validateParticipants(tx *store.Tx, errs *drafting.Fields, codes []string) ([]string, error) {
	known, err := tx.CountryCodes()
	if err != nil {
		return nil, err
	}
	if len(codes) == 0 {
		errs.Add("participants", "at least one participating country is required")
	}
	seen := map[string]bool{}
	out := []string{}
	for _, c := range codes {
		if !known[c] {
			errs.Add("participants", "unknown country code "+c)
			continue
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out, nil
}

func validateTitle(errs *drafting.Fields, field, title string) string {
	title = drafting.CleanText(title)
	if title == "" {
		errs.Add(field, "required")
	} else if utf8.RuneCountInString(title) > drafting.MaxTitleLen {
		errs.Add(field, "at most 300 characters")
	}
	return title
}

// CreateGuideline starts a guideline (facilitator).
func (s *Service) CreateGuideline(ctx context.Context, p auth.Principal, in NewGuideline) (drafting.Guideline, error) {
	return createPlain(ctx, s, p, func(u *unit) (drafting.Guideline, error) { return s.createGuideline(u, p, in) })
}

// CreateGuidelineOnce is CreateGuideline honouring an Idempotency-Key.
func (s *Service) CreateGuidelineOnce(ctx context.Context, p auth.Principal, in NewGuideline, idem Idempotency,
	render func(drafting.Guideline) (int, []byte, error)) (Response, error) {
	return createOnce(ctx, s, p, idem, func(u *unit) (drafting.Guideline, error) { return s.createGuideline(u, p, in) }, render)
}

func (s *Service) createGuideline(u *unit, p auth.Principal, in NewGuideline) (drafting.Guideline, error) {
	if err := requireFacilitator(p); err != nil {
		return drafting.Guideline{}, err
	}
	if err := checkText("title", &in.Title); err != nil {
		return drafting.Guideline{}, err
	}
	var errs drafting.Fields
	title := validateTitle(&errs, "title", in.Title)
	slug := in.Slug
	if slug == "" {
		slug = drafting.Slugify(title)
	}
	if !drafting.ValidSlug(slug) {
		errs.Add("slug", "lower-case letters, digits and single hyphens, at most 80 characters")
	}
	langs := []string{}
	seen := map[string]bool{}
	for _, l := range in.Languages {
		if !drafting.ValidLanguage(l) {
			errs.Add("languages", "unknown language "+l+"; the working languages are en and es")
		} else if !seen[l] {
			seen[l] = true
			langs = append(langs, l)
		}
	}
	if len(in.Languages) == 0 {
		errs.Add("languages", "at least one language is required")
	}
	var g drafting.Guideline
	parts, err := validateParticipants(u.Tx, &errs, in.Participants)
	if err != nil {
		return g, err
	}
	if err := errs.Err("guideline.invalid"); err != nil {
		return g, err
	}
	g = drafting.Guideline{ID: s.newID(), Title: title, Slug: slug, Languages: langs, Participants: parts,
		Status: drafting.GuidelineDrafting, Revision: 1, CreatedBy: p.ID, CreatedAt: u.now, UpdatedAt: u.now}
	if err := u.CreateGuideline(g); err != nil {
		if store.IsDuplicate(err) {
			return g, drafting.Invalid("guideline.slug_taken", drafting.FieldError{Field: "slug", Message: "another guideline has the slug " + slug})
		}
		return g, err
	}
	return g, u.emit(drafting.EventGuidelineCreated, g.ID, g.ID, map[string]any{"title": g.Title, "participants": g.Participants, "languages": g.Languages})
}

// Guidelines lists guidelines. Integrations see only those with an
// approved version.
func (s *Service) Guidelines(ctx context.Context, p auth.Principal, page Page) ([]drafting.Guideline, string, error) {
	var after *store.GuidelineCursor
	if page.Cursor != "" {
		after = &store.GuidelineCursor{}
		if err := page.decode(after); err != nil {
			return nil, "", err
		}
	}
	var out []drafting.Guideline
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Guidelines(after, page.Limit+1, p.IsIntegration())
		return err
	})
	if err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, page.Limit, func(g drafting.Guideline) any {
		return store.GuidelineCursor{CreatedAt: g.CreatedAt, ID: g.ID}
	})
	return out, next, nil
}

// Guideline reads one guideline.
func (s *Service) Guideline(ctx context.Context, p auth.Principal, id string) (drafting.Guideline, error) {
	var g drafting.Guideline
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		g, err = visibleGuideline(tx, p, id)
		return err
	})
	return g, err
}

// GuidelinePatch changes a guideline's title or consensus body.
type GuidelinePatch struct {
	Title        *string
	Participants *[]string
}

// UpdateGuideline changes title or participants (facilitator) while the
// guideline is being drafted; ifMatch is the revision the caller read
// (0: no precondition).
func (s *Service) UpdateGuideline(ctx context.Context, p auth.Principal, id string, ifMatch int, patch GuidelinePatch) (drafting.Guideline, error) {
	if err := requireFacilitator(p); err != nil {
		return drafting.Guideline{}, err
	}
	if err := checkText("title", patch.Title); err != nil {
		return drafting.Guideline{}, err
	}
	var g drafting.Guideline
	err := s.write(ctx, p.ID, func(u *unit) error {
		var err error
		if g, err = u.Guideline(id); err != nil {
			return err
		}
		if ifMatch != 0 && ifMatch != g.Revision {
			return errStale("guideline")
		}
		if g.Status != drafting.GuidelineDrafting {
			// The participants adopted the text; changing who they were or
			// what the text is called would rewrite that record.
			return drafting.Errorf(drafting.KindConflict, "guideline.adopted", "the guideline is adopted; its title and participants no longer change")
		}
		var errs drafting.Fields
		changed := map[string]any{}
		if patch.Title != nil {
			g.Title = validateTitle(&errs, "title", *patch.Title)
			changed["title"] = g.Title
		}
		if patch.Participants != nil {
			parts, err := validateParticipants(u.Tx, &errs, *patch.Participants)
			if err != nil {
				return err
			}
			changed["participants"] = map[string]any{"before": g.Participants, "after": parts}
			g.Participants = parts
		}
		if err := errs.Err("guideline.invalid"); err != nil {
			return err
		}
		g.Revision++
		g.UpdatedAt = u.now
		if err := u.UpdateGuideline(g); err != nil {
			if err == store.ErrConflict {
				return errStale("guideline")
			}
			return err
		}
		if err := u.emit(drafting.EventGuidelineUpdated, g.ID, g.ID, changed); err != nil {
			return err
		}
		if patch.Participants != nil {
			return s.rederiveClauses(u, g)
		}
		return nil
	})
	return g, err
}

// rederiveClauses recomputes, after the consensus body changed, the status
// of every clause under discussion: a new participant's pending position
// undoes a consensus, a departed objector's objection no longer counts.
// Each changed clause is claimed like any clause change.
func (s *Service) rederiveClauses(u *unit, g drafting.Guideline) error {
	clauses, err := u.Clauses(store.ClauseFilter{GuidelineID: g.ID})
	if err != nil {
		return err
	}
	stances, err := u.GuidelineStances(g.ID)
	if err != nil {
		return err
	}
	byClause := map[string][]drafting.Position{}
	for _, p := range stances {
		byClause[p.ClauseID] = append(byClause[p.ClauseID], p)
	}
	for i := range clauses {
		c := &clauses[i]
		from := c.Status
		if !c.Rederive(g.Participants, byClause[c.ID], u.now) {
			continue
		}
		ok, err := u.ClaimClause(c.ID, c.Revision, u.now)
		if err != nil {
			return err
		}
		if !ok {
			return drafting.Errorf(drafting.KindConflict, "guideline.busy", "a clause is being changed meanwhile; try again")
		}
		c.Revision++
		if err := u.SaveClause(*c); err != nil {
			return err
		}
		if err := statusChanged(u, c, from, map[string]any{"reason": "participating countries changed"}); err != nil {
			return err
		}
	}
	return nil
}

func errStale(what string) error {
	return drafting.Errorf(drafting.KindPrecondition, what+".version_stale", "the %s changed since you read it; read it again and reapply your change", what)
}

// CreateSection inserts a section at position (1-based; 0 appends).
func (s *Service) CreateSection(ctx context.Context, p auth.Principal, gid, title string, position int) (drafting.Section, error) {
	return createPlain(ctx, s, p, func(u *unit) (drafting.Section, error) { return s.createSection(u, p, gid, title, position) })
}

// CreateSectionOnce is CreateSection honouring an Idempotency-Key.
func (s *Service) CreateSectionOnce(ctx context.Context, p auth.Principal, gid, title string, position int, idem Idempotency,
	render func(drafting.Section) (int, []byte, error)) (Response, error) {
	return createOnce(ctx, s, p, idem, func(u *unit) (drafting.Section, error) { return s.createSection(u, p, gid, title, position) }, render)
}

func (s *Service) createSection(u *unit, p auth.Principal, gid, title string, position int) (drafting.Section, error) {
	if err := requireFacilitator(p); err != nil {
		return drafting.Section{}, err
	}
	if err := checkText("title", &title); err != nil {
		return drafting.Section{}, err
	}
	var errs drafting.Fields
	title = validateTitle(&errs, "title", title)
	if position < 0 {
		errs.Add("position", "must be 1 or more")
	}
	if err := errs.Err("section.invalid"); err != nil {
		return drafting.Section{}, err
	}
	var sec drafting.Section
	if err := u.ClaimGuideline(gid, u.now); err != nil {
		return sec, err
	}
	secs, err := u.Sections(gid)
	if err != nil {
		return sec, err
	}
	if position == 0 || position > len(secs)+1 {
		position = len(secs) + 1
	}
	sec = drafting.Section{ID: s.newID(), GuidelineID: gid, Title: title, Position: position, CreatedAt: u.now}
	if err := u.InsertSection(sec); err != nil {
		return sec, err
	}
	if err := u.Renumber(gid, u.now); err != nil {
		return sec, err
	}
	return sec, u.emit(drafting.EventSectionCreated, gid, sec.ID, map[string]any{"title": title, "position": position})
}

// Sections lists a guideline's sections in order.
func (s *Service) Sections(ctx context.Context, p auth.Principal, gid string) ([]drafting.Section, error) {
	if err := requireDraftReader(p); err != nil {
		return nil, err
	}
	var out []drafting.Section
	err := s.read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Guideline(gid); err != nil {
			return err
		}
		var err error
		out, err = tx.Sections(gid)
		return err
	})
	return out, err
}

// UpdateSection renames and/or moves a section; clause numbers follow.
func (s *Service) UpdateSection(ctx context.Context, p auth.Principal, sid string, title *string, position *int) (drafting.Section, error) {
	if err := requireFacilitator(p); err != nil {
		return drafting.Section{}, err
	}
	if err := checkText("title", title); err != nil {
		return drafting.Section{}, err
	}
	var errs drafting.Fields
	if title != nil {
		*title = validateTitle(&errs, "title", *title)
	}
	if position != nil && *position < 1 {
		errs.Add("position", "must be 1 or more")
	}
	if err := errs.Err("section.invalid"); err != nil {
		return drafting.Section{}, err
	}
	var sec drafting.Section
	err := s.write(ctx, p.ID, func(u *unit) error {
		var err error
		if sec, err = u.Section(sid); err != nil {
			return err
		}
		if err := u.ClaimGuideline(sec.GuidelineID, u.now); err != nil {
			return err
		}
		if sec, err = u.Section(sid); err != nil { // re-read under the claim
			return err
		}
		data := map[string]any{}
		if title != nil && *title != sec.Title {
			if err := u.UpdateSectionTitle(sid, *title); err != nil {
				return err
			}
			data["title"] = map[string]any{"before": sec.Title, "after": *title}
			sec.Title = *title
		}
		if position != nil {
			secs, err := u.Sections(sec.GuidelineID)
			if err != nil {
				return err
			}
			to := min(*position, len(secs))
			if to != sec.Position {
				if err := u.MoveSection(sec, to); err != nil {
					return err
				}
				if err := u.Renumber(sec.GuidelineID, u.now); err != nil {
					return err
				}
				data["position"] = map[string]any{"before": sec.Position, "after": to}
				sec.Position = to
			}
		}
		if len(data) == 0 {
			return nil
		}
		return u.emit(drafting.EventSectionUpdated, sec.GuidelineID, sec.ID, data)
	})
	return sec, err
}
