package httpapi

import "github.com/gin-gonic/gin"

func (s *Server) draftingRoutes(a *gin.RouterGroup) {}
