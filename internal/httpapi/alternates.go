package httpapi

import (
	"github.com/gin-gonic/gin"
)

func (s *Server) handleCountryAlternatePut(c *gin.Context) (int, any, error) {
	var req struct {
		UserID string `json:"user_id"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	country, err := s.svc.DesignateAlternate(c.Request.Context(), principal(c), c.Param("code"), req.UserID)
	return reply(toCountryView(country), err)
}

func (s *Server) handleCountryAlternateDelete(c *gin.Context) (int, any, error) {
	return noContent(s.svc.RevokeAlternate(c.Request.Context(), principal(c), c.Param("code")))
}
