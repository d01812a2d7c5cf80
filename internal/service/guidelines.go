package service

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// NewGuideline is a facilitator's request to start a document.
type NewGuideline struct {
	Title        drafting.Text // in every language of the guideline
	Slug         string        // derived from the title in the first language when empty
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

// checkTitle applies the text rule to every language of a title
// (drafting.Texts.Map: 422 text.invalid_character) and cleans it in place.
func checkTitle(t *drafting.Text) error {
	if t == nil {
		return nil
	}
	var tx drafting.Texts
	*t = tx.Map("title", *t)
	return tx.Err()
}

// validateTitleIn checks a cleaned title against the guideline's languages
// (drafting.ValidateTitle): every one of them, no other.
func validateTitleIn(errs *drafting.Fields, languages []string, t drafting.Text) drafting.Text {
	clean, fe := drafting.ValidateTitle("title", languages, t)
	*errs = append(*errs, fe...)
	return clean
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
	out, err := s.CreateGuidelineOnce(ctx, p, in, Idempotency{})
	return out.Value, err
}

// CreateGuidelineOnce is CreateGuideline honouring an Idempotency-Key.
func (s *Service) CreateGuidelineOnce(ctx context.Context, p auth.Principal, in NewGuideline, idem Idempotency) (Created[drafting.Guideline], error) {
	return createOnce(ctx, s, p, idem, creation[drafting.Guideline]{
		scope:  "guideline",
		create: func(u *unit) (drafting.Guideline, error) { return s.createGuideline(u, p, in) },
		ref:    func(g drafting.Guideline) string { return g.ID },
		load:   (*store.Tx).Guideline,
	})
}

func (s *Service) createGuideline(u *unit, p auth.Principal, in NewGuideline) (drafting.Guideline, error) {
	if err := requireFacilitator(p); err != nil {
		return drafting.Guideline{}, err
	}
	if err := checkTitle(&in.Title); err != nil {
		return drafting.Guideline{}, err
	}
	var errs drafting.Fields
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
	title := validateTitleIn(&errs, langs, in.Title)
	slug, derived := in.Slug, in.Slug == ""
	if !derived && !drafting.ValidSlug(slug) {
		errs.Add("slug", "lower-case letters, digits and single hyphens, at most 80 characters")
	}
	var g drafting.Guideline
	parts, err := validateParticipants(u.Tx, &errs, in.Participants)
	if err != nil {
		return g, err
	}
	if err := errs.Err("guideline.invalid"); err != nil {
		return g, err
	}
	if derived {
		// The slug follows the first language, so it stays what it was
		// however the other languages' titles are translated.
		if slug, err = freeSlug(u, drafting.Slugify(title[langs[0]])); err != nil {
			return g, err
		}
	}
	g = drafting.Guideline{ID: s.newID(), Title: title, Slug: slug, Languages: langs, Participants: parts,
		Status: drafting.GuidelineDrafting, Revision: 1, CreatedBy: p.ID, CreatedAt: u.now, UpdatedAt: u.now}
	if err := u.CreateGuideline(g); err != nil {
		switch {
		case store.IsDuplicate(err) && derived: // taken meanwhile
			return g, drafting.Errorf(drafting.KindConflict, "guideline.changed", "another guideline took the slug %s meanwhile; try again", slug)
		case store.IsDuplicate(err):
			return g, drafting.Invalid("guideline.slug_taken", drafting.FieldError{Field: "slug", Message: "another guideline has the slug " + slug})
		}
		return g, err
	}
	return g, u.emit(drafting.EventGuidelineCreated, g.ID, g.ID, map[string]any{"title": g.Title, "participants": g.Participants, "languages": g.Languages})
}

// freeSlug is the slug a guideline gets when its request names none: base
// (the title's, in the first language) if no guideline has it, else base-2,
// base-3…; "guideline" when the title has no letter or digit a slug keeps
// (a title in another script, only punctuation).
func freeSlug(u *unit, base string) (string, error) {
	if base == "" {
		base = "guideline"
	}
	taken, err := u.SlugsLike(base)
	if err != nil || !taken[base] {
		return base, err
	}
	// Room for the suffix within the 80 characters of a slug.
	if len(base) > 72 {
		base = strings.Trim(base[:72], "-")
		if taken, err = u.SlugsLike(base); err != nil {
			return "", err
		}
	}
	slug := base
	for n := 2; taken[slug]; n++ {
		slug = base + "-" + strconv.Itoa(n)
	}
	return slug, nil
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
	Title        *drafting.Text // replaces the whole map
	Participants *[]string
}

// UpdateGuideline changes title or participants (facilitator) while the
// guideline is being drafted; expect comes from If-Match.
func (s *Service) UpdateGuideline(ctx context.Context, p auth.Principal, id string, expect Precondition, patch GuidelinePatch) (drafting.Guideline, error) {
	if err := requireFacilitator(p); err != nil {
		return drafting.Guideline{}, err
	}
	if err := checkTitle(patch.Title); err != nil {
		return drafting.Guideline{}, err
	}
	var g drafting.Guideline
	// Without If-Match, a change that lost the race to another one is run
	// again on the newer guideline; with it, the loser is told (412).
	for attempt := 1; ; attempt++ {
		raced := false
		err := s.write(ctx, p.ID, func(u *unit) error {
			var err error
			if g, err = u.Guideline(id); err != nil {
				return err
			}
			if !expect.Admits(g.Revision) {
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
				g.Title = validateTitleIn(&errs, g.Languages, *patch.Title)
				changed["title"] = g.Title
			}
			var change *drafting.ParticipantsChange
			if patch.Participants != nil {
				parts, err := validateParticipants(u.Tx, &errs, *patch.Participants)
				if err != nil {
					return err
				}
				change = &drafting.ParticipantsChange{Before: g.Participants, After: parts}
				changed["participants"] = map[string]any{"before": g.Participants, "after": parts,
					"added": change.Added(), "removed": change.Removed()}
				g.Participants = parts
			}
			if err := errs.Err("guideline.invalid"); err != nil {
				return err
			}
			g.Revision++
			g.UpdatedAt = u.now
			if err := u.UpdateGuideline(g); err != nil {
				if errors.Is(err, store.ErrConflict) {
					if expect.Pinned() {
						return errStale("guideline")
					}
					raced = true
				}
				return err
			}
			// Claim the clauses before the first event: every writer takes a
			// clause before the event counter, so no two transactions wait on
			// each other in opposite orders (PostgreSQL would abort one).
			var clauses []drafting.Clause
			if change != nil {
				if clauses, err = claimClauses(u, g.ID); err != nil {
					return err
				}
			}
			if err := u.emit(drafting.EventGuidelineUpdated, g.ID, g.ID, changed); err != nil {
				return err
			}
			if change != nil {
				return s.rederiveClauses(u, g, *change, clauses)
			}
			return nil
		})
		if raced && attempt < maxClaimAttempts {
			continue
		}
		if raced {
			return g, drafting.Errorf(drafting.KindConflict, "guideline.busy", "the guideline is being changed by someone else; try again")
		}
		return g, err
	}
}

// claimClauses claims every clause of a guideline, changed or not, before a
// change of its consensus body reads their positions: a position, a lock,
// an opening or the end of a silence procedure running meanwhile on any
// clause either committed before (and is counted) or finds its claim taken
// and is derived again with the new participants. Otherwise a position
// recorded against the old consensus body could leave a status the new one
// does not support. A clause claimed by someone else meanwhile is 409
// guideline.busy.
func claimClauses(u *unit, gid string) ([]drafting.Clause, error) {
	clauses, err := u.ClauseStates(gid)
	if err != nil {
		return nil, err
	}
	for i := range clauses {
		ok, err := u.ClaimClause(clauses[i].ID, clauses[i].Revision, u.now)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, drafting.Errorf(drafting.KindConflict, "guideline.busy", "a clause is being changed meanwhile; try again")
		}
		clauses[i].Revision++
	}
	return clauses, nil
}

