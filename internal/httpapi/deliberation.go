package httpapi

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

type commentView struct {
	ID             string            `json:"id"`
	GuidelineID    string            `json:"guideline_id"`
	ClauseID       string            `json:"clause_id"`
	ClauseVersion  int               `json:"clause_version"`
	AuthorID       string            `json:"author_id"`
	Author         *personView       `json:"author"`
	Country        *string           `json:"country"`
	Observer       bool              `json:"observer"`
	Kind           string            `json:"kind"`
	Body           string            `json:"body"`
	ProposedText   map[string]string `json:"proposed_text"`
	Quote          *string           `json:"quote"`
	ParentID       *string           `json:"parent_id"`
	Status         string            `json:"status"`
	ResolutionNote string            `json:"resolution_note"`
	ResolvedByID   *string           `json:"resolved_by_id"`
	ResolvedBy     *personView       `json:"resolved_by"`
	ResolvedAt     *time.Time        `json:"resolved_at"`
	Anchor         *anchorView       `json:"anchor"`
	ETag           string            `json:"etag"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
}

// anchorView is where a comment's quote stands in the clause's current
// version (drafting.Anchor).
type anchorView struct {
	State   string `json:"state"`
	Version int    `json:"version"`
	Lang    string `json:"lang"`
	Start   int    `json:"start"`
	Excerpt string `json:"excerpt"`
}

func toAnchorView(a *drafting.Anchor) *anchorView {
	if a == nil {
		return nil
	}
	return &anchorView{State: string(a.State), Version: a.Version, Lang: a.Lang, Start: a.Start, Excerpt: a.Excerpt}
}

func toCommentView(c service.CommentView) commentView {
	var proposed map[string]string
	if len(c.ProposedText) > 0 {
		proposed = c.ProposedText
	}
	return commentView{ID: c.ID, GuidelineID: c.GuidelineID, ClauseID: c.ClauseID, ClauseVersion: c.ClauseVersion,
		AuthorID: c.AuthorID, Author: toPersonView(c.Author), Country: optional(c.Country), Observer: c.Observer, Kind: string(c.Kind), Body: c.Body,
		ProposedText: proposed, Quote: optional(c.Quote), ParentID: optional(c.ParentID), Status: string(c.Status),
		ResolutionNote: c.ResolutionNote, ResolvedByID: optional(c.ResolvedBy), ResolvedBy: toPersonView(c.Resolver), ResolvedAt: c.ResolvedAt,
		Anchor: toAnchorView(c.Anchor), ETag: revisionETag(c.Revision), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// commentAnswer answers with a comment and its ETag, or err.
func commentAnswer(c *gin.Context, cm service.CommentView, err error) (int, any, error) {
	return tagged(c, cm.Revision, toCommentView(cm), err)
}

func (s *Server) handleCommentsPost(c *gin.Context) (int, any, error) {
	var req struct {
		Body         string            `json:"body"`
		Kind         string            `json:"kind"`
		ProposedText map[string]string `json:"proposed_text"`
		ParentID     string            `json:"parent_id"`
		Quote        string            `json:"quote"`
	}
	idem, err := decodeCreate(c, &req)
	if err != nil {
		return 0, nil, err
	}
	in := drafting.CommentInput{Body: req.Body, Kind: drafting.CommentKind(req.Kind), ProposedText: req.ProposedText,
		ParentID: req.ParentID, Quote: req.Quote}
	r, err := s.svc.CreateComment(c.Request.Context(), principal(c), c.Param("cid"), in, idem)
	if err != nil {
		return 0, nil, err
	}
	cm := r.Value
	return created(c, r.Replayed, "/api/v1/comments/"+cm.ID, revisionETag(cm.Revision), toCommentView(cm))
}

func commentQuery(c *gin.Context) (service.CommentQuery, error) {
	version, err := intParam("version", c.Query("version"), false)
	return service.CommentQuery{Country: c.Query("country"), Status: c.Query("status"), Kind: c.Query("kind"), Anchor: c.Query("anchor"), Version: version,
		ParentID: c.Query("parent_id"), Author: c.Query("author"), RepliesTo: c.Query("replies_to")}, err
}

// commentsAnswer answers with one page of the comments q selects.
func (s *Server) commentsAnswer(c *gin.Context, q service.CommentQuery, err error) (int, any, error) {
	if err != nil {
		return 0, nil, err
	}
	page, err := pageOf(c)
	if err != nil {
		return 0, nil, err
	}
	cs, next, err := s.svc.Comments(c.Request.Context(), principal(c), q, page)
	return reply(listOf(cs, next, toCommentView), err)
}

func (s *Server) handleClauseCommentsGet(c *gin.Context) (int, any, error) {
	q, err := commentQuery(c)
	q.ClauseID = c.Param("cid")
	return s.commentsAnswer(c, q, err)
}

func (s *Server) handleGuidelineCommentsGet(c *gin.Context) (int, any, error) {
	q, err := commentQuery(c)
	q.GuidelineID = c.Param("gid")
	return s.commentsAnswer(c, q, err)
}

type commentCountView struct {
	ClauseID string              `json:"clause_id"`
	Number   string              `json:"number"`
	Country  string              `json:"country"`
	Total    int                 `json:"total"`
	ByStatus commentStatusCounts `json:"by_status"`
	// OpenAmendments is how many of the open comments are amendments
	// (left out when none, like the statuses).
	OpenAmendments int `json:"open_amendments,omitempty"`
}

// commentStatusCounts is by_status: a count per comment status, the
// statuses without comments left out, in the order a map's keys would be
// encoded — a struct, because a page holds hundreds of them and encoding a
// map sorts its keys each time.
type commentStatusCounts struct {
	Addressed    int `json:"addressed,omitempty"`
	Declined     int `json:"declined,omitempty"`
	Incorporated int `json:"incorporated,omitempty"`
	Open         int `json:"open,omitempty"`
	Withdrawn    int `json:"withdrawn,omitempty"`
}

func toCommentCountView(t service.CommentTally) commentCountView {
	by := commentStatusCounts{
		Addressed:    t.ByStatus[drafting.CommentAddressed],
		Declined:     t.ByStatus[drafting.CommentDeclined],
		Incorporated: t.ByStatus[drafting.CommentIncorporated],
		Open:         t.ByStatus[drafting.CommentOpen],
		Withdrawn:    t.ByStatus[drafting.CommentWithdrawn],
	}
	return commentCountView{ClauseID: t.ClauseID, Number: t.Number, Country: t.Speaker, Total: t.Total, ByStatus: by,
		OpenAmendments: t.OpenAmendments}
}

func (s *Server) handleCommentCountsGet(c *gin.Context) (int, any, error) {
	page, err := pageOf(c)
	if err != nil {
		return 0, nil, err
	}
	ts, next, rev, err := s.svc.CommentCountsAt(c.Request.Context(), principal(c), c.Param("gid"), page)
	if err != nil {
		return 0, nil, err
	}
	return s.keptList(c, rev, func() any { return listOf(ts, next, toCommentCountView) })
}

func (s *Server) handleCommentGet(c *gin.Context) (int, any, error) {
	in, err := includes(c, "diff")
	if err != nil {
		return 0, nil, err
	}
	cm, err := s.svc.Comment(c.Request.Context(), principal(c), c.Param("id"), in["diff"])
	if in != nil {
		// The diff follows the clause's text, which the comment's ETag
		// does not: no ETag header (the body's etag is the comment's).
		return reply(toCommentDiffView(cm), err)
	}
	return commentAnswer(c, cm, err)
}

func (s *Server) handleCommentPatch(c *gin.Context) (int, any, error) {
	var req struct {
		Body string `json:"body"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	expect, err := ifMatch(c, false)
	if err != nil {
		return 0, nil, err
	}
	cm, err := s.svc.EditComment(c.Request.Context(), principal(c), c.Param("id"), expect, req.Body)
	return commentAnswer(c, cm, err)
}

func (s *Server) handleCommentWithdraw(c *gin.Context) (int, any, error) {
	if err := decodeEmpty(c); err != nil {
		return 0, nil, err
	}
	expect, err := ifMatch(c, false)
	if err != nil {
		return 0, nil, err
	}
	cm, err := s.svc.WithdrawComment(c.Request.Context(), principal(c), c.Param("id"), expect)
	return commentAnswer(c, cm, err)
}

func (s *Server) handleCommentResolve(c *gin.Context) (int, any, error) {
	var req struct {
		Status string `json:"status"`
		Note   string `json:"note"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	expect, err := ifMatch(c, false)
	if err != nil {
		return 0, nil, err
	}
	cm, err := s.svc.ResolveComment(c.Request.Context(), principal(c), c.Param("id"), expect, drafting.CommentStatus(req.Status), req.Note)
	return commentAnswer(c, cm, err)
}
