package service

import (
	"context"
	"unicode/utf8"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
)

// SetAlternatives makes the clause's new version carry alternatives (two
// or more texts, each per language): its text holds them side by side
// ("[Alt. A: …] [Alt. B: …]"); positions become stale and, from now on, an
// agreement names the alternatives it accepts (facilitator; If-Match as
// for a text change).
func (s *Service) SetAlternatives(ctx context.Context, p auth.Principal, id string, expect Precondition, alts []drafting.Text, note string) (ClauseView, error) {
	if err := requireFacilitator(p); err != nil {
		return ClauseView{}, err
	}
	var t drafting.Texts
	for i := range alts {
		alts[i] = t.Map("alternatives", alts[i])
	}
	note = t.Text("note", note)
	if err := t.Err(); err != nil {
		return ClauseView{}, err
	}
	return s.updateClause(ctx, p, id, expect, func(u *unit, c *drafting.Clause, g drafting.Guideline) error {
		clean, err := drafting.ValidateAlternatives(g.Languages, alts)
		if err != nil {
			return err
		}
		note := drafting.CleanText(note)
		if utf8.RuneCountInString(note) > drafting.MaxNoteLen {
			return drafting.Invalid("clause.invalid", drafting.FieldError{Field: "note", Message: "at most 2000 characters"})
		}
		if err := c.CheckTextChange(); err != nil {
			return err
		}
		text := drafting.AlternativesText(drafting.Text{}, clean)
		if drafting.SameText(text, c.Text) {
			return drafting.Invalid("clause.text_unchanged", drafting.FieldError{Field: "alternatives", Message: "identical to the current version"})
		}
		return s.newVersion(u, c, g, text, clean, note, nil)
	})
}

// ChooseAlternative resolves a clause's alternatives: the chosen one's
// text becomes a new version, without alternatives; the others stay in the
// history (facilitator).
func (s *Service) ChooseAlternative(ctx context.Context, p auth.Principal, id string, expect Precondition, label string) (ClauseView, error) {
	if err := requireFacilitator(p); err != nil {
		return ClauseView{}, err
	}
	if drafting.AltIndex(label, drafting.MaxAlternatives) < 0 {
		return ClauseView{}, drafting.NotFound("alternative")
	}
	return s.updateClause(ctx, p, id, expect, func(u *unit, c *drafting.Clause, g drafting.Guideline) error {
		text, err := c.ChooseAlternative(label, u.now)
		if err != nil {
			return err
		}
		from := c.Version
		if err := s.newVersion(u, c, g, text, nil, "alternative "+label+" chosen", nil); err != nil {
			return err
		}
		return u.emit(drafting.EventClauseAlternativeChosen, c.GuidelineID, c.ID, map[string]any{
			"label": label, "from_version": from, "version": c.Version})
	})
}
