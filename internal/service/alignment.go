package service

import (
	"context"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// mayAlign reports whether p may confirm or correct a language pending
// alignment on guideline gid: a facilitator, or a delegate the facilitator
// designated as translator of the guideline.
func mayAlign(tx *store.Tx, p auth.Principal, gid string) error {
	if p.IsFacilitator() {
		return nil
	}
	if p.Role == drafting.RoleDelegate {
		ok, err := tx.IsTranslator(gid, p.ID)
		if err != nil || ok {
			return err
		}
	}
	return forbidden("only a facilitator, or a delegate the facilitator designated as translator of this guideline, aligns the languages of a clause")
}

// AlignClause settles a language of a clause pending alignment (docs/
// consensus.md, rule 10). Without text it confirms that the language says
// the same as the last change (no new version; positions stay current);
// with text it corrects the language: a new version that touches only
// that language (positions become stale, as with any text change).
func (s *Service) AlignClause(ctx context.Context, p auth.Principal, id string, expect Precondition, lang string, text *string) (ClauseView, error) {
	if err := requireDraftReader(p); err != nil {
		return ClauseView{}, err
	}
	var t drafting.Texts
	lang = t.Plain("lang", lang)
	corrected := ""
	if text != nil {
		corrected = t.Text("text", *text)
	}
	if err := t.Err(); err != nil {
		return ClauseView{}, err
	}
	return s.updateClause(ctx, p, id, expect, func(u *unit, c *drafting.Clause, g drafting.Guideline) error {
		if err := mayAlign(u.Tx, p, g.ID); err != nil {
			return err
		}
		if text == nil {
			if err := c.ConfirmAlignment(lang, g.Languages, u.now); err != nil {
				return err
			}
			return u.emit(drafting.EventClauseAlignmentConfirmed, c.GuidelineID, c.ID, map[string]any{
				"lang": lang, "version": c.Version, "corrected": false, "alignment_pending": nonNil(c.AlignmentPending)})
		}
		if !contains(g.Languages, lang) {
			return drafting.Invalid("alignment.invalid", drafting.FieldError{Field: "lang", Message: "not a language of the guideline"})
		}
		if !contains(c.AlignmentPending, lang) {
			return drafting.Errorf(drafting.KindConflict, "clause.alignment_not_pending", "the %s text is not pending alignment", lang)
		}
		next := drafting.Text{}
		for l, x := range c.Text {
			next[l] = x
		}
		next[lang] = corrected
		checked, errs := drafting.ValidateText("text", g.Languages, next)
		if err := drafting.Fields(errs).Err("alignment.invalid"); err != nil {
			return err
		}
		if drafting.SameText(checked, c.Text) {
			return drafting.Invalid("alignment.invalid", drafting.FieldError{Field: "text", Message: "identical to the current text; confirm without text instead"})
		}
		if err := c.CheckTextChange(); err != nil {
			return err
		}
		if c.AlternativeCount > 0 {
			return drafting.Errorf(drafting.KindConflict, "clause.alternatives_unresolved",
				"the clause carries alternatives: confirm the language, or set the alternatives again")
		}
		if err := s.newVersion(u, c, g, checked, nil, "alignment of "+lang, nil); err != nil {
			return err
		}
		return u.emit(drafting.EventClauseAlignmentConfirmed, c.GuidelineID, c.ID, map[string]any{
			"lang": lang, "version": c.Version, "corrected": true, "alignment_pending": nonNil(c.AlignmentPending)})
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// SetTranslator designates (on) or stops designating a delegate as
// translator of a guideline (facilitator): a translator may confirm or
// correct a language pending alignment.
func (s *Service) SetTranslator(ctx context.Context, p auth.Principal, gid, userID string, on bool) error {
	if err := requireFacilitator(p); err != nil {
		return err
	}
	if !drafting.ValidID(userID) {
		return drafting.NotFound("user")
	}
	return s.write(ctx, p.ID, func(u *unit) error {
		if _, err := u.Guideline(gid); err != nil {
			return err
		}
		user, err := u.User(userID)
		if err != nil {
			return err
		}
		var changed bool
		if on {
			if user.Role != drafting.RoleDelegate || !user.Active {
				return drafting.Invalid("translator.invalid", drafting.FieldError{Field: "user_id", Message: "only an active delegate can be a translator"})
			}
			changed, err = u.AddTranslator(gid, userID, p.ID, u.now)
		} else {
			changed, err = u.RemoveTranslator(gid, userID)
		}
		if err != nil || !changed {
			return err
		}
		return u.emit(drafting.EventGuidelineTranslatorChanged, gid, gid, map[string]any{"user_id": userID, "translator": on})
	})
}

// Translators lists the translators of a guideline, as persons.
func (s *Service) Translators(ctx context.Context, p auth.Principal, gid string) ([]Person, error) {
	if err := requireDraftReader(p); err != nil {
		return nil, err
	}
	var out []Person
	err := s.read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Guideline(gid); err != nil {
			return err
		}
		ids, err := tx.Translators(gid)
		if err != nil {
			return err
		}
		pp, err := readPeople(tx, ids...)
		if err != nil {
			return err
		}
		out = make([]Person, 0, len(ids))
		for _, id := range ids {
			if person := pp.Of(id); person != nil {
				out = append(out, *person)
			}
		}
		return nil
	})
	return out, err
}
