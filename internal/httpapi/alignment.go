package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

func (s *Server) handleClauseAlign(c *gin.Context) (int, any, error) {
	var req struct {
		Lang string  `json:"lang"`
		Text *string `json:"text"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	return clauseChange(c, func(expect service.Precondition) (service.ClauseView, error) {
		return s.svc.AlignClause(c.Request.Context(), principal(c), c.Param("cid"), expect, req.Lang, req.Text)
	})
}

func (s *Server) handleTranslatorPut(c *gin.Context) (int, any, error) {
	if err := decodeEmpty(c); err != nil {
		return 0, nil, err
	}
	return noContent(s.svc.SetTranslator(c.Request.Context(), principal(c), c.Param("gid"), c.Param("uid"), true))
}

func (s *Server) handleTranslatorDelete(c *gin.Context) (int, any, error) {
	return noContent(s.svc.SetTranslator(c.Request.Context(), principal(c), c.Param("gid"), c.Param("uid"), false))
}

func (s *Server) handleTranslatorsGet(c *gin.Context) (int, any, error) {
	pp, err := s.svc.Translators(c.Request.Context(), principal(c), c.Param("gid"))
	return reply(listOf(pp, "", func(p service.Person) *personView { return toPersonView(&p) }), err)
}

// alternativeView is one alternative of a clause's current version.
type alternativeView struct {
	Label string            `json:"label"`
	Text  map[string]string `json:"text"`
}

func alternativeViews(alts []drafting.Text) []alternativeView {
	out := make([]alternativeView, len(alts))
	for i, a := range alts {
		out[i] = alternativeView{Label: drafting.AltLabel(i), Text: a}
	}
	return out
}

func (s *Server) handleClauseAlternativesPut(c *gin.Context) (int, any, error) {
	var req struct {
		Alternatives []map[string]string `json:"alternatives"`
		Note         string              `json:"note"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	alts := make([]drafting.Text, len(req.Alternatives))
	for i, a := range req.Alternatives {
		alts[i] = a
	}
	expect, err := ifMatch(c, true)
	if err != nil {
		return 0, nil, err
	}
	v, err := s.svc.SetAlternatives(c.Request.Context(), principal(c), c.Param("cid"), expect, alts, req.Note)
	return clauseAnswer(c, v, err)
}

func (s *Server) handleClauseAlternativeChoose(c *gin.Context) (int, any, error) {
	if err := decodeEmpty(c); err != nil {
		return 0, nil, err
	}
	return clauseChange(c, func(expect service.Precondition) (service.ClauseView, error) {
		return s.svc.ChooseAlternative(c.Request.Context(), principal(c), c.Param("cid"), expect, c.Param("label"))
	})
}