// rederiveClauses derives every (claimed) clause of the guideline again
// after its consensus body changed (drafting.ApplyParticipants): a
// newcomer's pending position undoes a consensus and reopens an agreed
// clause, a participant's objection contests even an agreed clause or breaks
// a silence procedure, a departed objector's objection no longer counts.
// Each change is recorded with its reason and the countries that caused it.
func (s *Service) rederiveClauses(u *unit, g drafting.Guideline, change drafting.ParticipantsChange, clauses []drafting.Clause) error {
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
		r, changed := c.ApplyParticipants(change, byClause[c.ID], u.now)
		if !changed {
			continue
		}
		if err := u.SaveClause(*c); err != nil {
			return err
		}
		if r.From == drafting.StatusSilence && r.To == drafting.StatusContested {
			if err := u.emit(drafting.EventSilenceBroken, c.GuidelineID, c.ID, map[string]any{
				"countries": r.Countries, "version": c.Version, "reason": r.Reason}); err != nil {
				return err
			}
		}
		if err := statusChanged(u, c, r.From, map[string]any{"reason": r.Reason, "countries": r.Countries,
			"participants_changed": true}); err != nil {
			return err
		}
	}
	return nil
}

func errStale(what string) error {
	return drafting.Errorf(drafting.KindPrecondition, what+".version_stale", "the %s changed since you read it; read it again and reapply your change", what)
}

