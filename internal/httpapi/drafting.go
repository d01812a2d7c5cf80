package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

type guidelineView struct {
	ID           string        `json:"id"`
	Title        drafting.Text `json:"title"`
	Slug         string        `json:"slug"`
	Languages    []string      `json:"languages"`
	Participants []string      `json:"participants"`
	Status       string        `json:"status"`
	ETag         string        `json:"etag"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
}

func toGuidelineView(g drafting.Guideline) guidelineView {
	return guidelineView{ID: g.ID, Title: g.Title, Slug: g.Slug, Languages: g.Languages, Participants: g.Participants,
		Status: string(g.Status), ETag: revisionETag(g.Revision), CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
}

func (s *Server) handleGuidelinesPost(c *gin.Context) (int, any, error) {
	var req struct {
		Title        drafting.Text `json:"title"`
		Slug         string        `json:"slug"`
		Languages    []string      `json:"languages"`
		Participants []string      `json:"participants"`
	}
	idem, err := decodeCreate(c, &req)
	if err != nil {
		return 0, nil, err
	}
	r, err := s.svc.CreateGuidelineOnce(c.Request.Context(), principal(c), service.NewGuideline{
		Title: req.Title, Slug: req.Slug, Languages: req.Languages, Participants: req.Participants}, idem)
	if err != nil {
		return 0, nil, err
	}
	g := r.Value
	return created(c, r.Replayed, "/api/v1/guidelines/"+g.ID, revisionETag(g.Revision), toGuidelineView(g))
}

func (s *Server) handleGuidelinesGet(c *gin.Context) (int, any, error) {
	page, err := pageOf(c)
	if err != nil {
		return 0, nil, err
	}
	gs, next, err := s.svc.Guidelines(c.Request.Context(), principal(c), page)
	return reply(listOf(gs, next, toGuidelineView), err)
}

func (s *Server) handleGuidelineGet(c *gin.Context) (int, any, error) {
	g, err := s.svc.Guideline(c.Request.Context(), principal(c), c.Param("gid"))
	return tagged(c, g.Revision, toGuidelineView(g), err)
}

func (s *Server) handleGuidelinePatch(c *gin.Context) (int, any, error) {
	var req struct {
		Title        *drafting.Text `json:"title"`
		Participants *[]string      `json:"participants"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	expect, err := ifMatch(c, false)
	if err != nil {
		return 0, nil, err
	}
	g, err := s.svc.UpdateGuideline(c.Request.Context(), principal(c), c.Param("gid"), expect,
		service.GuidelinePatch{Title: req.Title, Participants: req.Participants})
	return tagged(c, g.Revision, toGuidelineView(g), err)
}

type sectionView struct {
	ID          string        `json:"id"`
	GuidelineID string        `json:"guideline_id"`
	Title       drafting.Text `json:"title"`
	Position    int           `json:"position"`
	Kind        string        `json:"kind"`
}

func toSectionView(x drafting.Section) sectionView {
	kind := x.Kind
	if kind == "" {
		kind = drafting.SectionText
	}
	return sectionView{ID: x.ID, GuidelineID: x.GuidelineID, Title: x.Title, Position: x.Position, Kind: kind}
}

func (s *Server) handleSectionsPost(c *gin.Context) (int, any, error) {
	var req struct {
		Title    drafting.Text `json:"title"`
		Position *int          `json:"position"`
		Kind     string        `json:"kind"`
	}
	idem, err := decodeCreate(c, &req)
	if err != nil {
		return 0, nil, err
	}
	r, err := s.svc.CreateSectionOfKindOnce(c.Request.Context(), principal(c), c.Param("gid"), req.Title, newPosition(req.Position), req.Kind, idem)
	if err != nil {
		return 0, nil, err
	}
	return created(c, r.Replayed, "", "", toSectionView(r.Value))
}

func (s *Server) handleSectionsGet(c *gin.Context) (int, any, error) {
	secs, err := s.svc.Sections(c.Request.Context(), principal(c), c.Param("gid"))
	return reply(listOf(secs, "", toSectionView), err)
}

