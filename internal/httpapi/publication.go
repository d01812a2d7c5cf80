package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
)

func (s *Server) handleAdopt(c *gin.Context) (int, any, error) {
	n, err := intParam("n", c.Param("n"), true)
	if err != nil {
		return 0, nil, err
	}
	a, err := s.svc.Adopt(c.Request.Context(), principal(c), c.Param("gid"), n)
	if err != nil {
		return 0, nil, err
	}
	c.Header("Location", "/api/v1/guidelines/"+a.GuidelineID+"/approved/"+itoa(a.Version))
	return http.StatusCreated, gin.H{"guideline_id": a.GuidelineID, "version": a.Version, "draft": a.DraftNumber,
		"adopted_at": a.AdoptedAt, "content_hash": a.ContentHash}, nil
}

func (s *Server) handleApprovedLatest(c *gin.Context) (int, any, error) {
	return s.approvedAnswer(c, 0, "private, no-cache")
}

func (s *Server) handleApprovedVersion(c *gin.Context) (int, any, error) {
	v, err := intParam("version", c.Param("version"), true)
	if err != nil {
		return 0, nil, err
	}
	return s.approvedAnswer(c, v, "private, max-age=31536000, immutable")
}

// approvedAnswer answers with one rendering of approved version v (0: the
// latest), honouring If-None-Match and Accept-Encoding. The service
// authorizes the caller before it looks in its cache of renderings.
func (s *Server) approvedAnswer(c *gin.Context, v int, cacheControl string) (int, any, error) {
	r, err := s.svc.ApprovedRendering(c.Request.Context(), principal(c), c.Param("gid"), v,
		c.DefaultQuery("format", "json"), c.Query("lang"))
	if err != nil {
		c.Header("Cache-Control", "no-store")
		return 0, nil, err
	}
	c.Header("Cache-Control", cacheControl)
	body, etag, gz := r.Body, r.ETag, acceptsGzip(c.GetHeader("Accept-Encoding"))
	if gz {
		body, etag = r.Gzipped, r.GzipETag
	}
	c.Header("Vary", "Accept-Encoding")
	c.Header("ETag", etag)
	if inm := c.GetHeader("If-None-Match"); inm != "" && etagListMatches(inm, etag) {
		return http.StatusNotModified, nil, nil
	}
	if gz {
		c.Header("Content-Encoding", "gzip")
	}
	// A known length spares the chunked encoding of a large body.
	c.Header("Content-Length", strconv.Itoa(len(body)))
	return http.StatusOK, rawBody{contentType: r.ContentType, bytes: body}, nil
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(h string) bool {
	for _, part := range strings.Split(h, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// etagListMatches implements the weak comparison If-None-Match uses.
func etagListMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

type integrationView struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	ClientID     string    `json:"client_id"`
	ClientSecret string    `json:"client_secret,omitempty"`
	Active       bool      `json:"active"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func toIntegrationView(in drafting.Integration, secret string) integrationView {
	return integrationView{ID: in.ID, Name: in.Name, ClientID: in.ClientID, ClientSecret: secret, Active: in.Active,
		CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt}
}

// withoutSecret is an integration as every answer but its creation and
// secret rotation shows it.
func withoutSecret(in drafting.Integration) integrationView { return toIntegrationView(in, "") }

func (s *Server) handleIntegrationsPost(c *gin.Context) (int, any, error) {
	var req struct {
		Name string `json:"name"`
	}
	idem, err := decodeCreate(c, &req)
	if err != nil {
		return 0, nil, err
	}
	r, secret, err := s.svc.CreateIntegrationOnce(c.Request.Context(), principal(c), req.Name, idem)
	if err != nil {
		return 0, nil, err
	}
	c.Header("Cache-Control", "no-store")
	return created(c, r.Replayed, "/api/v1/integrations/"+r.Value.ID, "", toIntegrationView(r.Value, secret))
}

func (s *Server) handleIntegrationsGet(c *gin.Context) (int, any, error) {
	ins, err := s.svc.Integrations(c.Request.Context(), principal(c))
	return reply(listOf(ins, "", withoutSecret), err)
}

func (s *Server) handleIntegrationGet(c *gin.Context) (int, any, error) {
	in, err := s.svc.Integration(c.Request.Context(), principal(c), c.Param("iid"))
	return reply(withoutSecret(in), err)
}

func (s *Server) handleIntegrationPatch(c *gin.Context) (int, any, error) {
	var req struct {
		Name   *string `json:"name"`
		Active *bool   `json:"active"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	in, _, err := s.svc.UpdateIntegration(c.Request.Context(), principal(c), c.Param("iid"), req.Name, req.Active, false)
	return reply(withoutSecret(in), err)
}

func (s *Server) handleIntegrationSecret(c *gin.Context) (int, any, error) {
	in, secret, err := s.svc.UpdateIntegration(c.Request.Context(), principal(c), c.Param("iid"), nil, nil, true)
	if err != nil {
		return 0, nil, err
	}
	c.Header("Cache-Control", "no-store")
	return http.StatusOK, toIntegrationView(in, secret), nil
}
