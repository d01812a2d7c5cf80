package service

import (
	"fmt"
	"sort"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// incorporate marks the comments a new version merges as incorporated; each
// must be an open comment on this clause. It returns the ids, sorted and
// without duplicates.
func (s *Service) incorporate(u *unit, c *drafting.Clause, ids []string) ([]string, error) {
	set := map[string]bool{}
	for _, id := range ids {
		set[id] = true
	}
	uniq := make([]string, 0, len(set))
	for id := range set {
		uniq = append(uniq, id)
	}
	sort.Strings(uniq)
	if len(uniq) == 0 {
		return uniq, nil
	}
	// A malformed id names no comment: it is not looked up.
	wellFormed := make([]string, 0, len(uniq))
	for _, id := range uniq {
		if drafting.ValidID(id) {
			wellFormed = append(wellFormed, id)
		}
	}
	open := map[string]bool{}
	if len(wellFormed) > 0 {
		var err error
		if open, err = u.OpenCommentIDs(c.ID, wellFormed); err != nil {
			return nil, err
		}
	}
	var errs drafting.Fields
	for _, id := range uniq {
		if !open[id] {
			errs.Add("incorporates", fmt.Sprintf("%s is not an open comment on this clause", id))
		}
	}
	if err := errs.Err("clause.invalid_incorporates"); err != nil {
		return nil, err
	}
	note := fmt.Sprintf("incorporated in version %d", c.Version)
	// A comment withdrawn or resolved between the check above and this
	// statement (PostgreSQL, READ COMMITTED) must not be claimed as merged.
	n, err := u.IncorporateComments(uniq, u.actor, note, u.now)
	if err != nil {
		return nil, err
	}
	if n != int64(len(uniq)) {
		return nil, drafting.Errorf(drafting.KindConflict, "comment.changed", "a comment to incorporate changed meanwhile; read the comments again")
	}
	for _, id := range uniq {
		if err := u.emit(drafting.EventCommentResolved, c.GuidelineID, id, map[string]any{
			"status": drafting.CommentIncorporated, "clause_id": c.ID, "version": c.Version, "note": note}); err != nil {
			return nil, err
		}
	}
	return uniq, nil
}
