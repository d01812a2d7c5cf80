package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// deliberationRoutes registers comments, positions, clause status changes
// and the consensus matrix.
func (s *Server) deliberationRoutes(a *gin.RouterGroup) {
	a.POST("/clauses/:cid/comments", s.handleCommentsPost)
	a.GET("/clauses/:cid/comments", s.handleClauseCommentsGet)
	a.GET("/guidelines/:gid/comments", s.handleGuidelineCommentsGet)
	a.GET("/guidelines/:gid/comments/counts", s.handleCommentCountsGet)
	a.GET("/comments/:id", s.handleCommentGet)
	a.PATCH("/comments/:id", s.handleCommentPatch)
	a.POST("/comments/:id/withdraw", s.handleCommentWithdraw)
	a.POST("/comments/:id/resolve", s.handleCommentResolve)

	a.PUT("/clauses/:cid/positions/:country", s.handlePositionPut)
	a.GET("/clauses/:cid/positions", s.handlePositionsGet)
	a.GET("/clauses/:cid/positions/history", s.handlePositionHistoryGet)

	a.POST("/clauses/:cid/open", s.handleClauseOpen)
	a.POST("/clauses/:cid/silence", s.handleClauseSilence)
	a.POST("/clauses/:cid/lock", s.handleClauseLock)
	a.POST("/clauses/:cid/reopen", s.handleClauseReopen)
	a.GET("/guidelines/:gid/consensus", s.handleConsensusGet)
}

