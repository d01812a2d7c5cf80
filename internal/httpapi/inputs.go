package httpapi

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// National inputs (Session 2) and the clauses that cite them.

type inputView struct {
	ID          string        `json:"id"`
	GuidelineID string        `json:"guideline_id"`
	Country     string        `json:"country"`
	Area        string        `json:"area"`
	Kind        string        `json:"kind"`
	Text        drafting.Text `json:"text"`
	Source      string        `json:"source"`
	Version     int           `json:"version"`
	ETag        string        `json:"etag"`
	CreatedBy   string        `json:"created_by"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

func toInputView(n drafting.NationalInput) inputView {
	return inputView{ID: n.ID, GuidelineID: n.GuidelineID, Country: n.Country, Area: n.Area, Kind: string(n.Kind),
		Text: n.Text, Source: n.Source, Version: n.Version, ETag: revisionETag(n.Revision), CreatedBy: n.CreatedBy,
		CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt}
}

type inputRequest struct {
	Area   string        `json:"area"`
	Kind   string        `json:"kind"`
	Text   drafting.Text `json:"text"`
	Source string        `json:"source"`
}

func (r inputRequest) content() drafting.InputContent {
	return drafting.InputContent{Area: r.Area, Kind: drafting.InputKind(r.Kind), Text: r.Text, Source: r.Source}
}

func (s *Server) handleInputsPost(c *gin.Context) (int, any, error) {
	var req inputRequest
	idem, err := decodeCreate(c, &req)
	if err != nil {
		return 0, nil, err
	}
	r, err := s.svc.CreateInputOnce(c.Request.Context(), principal(c), c.Param("gid"), req.content(), idem)
	if err != nil {
		return 0, nil, err
	}
	n := r.Value
	return created(c, r.Replayed, "/api/v1/inputs/"+n.ID, revisionETag(n.Revision), toInputView(n))
}

// boolQuery reads a true/false query value ("" is false).
func boolQuery(c *gin.Context, name string) (bool, error) {
	switch c.Query(name) {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, drafting.Invalid("request.invalid_parameter", drafting.FieldError{Field: name, Message: "true or false"})
}

func (s *Server) handleInputsGet(c *gin.Context) (int, any, error) {
	page, err := pageOf(c)
	if err != nil {
		return 0, nil, err
	}
	unaddressed, err := boolQuery(c, "unaddressed")
	if err != nil {
		return 0, nil, err
	}
	ins, next, err := s.svc.Inputs(c.Request.Context(), principal(c), c.Param("gid"), service.InputQuery{
		Country: c.Query("country"), Area: c.Query("area"), Kind: drafting.InputKind(c.Query("kind")), Unaddressed: unaddressed}, page)
	return reply(listOf(ins, next, toInputView), err)
}

func (s *Server) handleInputGet(c *gin.Context) (int, any, error) {
	n, err := s.svc.Input(c.Request.Context(), principal(c), c.Param("nid"))
	return tagged(c, n.Revision, toInputView(n), err)
}

func (s *Server) handleInputPut(c *gin.Context) (int, any, error) {
	var req inputRequest
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	expect, err := ifMatch(c, true)
	if err != nil {
		return 0, nil, err
	}
	n, err := s.svc.UpdateInput(c.Request.Context(), principal(c), c.Param("nid"), expect, req.content())
	return tagged(c, n.Revision, toInputView(n), err)
}

type inputVersionView struct {
	InputID   string        `json:"input_id"`
	Number    int           `json:"number"`
	Area      string        `json:"area"`
	Kind      string        `json:"kind"`
	Text      drafting.Text `json:"text"`
	Source    string        `json:"source"`
	AuthorID  string        `json:"author_id"`
	CreatedAt time.Time     `json:"created_at"`
}

func toInputVersionView(v drafting.InputVersion) inputVersionView {
	return inputVersionView{InputID: v.InputID, Number: v.Number, Area: v.Area, Kind: string(v.Kind), Text: v.Text,
		Source: v.Source, AuthorID: v.AuthorID, CreatedAt: v.CreatedAt}
}

func (s *Server) handleInputVersionsGet(c *gin.Context) (int, any, error) {
	page, err := pageOf(c)
	if err != nil {
		return 0, nil, err
	}
	vs, next, err := s.svc.InputVersions(c.Request.Context(), principal(c), c.Param("nid"), page)
	return reply(listOf(vs, next, toInputVersionView), err)
}

type synthesisInputView struct {
	ID      string        `json:"id"`
	Country string        `json:"country"`
	Text    drafting.Text `json:"text"`
	Source  string        `json:"source"`
	Version int           `json:"version"`
	CitedBy []string      `json:"cited_by"`
}

type synthesisGroupView struct {
	Area      string               `json:"area"`
	Kind      string               `json:"kind"`
	Countries []string             `json:"countries"`
	Inputs    []synthesisInputView `json:"inputs"`
}

func (s *Server) handleSynthesisGet(c *gin.Context) (int, any, error) {
	gs, err := s.svc.Synthesis(c.Request.Context(), principal(c), c.Param("gid"), c.Query("area"))
	if err != nil {
		return 0, nil, err
	}
	out := make([]synthesisGroupView, len(gs))
	for i, g := range gs {
		v := synthesisGroupView{Area: g.Area, Kind: string(g.Kind), Countries: g.Countries, Inputs: make([]synthesisInputView, len(g.Inputs))}
		for j, in := range g.Inputs {
			v.Inputs[j] = synthesisInputView{ID: in.ID, Country: in.Country, Text: in.Text, Source: in.Source, Version: in.Version, CitedBy: in.CitedBy}
		}
		out[i] = v
	}
	return reply(gin.H{"guideline_id": c.Param("gid"), "groups": out}, nil)
}

type sourcesView struct {
	ClauseID  string      `json:"clause_id"`
	Inputs    []inputView `json:"inputs"`
	Countries []string    `json:"countries"`
}

func toSourcesView(x service.ClauseSources) sourcesView {
	v := sourcesView{ClauseID: x.ClauseID, Inputs: make([]inputView, len(x.Inputs)), Countries: x.Countries}
	for i, in := range x.Inputs {
		v.Inputs[i] = toInputView(in)
	}
	return v
}

func (s *Server) handleSourcesGet(c *gin.Context) (int, any, error) {
	x, err := s.svc.Sources(c.Request.Context(), principal(c), c.Param("cid"))
	return reply(toSourcesView(x), err)
}

func (s *Server) handleSourcesPut(c *gin.Context) (int, any, error) {
	var req struct {
		Inputs []string `json:"inputs"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	x, err := s.svc.SetSources(c.Request.Context(), principal(c), c.Param("cid"), req.Inputs)
	return reply(toSourcesView(x), err)
}
