package service

import (
	"context"
	"slices"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/render"
	"github.com/rcm-iom/consenso/internal/store"
)

// CommentView is a comment with the people it names and, when asked for,
// what its amendment would change in the current text.
type CommentView struct {
	drafting.Comment
	Author *Person
	// Resolver is the facilitator who resolved the comment; nil until then.
	Resolver *Person
	// Diff is filled only when asked for and the comment proposes text.
	Diff *AmendmentDiff
}

// AmendmentDiff is a word diff from a clause's current text to the text an
// amendment proposes, in each language of the proposal.
type AmendmentDiff struct {
	// Version is the clause version compared with: its current one.
	Version int
	Ops     map[string][]render.Op
}

// commentViews names the authors and resolvers of comments, in one
// statement whatever their number.
func commentViews(tx *store.Tx, cs []drafting.Comment) ([]CommentView, error) {
	ids := make([]string, 0, 2*len(cs))
	for _, c := range cs {
		ids = append(ids, c.AuthorID, c.ResolvedBy)
	}
	pp, err := readPeople(tx, ids...)
	if err != nil {
		return nil, err
	}
	return withPeople(cs, pp), nil
}

func withPeople(cs []drafting.Comment, pp People) []CommentView {
	out := make([]CommentView, len(cs))
	for i, c := range cs {
		out[i] = CommentView{Comment: c, Author: pp.Of(c.AuthorID), Resolver: pp.Of(c.ResolvedBy)}
	}
	return out
}

// commentView is commentViews for one comment.
func commentView(tx *store.Tx, c drafting.Comment) (CommentView, error) {
	vs, err := commentViews(tx, []drafting.Comment{c})
	if err != nil {
		return CommentView{}, err
	}
	return vs[0], nil
}

// loadCommentView reads one comment with its people (an idempotent
// creation's replay).
func loadCommentView(tx *store.Tx, id string) (CommentView, error) {
	c, err := tx.Comment(id)
	if err != nil {
		return CommentView{}, err
	}
	return commentView(tx, c)
}

// Comment reads one comment with its author and resolver. withDiff adds,
// for a comment that proposes text, the word diff from the clause's
// current text to the proposal in each language of the proposal.
func (s *Service) Comment(ctx context.Context, p auth.Principal, id string, withDiff bool) (CommentView, error) {
	if err := requireDraftReader(p); err != nil {
		return CommentView{}, err
	}
	var v CommentView
	err := s.read(ctx, func(tx *store.Tx) error {
		c, err := tx.Comment(id)
		if err != nil {
			return err
		}
		if v, err = commentView(tx, c); err != nil {
			return err
		}
		if !withDiff || len(c.ProposedText) == 0 {
			return nil
		}
		cl, err := tx.Clause(c.ClauseID)
		if err != nil {
			return err
		}
		v.Diff = amendmentDiff(cl, c.ProposedText)
		return nil
	})
	return v, err
}

func amendmentDiff(c drafting.Clause, proposed drafting.Text) *AmendmentDiff {
	d := &AmendmentDiff{Version: c.Version, Ops: make(map[string][]render.Op, len(proposed))}
	langs := make([]string, 0, len(proposed))
	for l := range proposed {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	for _, l := range langs {
		d.Ops[l] = wordDiff(c.Text[l], proposed[l])
	}
	return d
}
