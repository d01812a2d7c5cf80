package httpapi

import (
	"github.com/gin-gonic/gin"

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
