package httpapi

// routes registers every route, here and nowhere else; api/openapi.yaml
// describes each one, and TestContractCoversRoutes fails when the two drift
// apart. API handlers have one shape (endpoint), adapted by s.handle;
// digestTagged gives an answer assembled from many rows a digest ETag, and
// currentOnStale puts the resource as it is now into a 412 (etag.go).
func (s *Server) routes() {
	h := s.handle
	e := s.engine

	// Operations.
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/metrics", s.handleMetrics)
	e.GET("/openapi.yaml", s.handleOpenAPI)
	e.GET("/docs", s.handleDocs)
	e.GET("/docs/assets/:file", s.handleDocsAsset)

	// Sign-in.
	v1 := e.Group("/api/v1")
	v1.POST("/auth/login", h(s.handleLogin))
	v1.POST("/auth/refresh", h(s.handleRefresh))
	v1.POST("/auth/token", h(s.handleClientToken))
	// The stream authenticates itself: a bearer token or a stream ticket.
	v1.GET("/guidelines/:gid/events/stream", h(s.handleEventStream))

	a := v1.Group("", s.authenticate)
	a.POST("/auth/logout", h(s.handleLogout))
	a.GET("/me", h(s.handleMe))

	// Countries, their alternates, and accounts (admin writes).
	a.GET("/countries", h(s.handleCountriesGet))
	a.POST("/countries", h(s.handleCountriesPost))
	a.PUT("/countries/:code/alternate", h(s.handleCountryAlternatePut))
	a.DELETE("/countries/:code/alternate", h(s.handleCountryAlternateDelete))
	a.GET("/users", h(s.handleUsersGet))
	a.POST("/users", h(s.handleUsersPost))
	a.GET("/users/:uid", h(s.handleUserGet))
	a.PATCH("/users/:uid", h(s.handleUserPatch))

	// Drafting: guidelines, sections, clauses, versions and drafts.
	a.POST("/guidelines", h(s.handleGuidelinesPost))
	a.GET("/guidelines", h(s.handleGuidelinesGet))
	a.GET("/guidelines/:gid", h(s.handleGuidelineGet))
	a.PATCH("/guidelines/:gid", h(currentOnStale(s.handleGuidelinePatch, s.handleGuidelineGet)))
	a.POST("/guidelines/:gid/sections", h(s.handleSectionsPost))
	a.GET("/guidelines/:gid/sections", h(s.handleSectionsGet))
	a.GET("/guidelines/:gid/participants", h(s.handleParticipantsGet))
	a.GET("/sections/:sid", h(s.handleSectionGet))
	a.PATCH("/sections/:sid", h(s.handleSectionPatch))
	a.POST("/guidelines/:gid/clauses", h(s.handleClausesPost))
	a.GET("/guidelines/:gid/clauses", h(digestTagged(s.handleClausesGet)))
	a.GET("/clauses/:cid", h(s.handleClauseGet))
	a.PUT("/clauses/:cid/text", h(currentOnStale(s.handleClauseTextPut, s.handleClauseGet)))
	a.POST("/clauses/:cid/move", h(s.handleClauseMove))
	a.GET("/clauses/:cid/versions", h(s.handleVersionsGet))
	a.GET("/clauses/:cid/versions/:n", h(s.handleVersionGet))
	a.GET("/clauses/:cid/diff", h(s.handleClauseDiff))
	a.POST("/guidelines/:gid/drafts", h(s.handleDraftsPost))
	a.GET("/guidelines/:gid/drafts", h(s.handleDraftsGet))
	a.GET("/guidelines/:gid/drafts/:n", h(s.handleDraftGet))
	a.GET("/guidelines/:gid/drafts/:n/diff", h(s.handleDraftDiff))

	// Deliberation: comments, positions, clause status and consensus.
	a.POST("/clauses/:cid/comments", h(s.handleCommentsPost))
	a.GET("/clauses/:cid/comments", h(digestTagged(s.handleClauseCommentsGet)))
	a.GET("/guidelines/:gid/comments", h(digestTagged(s.handleGuidelineCommentsGet)))
	a.GET("/guidelines/:gid/comments/counts", h(s.handleCommentCountsGet))
	a.GET("/comments/:id", h(s.handleCommentGet))
	a.PATCH("/comments/:id", h(currentOnStale(s.handleCommentPatch, s.handleCommentGet)))
	a.POST("/comments/:id/withdraw", h(currentOnStale(s.handleCommentWithdraw, s.handleCommentGet)))
	a.POST("/comments/:id/resolve", h(currentOnStale(s.handleCommentResolve, s.handleCommentGet)))
	a.PUT("/clauses/:cid/positions/:country", h(s.handlePositionPut))
	a.GET("/clauses/:cid/positions", h(digestTagged(s.handlePositionsGet)))
	a.GET("/clauses/:cid/positions/history", h(s.handlePositionHistoryGet))
	a.POST("/clauses/:cid/open", h(currentOnStale(s.handleClauseOpen, s.handleClauseGet)))
	a.POST("/clauses/:cid/silence", h(currentOnStale(s.handleClauseSilence, s.handleClauseGet)))
	a.POST("/clauses/:cid/lock", h(currentOnStale(s.handleClauseLock, s.handleClauseGet)))
	a.POST("/clauses/:cid/reopen", h(currentOnStale(s.handleClauseReopen, s.handleClauseGet)))
	a.GET("/guidelines/:gid/consensus", h(digestTagged(s.handleConsensusGet)))
	// Equally authentic languages: alignment and translators.
	a.POST("/clauses/:cid/alignment", h(currentOnStale(s.handleClauseAlign, s.handleClauseGet)))
	// Alternative texts.
	a.PUT("/clauses/:cid/alternatives", h(currentOnStale(s.handleClauseAlternativesPut, s.handleClauseGet)))
	a.POST("/clauses/:cid/alternatives/:label/choose", h(currentOnStale(s.handleClauseAlternativeChoose, s.handleClauseGet)))
	a.GET("/guidelines/:gid/translators", h(s.handleTranslatorsGet))
	a.PUT("/guidelines/:gid/translators/:uid", h(s.handleTranslatorPut))
	a.DELETE("/guidelines/:gid/translators/:uid", h(s.handleTranslatorDelete))

	// Publication: adoption, approved text, integrations.
	a.POST("/guidelines/:gid/drafts/:n/adopt", h(s.handleAdopt))
	a.GET("/guidelines/:gid/approved", h(s.handleApprovedLatest))
	a.GET("/guidelines/:gid/approved/:version", h(s.handleApprovedVersion))
	a.POST("/integrations", h(s.handleIntegrationsPost))
	a.GET("/integrations", h(s.handleIntegrationsGet))
	a.GET("/integrations/:iid", h(s.handleIntegrationGet))
	a.PATCH("/integrations/:iid", h(s.handleIntegrationPatch))
	a.POST("/integrations/:iid/secret", h(s.handleIntegrationSecret))

	// The meeting's agenda: national inputs (Session 2) and the clauses
	// that cite them.
	a.POST("/guidelines/:gid/inputs", h(s.handleInputsPost))
	a.GET("/guidelines/:gid/inputs", h(s.handleInputsGet))
	a.GET("/guidelines/:gid/synthesis", h(digestTagged(s.handleSynthesisGet)))
	a.GET("/inputs/:nid", h(s.handleInputGet))
	a.PUT("/inputs/:nid", h(currentOnStale(s.handleInputPut, s.handleInputGet)))
	a.GET("/inputs/:nid/versions", h(s.handleInputVersionsGet))
	a.GET("/clauses/:cid/sources", h(s.handleSourcesGet))
	a.PUT("/clauses/:cid/sources", h(s.handleSourcesPut))

	// The implementation plan (Session 4): actions are clauses of plan
	// sections with details; follow-up by progress reports.
	a.POST("/guidelines/:gid/actions", h(s.handleActionsPost))
	a.GET("/guidelines/:gid/actions", h(s.handleActionsGet))
	a.GET("/clauses/:cid/action", h(s.handleActionGet))
	a.PUT("/clauses/:cid/action", h(currentOnStale(s.handleActionPut, s.handleActionGet)))
	a.POST("/clauses/:cid/progress", h(s.handleProgressPost))
	a.GET("/clauses/:cid/progress", h(s.handleProgressHistoryGet))
	a.GET("/guidelines/:gid/progress", h(digestTagged(s.handleProgressGet)))

	// Events and webhooks.
	a.GET("/guidelines/:gid/events", h(s.handleEventsGet))
	a.POST("/guidelines/:gid/events/stream-ticket", h(s.handleStreamTicket))
	a.POST("/webhooks", h(s.handleWebhooksPost))
	a.GET("/webhooks", h(s.handleWebhooksGet))
	a.GET("/webhooks/:wid", h(s.handleWebhookGet))
	a.PATCH("/webhooks/:wid", h(s.handleWebhookPatch))
	a.DELETE("/webhooks/:wid", h(s.handleWebhookDelete))
	a.GET("/webhooks/:wid/deliveries", h(s.handleWebhookDeliveriesGet))
}
