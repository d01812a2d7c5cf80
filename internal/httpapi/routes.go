package httpapi

// routes registers every route in one place; api/openapi.yaml describes each
// one, and TestContractCoversRoutes fails when the two drift apart.
func (s *Server) routes() {
	e := s.engine
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/metrics", s.handleMetrics)
	e.GET("/openapi.yaml", s.handleOpenAPI)
	e.GET("/docs", s.handleDocs)

	v1 := e.Group("/api/v1")
	v1.POST("/auth/login", s.handleLogin)
	v1.POST("/auth/refresh", s.handleRefresh)
	v1.POST("/auth/token", s.handleClientToken)

	a := v1.Group("", s.authenticate)
	a.POST("/auth/logout", s.handleLogout)
	a.GET("/me", s.handleMe)

	a.GET("/countries", s.handleCountriesGet)
	a.POST("/countries", s.handleCountriesPost)
	a.PUT("/countries/:code/alternate", s.handleCountryAlternatePut)
	a.DELETE("/countries/:code/alternate", s.handleCountryAlternateDelete)

	a.GET("/users", s.handleUsersGet)
	a.POST("/users", s.handleUsersPost)
	a.GET("/users/:uid", s.handleUserGet)
	a.PATCH("/users/:uid", s.handleUserPatch)

	s.draftingRoutes(a)
	s.deliberationRoutes(a)
	s.publicationRoutes(a)
	s.eventRoutes(v1, a)
	s.webhookRoutes(a)
}
