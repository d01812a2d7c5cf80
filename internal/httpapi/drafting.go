package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

func (s *Server) draftingRoutes(a *gin.RouterGroup) {
	a.POST("/guidelines", s.handleGuidelinesPost)
	a.GET("/guidelines", s.handleGuidelinesGet)
	a.GET("/guidelines/:gid", s.handleGuidelineGet)
	a.PATCH("/guidelines/:gid", s.handleGuidelinePatch)
	a.POST("/guidelines/:gid/sections", s.handleSectionsPost)
	a.GET("/guidelines/:gid/sections", s.handleSectionsGet)
	a.PATCH("/sections/:sid", s.handleSectionPatch)
	a.POST("/guidelines/:gid/clauses", s.handleClausesPost)
	a.GET("/guidelines/:gid/clauses", s.handleClausesGet)
	a.GET("/clauses/:cid", s.handleClauseGet)
	a.PUT("/clauses/:cid/text", s.handleClauseTextPut)
	a.POST("/clauses/:cid/move", s.handleClauseMove)
	a.GET("/clauses/:cid/versions", s.handleVersionsGet)
	a.GET("/clauses/:cid/versions/:n", s.handleVersionGet)
	a.GET("/clauses/:cid/diff", s.handleClauseDiff)
	a.POST("/guidelines/:gid/drafts", s.handleDraftsPost)
	a.GET("/guidelines/:gid/drafts", s.handleDraftsGet)
	a.GET("/guidelines/:gid/drafts/:n", s.handleDraftGet)
	a.GET("/guidelines/:gid/drafts/:n/diff", s.handleDraftDiff)
}

