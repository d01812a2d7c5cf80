package httpapi

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/docsui"
)

// docsAssets is where the files of the /docs page are served; their names
// carry a hash of their content.
const docsAssets = "/docs/assets/"

// docsCSP lets the /docs page run only its own scripts and stylesheets and
// call only this server (to load /openapi.yaml and for "Try it out"). No
// inline script or style: Swagger UI sets styles through the DOM, which the
// policy allows, and its icons are inline SVG or data: URLs in its
// stylesheet.
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// docsPage renders the /docs page, titled after the OpenAPI document.
func docsPage(spec []byte) ([]byte, error) {
	title := "API reference"
	if len(spec) > 0 {
		doc, err := openapi3.NewLoader().LoadFromData(spec)
		if err != nil {
			return nil, fmt.Errorf("docs page: load OpenAPI document: %w", err)
		}
		if doc.Info != nil && doc.Info.Title != "" {
			title = doc.Info.Title + " reference"
		}
	}
	return docsui.Page(title, docsAssets), nil
}

func (s *Server) handleDocs(c *gin.Context) {
	c.Header("Content-Security-Policy", docsCSP)
	// The page names the current assets, so it is revalidated every time.
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/html; charset=utf-8", s.docsPage)
}

// handleDocsAsset serves one file of the /docs page. A name changes with
// the content, so a served name never changes meaning and is cached for good.
func (s *Server) handleDocsAsset(c *gin.Context) {
	a, ok := docsui.Lookup(c.Param("file"))
	if !ok {
		s.fail(c, errNotFoundRoute)
		return
	}
	body := a.Body
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.Header("Vary", "Accept-Encoding")
	if acceptsGzip(c.GetHeader("Accept-Encoding")) {
		body = a.Gzipped()
		c.Header("Content-Encoding", "gzip")
	}
	c.Header("Content-Length", strconv.Itoa(len(body)))
	c.Data(http.StatusOK, a.ContentType, body)
}
