package service

import (
	"context"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// ClauseInclude says what a clause page embeds beside the clause.
type ClauseInclude struct {
	Section, Positions, Comments, Versions bool
}

// ClausePage is a clause with what its page shows, read in one pass: each
// part is what its own read (Section, Positions, the first page of
// Comments and of Versions) answers, and is nil unless included.
type ClausePage struct {
	ClauseView
	Section   *drafting.Section
	Positions []PositionView // nil unless included
	Comments  *Listing[CommentView]
	Versions  *Listing[VersionView]
}

// Listing is the first page of a list and the cursor of the next one ("" on
// the last page).
type Listing[T any] struct {
	Items []T
	Next  string
}

// ClausePageOf reads a clause and what in says to include, in a fixed
// number of statements whatever the number of comments, versions or
// countries: the persons the page names are read once, together.
func (s *Service) ClausePageOf(ctx context.Context, p auth.Principal, id string, in ClauseInclude) (ClausePage, error) {
	if err := requireDraftReader(p); err != nil {
		return ClausePage{}, err
	}
	var page ClausePage
	err := s.read(ctx, func(tx *store.Tx) error {
		c, g, err := clauseAndGuideline(tx, id)
		if err != nil {
			return err
		}
		page.ClauseView = viewOf(c, g)
		if in.Section {
			sec, err := tx.Section(c.SectionID)
			if err != nil {
				return err
			}
			page.Section = &sec
		}
		var ids []string
		var positions []drafting.Position
		if in.Positions {
			if positions, err = tx.CurrentPositions(c.ID); err != nil {
				return err
			}
			for _, pos := range positions {
				ids = append(ids, pos.RecordedBy)
			}
		}
		var comments []drafting.Comment
		if in.Comments {
			f := store.CommentFilter{ClauseID: c.ID}
			first := Page{Limit: DefaultLimit}
			if err := pageFilter(&f, first); err != nil {
				return err
			}
			if comments, err = tx.Comments(f); err != nil {
				return err
			}
			var next string
			comments, next = commentPage(comments, first)
			page.Comments = &Listing[CommentView]{Next: next}
			for _, cm := range comments {
				ids = append(ids, cm.AuthorID, cm.ResolvedBy)
			}
		}
		var versions []drafting.Version
		if in.Versions {
			if versions, err = tx.Versions(c.ID, 0, DefaultLimit+1); err != nil {
				return err
			}
			var next string
			versions, next = trimPage(versions, DefaultLimit, func(v drafting.Version) any { return v.Number })
			page.Versions = &Listing[VersionView]{Next: next}
			for _, v := range versions {
				ids = append(ids, v.AuthorID)
			}
		}
		pp, err := readPeople(tx, ids...)
		if err != nil {
			return err
		}
		if in.Positions {
			page.Positions = positionViews(c, g, positions, pp)
		}
		if in.Comments {
			page.Comments.Items = withPeople(comments, pp)
		}
		if in.Versions {
			page.Versions.Items = versionViews(versions, pp)
		}
		return nil
	})
	return page, err
}

// Section reads one section.
func (s *Service) Section(ctx context.Context, p auth.Principal, id string) (drafting.Section, error) {
	if err := requireDraftReader(p); err != nil {
		return drafting.Section{}, err
	}
	var sec drafting.Section
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		sec, err = tx.Section(id)
		return err
	})
	return sec, err
}