type commentView struct {
	ID             string            `json:"id"`
	GuidelineID    string            `json:"guideline_id"`
	ClauseID       string            `json:"clause_id"`
	ClauseVersion  int               `json:"clause_version"`
	AuthorID       string            `json:"author_id"`
	Country        *string           `json:"country"`
	Observer       bool              `json:"observer"`
	Kind           string            `json:"kind"`
	Body           string            `json:"body"`
	ProposedText   map[string]string `json:"proposed_text"`
	Quote          *string           `json:"quote"`
	ParentID       *string           `json:"parent_id"`
	Status         string            `json:"status"`
	ResolutionNote string            `json:"resolution_note"`
	ResolvedBy     *string           `json:"resolved_by"`
	ResolvedAt     *time.Time        `json:"resolved_at"`
	ETag           string            `json:"etag"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
}

func toCommentView(c drafting.Comment) commentView {
	var proposed map[string]string
	if len(c.ProposedText) > 0 {
		proposed = c.ProposedText
	}
	return commentView{ID: c.ID, GuidelineID: c.GuidelineID, ClauseID: c.ClauseID, ClauseVersion: c.ClauseVersion,
		AuthorID: c.AuthorID, Country: optional(c.Country), Observer: c.Observer, Kind: string(c.Kind), Body: c.Body,
		ProposedText: proposed, Quote: optional(c.Quote), ParentID: optional(c.ParentID), Status: string(c.Status),
		ResolutionNote: c.ResolutionNote, ResolvedBy: optional(c.ResolvedBy), ResolvedAt: c.ResolvedAt,
		ETag: revisionETag(c.Revision), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func (s *Server) writeComment(c *gin.Context, cm drafting.Comment) {
	c.Header("ETag", revisionETag(cm.Revision))
	c.JSON(http.StatusOK, toCommentView(cm))
}

// idempotency reads the Idempotency-Key of a creating POST and fingerprints
// the request; body is the raw body as decoded.
func idempotency(c *gin.Context, body []byte) service.Idempotency {
	key := c.GetHeader("Idempotency-Key")
	if key == "" {
		return service.Idempotency{}
	}
	return service.Idempotency{Key: key, Scope: c.Request.Method + " " + c.FullPath(),
		Hash: service.RequestHash(c.Request.Method, c.Request.URL.Path, body)}
}

// decodeKeepingBody is decode that also returns the raw body bytes, for the
// Idempotency-Key fingerprint.
func decodeKeepingBody(c *gin.Context, v any) ([]byte, error) {
	var raw bytes.Buffer
	c.Request.Body = io.NopCloser(io.TeeReader(c.Request.Body, &raw))
	err := decode(c, v)
	return raw.Bytes(), err
}

// writeCreated writes the answer of a creating request as stored, byte for
// byte, so a replay is identical to the first answer; location is the path
// of the created resource without its id.
func (s *Server) writeCreated(c *gin.Context, res service.Response, location string) {
	var created struct {
		ID   string `json:"id"`
		ETag string `json:"etag"`
	}
	if json.Unmarshal(res.Body, &created) == nil {
		if location != "" && created.ID != "" {
			c.Header("Location", location+created.ID)
		}
		if created.ETag != "" {
			c.Header("ETag", created.ETag)
		}
	}
	if res.Replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	c.Data(res.Status, "application/json; charset=utf-8", res.Body)
}

func (s *Server) handleCommentsPost(c *gin.Context) {
	var req struct {
		Body         string            `json:"body"`
		Kind         string            `json:"kind"`
		ProposedText map[string]string `json:"proposed_text"`
		ParentID     string            `json:"parent_id"`
		Quote        string            `json:"quote"`
	}
	raw, err := decodeKeepingBody(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	in := drafting.CommentInput{Body: req.Body, Kind: drafting.CommentKind(req.Kind), ProposedText: req.ProposedText,
		ParentID: req.ParentID, Quote: req.Quote}
	res, err := s.svc.CreateComment(c.Request.Context(), principal(c), c.Param("cid"), in, idempotency(c, raw),
		func(cm drafting.Comment) (int, []byte, error) {
			b, err := json.Marshal(toCommentView(cm))
			return http.StatusCreated, b, err
		})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeCreated(c, res, "/api/v1/comments/")
}

func commentQuery(c *gin.Context) (service.CommentQuery, error) {
	version, err := intParam("version", c.Query("version"), false)
	return service.CommentQuery{Country: c.Query("country"), Status: c.Query("status"), Kind: c.Query("kind"), Version: version}, err
}

func (s *Server) listComments(c *gin.Context, q service.CommentQuery) {
	page, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	cs, next, err := s.svc.Comments(c.Request.Context(), principal(c), q, page)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]commentView, len(cs))
	for i, cm := range cs {
		items[i] = toCommentView(cm)
	}
	c.JSON(http.StatusOK, listView[commentView]{Items: items, NextCursor: optional(next)})
}

func (s *Server) handleClauseCommentsGet(c *gin.Context) {
	q, err := commentQuery(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	q.ClauseID = c.Param("cid")
	s.listComments(c, q)
}

func (s *Server) handleGuidelineCommentsGet(c *gin.Context) {
	q, err := commentQuery(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	q.GuidelineID = c.Param("gid")
	s.listComments(c, q)
}

type commentCountView struct {
	ClauseID string         `json:"clause_id"`
	Number   string         `json:"number"`
	Country  string         `json:"country"`
	Total    int            `json:"total"`
	ByStatus map[string]int `json:"by_status"`
}

func (s *Server) handleCommentCountsGet(c *gin.Context) {
	ts, err := s.svc.CommentCounts(c.Request.Context(), principal(c), c.Param("gid"))
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]commentCountView, len(ts))
	for i, t := range ts {
		by := map[string]int{}
		for k, n := range t.ByStatus {
			by[string(k)] = n
		}
		items[i] = commentCountView{ClauseID: t.ClauseID, Number: t.Number, Country: t.Speaker, Total: t.Total, ByStatus: by}
	}
	c.JSON(http.StatusOK, listView[commentCountView]{Items: items})
}

func (s *Server) handleCommentGet(c *gin.Context) {
	cm, err := s.svc.Comment(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeComment(c, cm)
}

// commentIfMatch reads an optional If-Match for a comment change.
func commentIfMatch(c *gin.Context) (int, error) {
	rev, err := ifMatchRevision(c, false)
	if rev == service.AnyRevision {
		rev = 0
	}
	return rev, err
}

func (s *Server) handleCommentPatch(c *gin.Context) {
	var req struct {
		Body string `json:"body"`
	}
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	rev, err := commentIfMatch(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	cm, err := s.svc.EditComment(c.Request.Context(), principal(c), c.Param("id"), rev, req.Body)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeComment(c, cm)
}

// decodeEmpty accepts no body or an empty JSON object, refusing anything
// else as unknown fields.
func decodeEmpty(c *gin.Context) error {
	if c.Request.ContentLength == 0 {
		return nil
	}
	var req struct{}
	return decode(c, &req)
}

func (s *Server) handleCommentWithdraw(c *gin.Context) {
	if err := decodeEmpty(c); err != nil {
		s.fail(c, err)
		return
	}
	rev, err := commentIfMatch(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	cm, err := s.svc.WithdrawComment(c.Request.Context(), principal(c), c.Param("id"), rev)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeComment(c, cm)
}

func (s *Server) handleCommentResolve(c *gin.Context) {
	var req struct {
		Status string `json:"status"`
		Note   string `json:"note"`
	}
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	rev, err := commentIfMatch(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	cm, err := s.svc.ResolveComment(c.Request.Context(), principal(c), c.Param("id"), rev, drafting.CommentStatus(req.Status), req.Note)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeComment(c, cm)
}

// jsonAnswer marshals a created resource as the stored answer of a creating
// request.
func jsonAnswer(status int, v any) (int, []byte, error) {
	b, err := json.Marshal(v)
	return status, b, err
}