func (s *Server) handleSectionPatch(c *gin.Context) (int, any, error) {
	var req struct {
		Title    *drafting.Text `json:"title"`
		Position *int           `json:"position"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	sec, err := s.svc.UpdateSection(c.Request.Context(), principal(c), c.Param("sid"), req.Title, req.Position)
	return reply(toSectionView(sec), err)
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
	AlignmentPending    []string          `json:"alignment_pending"`
	Alternatives        []alternativeView `json:"alternatives"`
	ETag                string            `json:"etag"`
	CreatedAt           time.Time         `json:"created_at"`
	UpdatedAt           time.Time         `json:"updated_at"`
}

func toClauseView(v service.ClauseView) clauseView {
	return clauseView{ID: v.ID, GuidelineID: v.GuidelineID, SectionID: v.SectionID, Position: v.Position, Number: v.Number,
		Status: string(v.Status), Version: v.Version, Text: v.Text, MissingTranslations: v.Missing,
		SilenceDeadline: v.SilenceDeadline, AlignmentPending: append([]string{}, v.AlignmentPending...), Alternatives: alternativeViews(v.Alternatives), ETag: revisionETag(v.Revision), CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
}

// clauseAnswer answers with a clause and its ETag, or err.
func clauseAnswer(c *gin.Context, v service.ClauseView, err error) (int, any, error) {
	return tagged(c, v.Revision, toClauseView(v), err)
}

// newPosition is a new section's, clause's or action's requested position
// as the service takes it: 0 to append when the request names none, and an
// explicit position below 1 (the contract's minimum) as -1, which the
// service refuses (422 on position) like any other.
func newPosition(p *int) int {
	switch {
	case p == nil:
		return 0
	case *p < 1:
		return -1
	}
	return *p
}

func (s *Server) handleClausesPost(c *gin.Context) (int, any, error) {
	var req struct {
		SectionID string            `json:"section_id"`
		Number    string            `json:"number"`
		Position  *int              `json:"position"`
		Text      map[string]string `json:"text"`
		Note      string            `json:"note"`
	}
	idem, err := decodeCreate(c, &req)
	if err != nil {
		return 0, nil, err
	}
	r, err := s.svc.CreateClauseOnce(c.Request.Context(), principal(c), c.Param("gid"), service.NewClause{
		SectionID: req.SectionID, Number: req.Number, Position: newPosition(req.Position), Text: req.Text, Note: req.Note}, idem)
	if err != nil {
		return 0, nil, err
	}
	v := r.Value
	return created(c, r.Replayed, "/api/v1/clauses/"+v.ID, revisionETag(v.Revision), toClauseView(v))
}

func (s *Server) handleClausesGet(c *gin.Context) (int, any, error) {
	page, err := pageOf(c)
	if err != nil {
		return 0, nil, err
	}
	cs, next, rev, err := s.svc.ClausesAt(c.Request.Context(), principal(c), c.Param("gid"), service.ClauseQuery{
		SectionID: c.Query("section_id"), Status: drafting.Status(c.Query("status")), NeedsPosition: c.Query("needs_position")}, page)
	if err != nil {
		return 0, nil, err
	}
	return s.keptList(c, rev, func() any { return listOf(cs, next, toClauseView) })
}

// keptList answers a list that is the guideline's at revision rev (the
// service checked the revision against the database): its bytes and digest
// ETag are made once per revision, route and query, and reused while the
// revision stands. rev 0 (an answer that depends on the time) is made
// afresh.
func (s *Server) keptList(c *gin.Context, rev int64, view func() any) (int, any, error) {
	if rev == 0 {
		return http.StatusOK, view(), nil
	}
	key := c.FullPath() + "\x00" + c.Param("gid") + "?" + c.Request.URL.RawQuery
	if e, ok := s.lists.Get(key); ok && e.Revision == rev {
		c.Header("ETag", e.Value.etag)
		return http.StatusOK, rawBody{contentType: "application/json; charset=utf-8", bytes: e.Value.body}, nil
	}
	b, err := json.Marshal(view())
	if err != nil {
		return 0, nil, err
	}
	etag := digestETag(b)
	s.lists.Put(key, rev, keptList{body: b, etag: etag})
	c.Header("ETag", etag)
	return http.StatusOK, rawBody{contentType: "application/json; charset=utf-8", bytes: b}, nil
}

// keptList is a list's answer as sent, for one guideline revision.
type keptList struct {
	body []byte
	etag string
}

func (s *Server) handleClauseGet(c *gin.Context) (int, any, error) {
	in, err := includes(c, "section", "positions", "comments", "versions")
	if err != nil {
		return 0, nil, err
	}
	if in != nil {
		return s.clausePage(c, in)
	}
	v, err := s.svc.Clause(c.Request.Context(), principal(c), c.Param("cid"))
	return clauseAnswer(c, v, err)
}

func (s *Server) handleClauseTextPut(c *gin.Context) (int, any, error) {
	var req struct {
		Text         map[string]string `json:"text"`
		Note         string            `json:"note"`
		Incorporates []string          `json:"incorporates"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	expect, err := ifMatch(c, true)
	if err != nil {
		return 0, nil, err
	}
	v, err := s.svc.UpdateText(c.Request.Context(), principal(c), c.Param("cid"), expect,
		service.TextChange{Text: req.Text, Note: req.Note, Incorporates: req.Incorporates})
	return clauseAnswer(c, v, err)
}

func (s *Server) handleClauseMove(c *gin.Context) (int, any, error) {
	var req struct {
		SectionID string `json:"section_id"`
		Position  int    `json:"position"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	v, err := s.svc.MoveClause(c.Request.Context(), principal(c), c.Param("cid"), req.SectionID, req.Position)
	return clauseAnswer(c, v, err)
}

type versionView struct {
	ClauseID     string            `json:"clause_id"`
	Number       int               `json:"number"`
	Text         map[string]string `json:"text"`
	Note         string            `json:"note"`
	Incorporates []string          `json:"incorporates"`
	AuthorID     string            `json:"author_id"`
	Author       *personView       `json:"author"`
	CreatedAt    time.Time         `json:"created_at"`
}

func toVersionView(v service.VersionView) versionView {
	inc := v.Incorporates
	if inc == nil {
		inc = []string{}
	}
	return versionView{ClauseID: v.ClauseID, Number: v.Number, Text: v.Text, Note: v.Note, Incorporates: inc, AuthorID: v.AuthorID,
		Author: toPersonView(v.Author), CreatedAt: v.CreatedAt}
}

func (s *Server) handleVersionsGet(c *gin.Context) (int, any, error) {
	page, err := pageOf(c)
	if err != nil {
		return 0, nil, err
	}
	vs, next, err := s.svc.Versions(c.Request.Context(), principal(c), c.Param("cid"), page)
	return reply(listOf(vs, next, toVersionView), err)
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

func (s *Server) handleVersionGet(c *gin.Context) (int, any, error) {
	n, err := intParam("n", c.Param("n"), true)
	if err != nil {
		return 0, nil, err
	}
	v, err := s.svc.Version(c.Request.Context(), principal(c), c.Param("cid"), n)
	if err != nil {
		return 0, nil, err
	}
	c.Header("Cache-Control", "private, max-age=31536000, immutable")
	return http.StatusOK, toVersionView(v), nil
}

func (s *Server) handleClauseDiff(c *gin.Context) (int, any, error) {
	from, err := intParam("from", c.Query("from"), false)
	if err != nil {
		return 0, nil, err
	}
	to, err := intParam("to", c.Query("to"), false)
	if err != nil {
		return 0, nil, err
	}
	d, err := s.svc.ClauseDiff(c.Request.Context(), principal(c), c.Param("cid"), from, to, c.Query("lang"))
	if d.Langs != nil {
		return reply(gin.H{"from": d.From, "to": d.To, "langs": d.Langs}, err)
	}
	return reply(gin.H{"from": d.From, "to": d.To, "lang": d.Lang, "ops": d.Ops}, err)
}
