package httpapi

import "github.com/gin-gonic/gin"

// strictCSP is the Content-Security-Policy of every response but the /docs
// page and the web client's (internal/web sets its own, web.CSP): nothing may be loaded or run, and no page may frame it. The HTML
// renderings of drafts and approved texts (render.HTML) carry their styles
// in a <style> element and need nothing else.
const strictCSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// securityHeaders forbids browsers to guess content types and gives every
// response the strict policy; a handler that serves a page needing more
// (handleDocs, the web client through noRoute) replaces it.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", strictCSP)
	c.Next()
}
