package httpapi

import (
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/render"
	"github.com/rcm-iom/consenso/internal/service"
)

// includes reads ?include=, a comma-separated list of names out of
// allowed: nil when the parameter is absent, 422 for an unknown or empty
// name.
func includes(c *gin.Context, allowed ...string) (map[string]bool, error) {
	raws, ok := c.GetQueryArray("include")
	if !ok {
		return nil, nil
	}
	out := map[string]bool{}
	for _, raw := range raws {
		for _, name := range strings.Split(raw, ",") {
			if !slices.Contains(allowed, name) {
				return nil, drafting.Invalid("request.invalid_parameter", drafting.FieldError{Field: "include",
					Message: "a comma-separated list of " + strings.Join(allowed, ", ")})
			}
			out[name] = true
		}
	}
	return out, nil
}

// clausePageView is a clause with what ?include= embedded: each part as
// its own GET answers it.
type clausePageView struct {
	clauseView
	Section   *sectionView           `json:"section,omitempty"`
	Positions *positionsView         `json:"positions,omitempty"`
	Comments  *listView[commentView] `json:"comments,omitempty"`
	Versions  *listView[versionView] `json:"versions,omitempty"`
}

func toClausePageView(p service.ClausePage) clausePageView {
	v := clausePageView{clauseView: toClauseView(p.ClauseView)}
	if p.Section != nil {
		sec := toSectionView(*p.Section)
		v.Section = &sec
	}
	if p.Positions != nil {
		v.Positions = &positionsView{ClauseID: p.ID, ClauseVersion: p.Version, Status: string(p.Status),
			Items: listOf(p.Positions, "", toPositionView).Items}
	}
	if p.Comments != nil {
		l := listOf(p.Comments.Items, p.Comments.Next, toCommentView)
		v.Comments = &l
	}
	if p.Versions != nil {
		l := listOf(p.Versions.Items, p.Versions.Next, toVersionView)
		v.Versions = &l
	}
	return v
}

// clausePage answers GET /clauses/{cid}?include=: the page, without the
// clause's ETag header, since the page changes (a comment, a position)
// while the clause does not; the body's etag is the clause's, for If-Match.
func (s *Server) clausePage(c *gin.Context, in map[string]bool) (int, any, error) {
	p, err := s.svc.ClausePageOf(c.Request.Context(), principal(c), c.Param("cid"), service.ClauseInclude{
		Section: in["section"], Positions: in["positions"], Comments: in["comments"], Versions: in["versions"]})
	return reply(toClausePageView(p), err)
}

// commentDiffView is a comment read with ?include=diff.
type commentDiffView struct {
	commentView
	Diff        map[string][]render.Op `json:"diff"`
	DiffVersion *int                   `json:"diff_version"`
}

func toCommentDiffView(cm service.CommentView) commentDiffView {
	v := commentDiffView{commentView: toCommentView(cm)}
	if cm.Diff != nil {
		v.Diff, v.DiffVersion = cm.Diff.Ops, &cm.Diff.Version
	}
	return v
}
