package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) handleCountryAlternatePut(c *gin.Context) {
	var req struct {
		UserID string `json:"user_id"`
	}
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	country, err := s.svc.DesignateAlternate(c.Request.Context(), principal(c), c.Param("code"), req.UserID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toCountryView(country))
}

func (s *Server) handleCountryAlternateDelete(c *gin.Context) {
	if err := s.svc.RevokeAlternate(c.Request.Context(), principal(c), c.Param("code")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