// CreateSection inserts a section at position (1-based; 0 appends).
func (s *Service) CreateSection(ctx context.Context, p auth.Principal, gid string, title drafting.Text, position int) (drafting.Section, error) {
	out, err := s.CreateSectionOnce(ctx, p, gid, title, position, Idempotency{})
	return out.Value, err
}

// CreateSectionOnce is CreateSection honouring an Idempotency-Key.
func (s *Service) CreateSectionOnce(ctx context.Context, p auth.Principal, gid string, title drafting.Text, position int, idem Idempotency) (Created[drafting.Section], error) {
	return s.CreateSectionOfKindOnce(ctx, p, gid, title, position, "", idem)
}

// CreateSectionOfKindOnce is CreateSectionOnce for a section of a kind:
// drafting.SectionText ("" too) or drafting.SectionPlan, a section of the
// implementation plan whose clauses are actions.
func (s *Service) CreateSectionOfKindOnce(ctx context.Context, p auth.Principal, gid string, title drafting.Text, position int, kind string, idem Idempotency) (Created[drafting.Section], error) {
	return createOnce(ctx, s, p, idem, creation[drafting.Section]{
		scope:  "section",
		create: func(u *unit) (drafting.Section, error) { return s.createSection(u, p, gid, title, position, kind) },
		ref:    func(sec drafting.Section) string { return sec.ID },
		load:   (*store.Tx).Section,
	})
}

func (s *Service) createSection(u *unit, p auth.Principal, gid string, title drafting.Text, position int, kind string) (drafting.Section, error) {
	if err := requireFacilitator(p); err != nil {
		return drafting.Section{}, err
	}
	if err := checkTitle(&title); err != nil {
		return drafting.Section{}, err
	}
	var sec drafting.Section
	if err := u.ClaimGuideline(gid, u.now); err != nil {
		return sec, err
	}
	g, err := u.Guideline(gid)
	if err != nil {
		return sec, err
	}
	var errs drafting.Fields
	title = validateTitleIn(&errs, g.Languages, title)
	if position < 0 {
		errs.Add("position", "must be 1 or more")
	}
	if !drafting.ValidSectionKind(kind) {
		errs.Add("kind", "text or plan")
	}
	if kind == "" {
		kind = drafting.SectionText
	}
	if err := errs.Err("section.invalid"); err != nil {
		return drafting.Section{}, err
	}
	secs, err := u.Sections(gid)
	if err != nil {
		return sec, err
	}
	if position == 0 || position > len(secs)+1 {
		position = len(secs) + 1
	}
	sec = drafting.Section{ID: s.newID(), GuidelineID: gid, Title: title, Position: position, Kind: kind, CreatedAt: u.now}
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
func (s *Service) UpdateSection(ctx context.Context, p auth.Principal, sid string, title *drafting.Text, position *int) (drafting.Section, error) {
	if err := requireFacilitator(p); err != nil {
		return drafting.Section{}, err
	}
	if err := checkTitle(title); err != nil {
		return drafting.Section{}, err
	}
	var errs drafting.Fields
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
		if title != nil {
			g, err := u.Guideline(sec.GuidelineID)
			if err != nil {
				return err
			}
			var errs drafting.Fields
			*title = validateTitleIn(&errs, g.Languages, *title)
			if err := errs.Err("section.invalid"); err != nil {
				return err
			}
		}
		data := map[string]any{}
		if title != nil && !drafting.SameText(*title, sec.Title) {
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