type guidelineView struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	Slug         string    `json:"slug"`
	Languages    []string  `json:"languages"`
	Participants []string  `json:"participants"`
	Status       string    `json:"status"`
	ETag         string    `json:"etag"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func toGuidelineView(g drafting.Guideline) guidelineView {
	return guidelineView{ID: g.ID, Title: g.Title, Slug: g.Slug, Languages: g.Languages, Participants: g.Participants,
		Status: string(g.Status), ETag: revisionETag(g.Revision), CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
}

func (s *Server) handleGuidelinesPost(c *gin.Context) {
	var req struct {
		Title        string   `json:"title"`
		Slug         string   `json:"slug"`
		Languages    []string `json:"languages"`
		Participants []string `json:"participants"`
	}
	raw, err := decodeKeepingBody(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.svc.CreateGuidelineOnce(c.Request.Context(), principal(c), service.NewGuideline{
		Title: req.Title, Slug: req.Slug, Languages: req.Languages, Participants: req.Participants}, idempotency(c, raw),
		func(g drafting.Guideline) (int, []byte, error) {
			return jsonAnswer(http.StatusCreated, toGuidelineView(g))
		})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeCreated(c, res, "/api/v1/guidelines/")
}

func (s *Server) handleGuidelinesGet(c *gin.Context) {
	page, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	gs, next, err := s.svc.Guidelines(c.Request.Context(), principal(c), page)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]guidelineView, len(gs))
	for i, g := range gs {
		items[i] = toGuidelineView(g)
	}
	c.JSON(http.StatusOK, listView[guidelineView]{Items: items, NextCursor: optional(next)})
}

func (s *Server) handleGuidelineGet(c *gin.Context) {
	g, err := s.svc.Guideline(c.Request.Context(), principal(c), c.Param("gid"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", revisionETag(g.Revision))
	c.JSON(http.StatusOK, toGuidelineView(g))
}

func (s *Server) handleGuidelinePatch(c *gin.Context) {
	var req struct {
		Title        *string   `json:"title"`
		Participants *[]string `json:"participants"`
	}
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	rev, err := ifMatchRevision(c, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	if rev == service.AnyRevision {
		rev = 0
	}
	g, err := s.svc.UpdateGuideline(c.Request.Context(), principal(c), c.Param("gid"), rev,
		service.GuidelinePatch{Title: req.Title, Participants: req.Participants})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", revisionETag(g.Revision))
	c.JSON(http.StatusOK, toGuidelineView(g))
}

type sectionView struct {
	ID          string `json:"id"`
	GuidelineID string `json:"guideline_id"`
	Title       string `json:"title"`
	Position    int    `json:"position"`
}

func toSectionView(x drafting.Section) sectionView {
	return sectionView{ID: x.ID, GuidelineID: x.GuidelineID, Title: x.Title, Position: x.Position}
}

func (s *Server) handleSectionsPost(c *gin.Context) {
	var req struct {
		Title    string `json:"title"`
		Position int    `json:"position"`
	}
	raw, err := decodeKeepingBody(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.svc.CreateSectionOnce(c.Request.Context(), principal(c), c.Param("gid"), req.Title, req.Position, idempotency(c, raw),
		func(x drafting.Section) (int, []byte, error) { return jsonAnswer(http.StatusCreated, toSectionView(x)) })
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeCreated(c, res, "")
}

func (s *Server) handleSectionsGet(c *gin.Context) {
	secs, err := s.svc.Sections(c.Request.Context(), principal(c), c.Param("gid"))
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]sectionView, len(secs))
	for i, x := range secs {
		items[i] = toSectionView(x)
	}
	c.JSON(http.StatusOK, listView[sectionView]{Items: items})
}

func (s *Server) handleSectionPatch(c *gin.Context) {
	var req struct {
		Title    *string `json:"title"`
		Position *int    `json:"position"`
	}
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	sec, err := s.svc.UpdateSection(c.Request.Context(), principal(c), c.Param("sid"), req.Title, req.Position)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toSectionView(sec))
}

type clauseView struct {
	ID                  string            `json:"id"`
	GuidelineID         string            `json:"guideline_id"`
	SectionID           string            `json:"section_id"`
	Position            int               `json:"position"`
	Number              string            `json:"number"`
	Status              string            `json:"status"`
	Version             int               `json:"version"`
	Text                map[string]string `json:"text"`
	MissingTranslations []string          `json:"missing_translations"`
	SilenceDeadline     *time.Time        `json:"silence_deadline"`
	ETag                string            `json:"etag"`
	CreatedAt           time.Time         `json:"created_at"`
	UpdatedAt           time.Time         `json:"updated_at"`
}

func toClauseView(v service.ClauseView) clauseView {
	return clauseView{ID: v.ID, GuidelineID: v.GuidelineID, SectionID: v.SectionID, Position: v.Position, Number: v.Number,
		Status: string(v.Status), Version: v.Version, Text: v.Text, MissingTranslations: v.Missing,
		SilenceDeadline: v.SilenceDeadline, ETag: revisionETag(v.Revision), CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
}

// writeClause answers with a clause and its ETag.
func (s *Server) writeClause(c *gin.Context, status int, v service.ClauseView) {
	c.Header("ETag", revisionETag(v.Revision))
	c.JSON(status, toClauseView(v))
}

func (s *Server) handleClausesPost(c *gin.Context) {
	var req struct {
		SectionID string            `json:"section_id"`
		Number    string            `json:"number"`
		Position  int               `json:"position"`
		Text      map[string]string `json:"text"`
		Note      string            `json:"note"`
	}
	raw, err := decodeKeepingBody(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.svc.CreateClauseOnce(c.Request.Context(), principal(c), c.Param("gid"), service.NewClause{
		SectionID: req.SectionID, Number: req.Number, Position: req.Position, Text: req.Text, Note: req.Note}, idempotency(c, raw),
		func(v service.ClauseView) (int, []byte, error) {
			return jsonAnswer(http.StatusCreated, toClauseView(v))
		})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeCreated(c, res, "/api/v1/clauses/")
}

func (s *Server) handleClausesGet(c *gin.Context) {
	cs, err := s.svc.Clauses(c.Request.Context(), principal(c), c.Param("gid"), c.Query("section_id"), drafting.Status(c.Query("status")))
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]clauseView, len(cs))
	for i, v := range cs {
		items[i] = toClauseView(v)
	}
	c.JSON(http.StatusOK, listView[clauseView]{Items: items})
}

func (s *Server) handleClauseGet(c *gin.Context) {
	v, err := s.svc.Clause(c.Request.Context(), principal(c), c.Param("cid"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeClause(c, http.StatusOK, v)
}

func (s *Server) handleClauseTextPut(c *gin.Context) {
	var req struct {
		Text         map[string]string `json:"text"`
		Note         string            `json:"note"`
		Incorporates []string          `json:"incorporates"`
	}
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	rev, err := ifMatchRevision(c, true)
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.svc.UpdateText(c.Request.Context(), principal(c), c.Param("cid"), rev,
		service.TextChange{Text: req.Text, Note: req.Note, Incorporates: req.Incorporates})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeClause(c, http.StatusOK, v)
}

func (s *Server) handleClauseMove(c *gin.Context) {
	var req struct {
		SectionID string `json:"section_id"`
		Position  int    `json:"position"`
	}
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.svc.MoveClause(c.Request.Context(), principal(c), c.Param("cid"), req.SectionID, req.Position)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeClause(c, http.StatusOK, v)
}

type versionView struct {
	ClauseID     string            `json:"clause_id"`
	Number       int               `json:"number"`
	Text         map[string]string `json:"text"`
	Note         string            `json:"note"`
	Incorporates []string          `json:"incorporates"`
	AuthorID     string            `json:"author_id"`
	CreatedAt    time.Time         `json:"created_at"`
}

func toVersionView(v drafting.Version) versionView {
	inc := v.Incorporates
	if inc == nil {
		inc = []string{}
	}
	return versionView{ClauseID: v.ClauseID, Number: v.Number, Text: v.Text, Note: v.Note, Incorporates: inc, AuthorID: v.AuthorID, CreatedAt: v.CreatedAt}
}

func (s *Server) handleVersionsGet(c *gin.Context) {
	page, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	vs, next, err := s.svc.Versions(c.Request.Context(), principal(c), c.Param("cid"), page)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]versionView, len(vs))
	for i, v := range vs {
		items[i] = toVersionView(v)
	}
	c.JSON(http.StatusOK, listView[versionView]{Items: items, NextCursor: optional(next)})
}

// intParam reads a positive whole-number path or query value.
func intParam(name, raw string, required bool) (int, error) {
	if raw == "" && !required {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, drafting.Invalid("request.invalid_parameter", drafting.FieldError{Field: name, Message: "must be a whole number of 1 or more"})
	}
	return n, nil
}

func (s *Server) handleVersionGet(c *gin.Context) {
	n, err := intParam("n", c.Param("n"), true)
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.svc.Version(c.Request.Context(), principal(c), c.Param("cid"), n)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=31536000, immutable")
	c.JSON(http.StatusOK, toVersionView(v))
}

func (s *Server) handleClauseDiff(c *gin.Context) {
	from, err := intParam("from", c.Query("from"), false)
	if err != nil {
		s.fail(c, err)
		return
	}
	to, err := intParam("to", c.Query("to"), false)
	if err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.svc.ClauseDiff(c.Request.Context(), principal(c), c.Param("cid"), from, to, c.Query("lang"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"from": d.From, "to": d.To, "lang": d.Lang, "ops": d.Ops})
}
