package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

func (s *Server) publicationRoutes(a *gin.RouterGroup) {
	a.POST("/guidelines/:gid/drafts/:n/adopt", s.handleAdopt)
	a.GET("/guidelines/:gid/approved", s.handleApprovedLatest)
	a.GET("/guidelines/:gid/approved/:version", s.handleApprovedVersion)
	a.POST("/integrations", s.handleIntegrationsPost)
	a.GET("/integrations", s.handleIntegrationsGet)
	a.GET("/integrations/:iid", s.handleIntegrationGet)
	a.PATCH("/integrations/:iid", s.handleIntegrationPatch)
	a.POST("/integrations/:iid/secret", s.handleIntegrationSecret)
}

func (s *Server) handleAdopt(c *gin.Context) {
	n, err := intParam("n", c.Param("n"), true)
	if err != nil {
		s.fail(c, err)
		return
	}
	a, err := s.svc.Adopt(c.Request.Context(), principal(c), c.Param("gid"), n)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.approved.forgetLatest(a.GuidelineID)
	c.Header("Location", "/api/v1/guidelines/"+a.GuidelineID+"/approved/"+itoa(a.Version))
	c.JSON(http.StatusCreated, gin.H{"guideline_id": a.GuidelineID, "version": a.Version, "draft": a.DraftNumber,
		"adopted_at": a.AdoptedAt, "content_hash": a.ContentHash})
}

// approvedCache keeps every rendering of an approved version once made:
// approved versions never change, so after the first request the path costs
// no database work beyond authentication. The pointer to a guideline's
// latest version is kept for a second, so an adoption on another replica
// shows within that time.
type approvedCache struct {
	mu       sync.RWMutex
	bodies   map[string]rendering
	bytes    int
	latest   map[string]latestVersion
	maxBytes int
}

type rendering struct {
	body        []byte
	etag        string
	contentType string
	// gzipped is body compressed once, for clients that accept gzip; it is
	// another representation, so it has its own ETag.
	gzipped  []byte
	gzipETag string
}

type latestVersion struct {
	version int
	at      time.Time
}

const latestTTL = time.Second

func newApprovedCache() *approvedCache {
	return &approvedCache{bodies: map[string]rendering{}, latest: map[string]latestVersion{}, maxBytes: 64 << 20}
}

func (a *approvedCache) get(key string) (rendering, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	r, ok := a.bodies[key]
	return r, ok
}

func (a *approvedCache) put(key string, r rendering) {
	a.mu.Lock()
	defer a.mu.Unlock()
	size := len(r.body) + len(r.gzipped)
	if a.bytes+size > a.maxBytes {
		clear(a.bodies) // bounded memory; entries are cheap to rebuild
		a.bytes = 0
	}
	a.bodies[key] = r
	a.bytes += size
}

func (a *approvedCache) latestOf(gid string, now time.Time) (int, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	l, ok := a.latest[gid]
	if !ok || now.Sub(l.at) > latestTTL {
		return 0, false
	}
	return l.version, true
}

func (a *approvedCache) setLatest(gid string, v int, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.latest[gid] = latestVersion{version: v, at: now}
}

func (a *approvedCache) forgetLatest(gid string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.latest, gid)
}

func (s *Server) handleApprovedLatest(c *gin.Context) {
	gid := c.Param("gid")
	v, ok := s.approved.latestOf(gid, s.svc.Now())
	if !ok {
		var err error
		if v, err = s.svc.LatestApprovedVersion(c.Request.Context(), gid); err != nil {
			s.fail(c, err)
			return
		}
		if v > 0 {
			s.approved.setLatest(gid, v, s.svc.Now())
		}
	}
	if v == 0 {
		// Either the guideline is unknown or nothing was adopted yet; the
		// service says which.
		_, err := s.svc.ApprovedVersion(c.Request.Context(), principal(c), gid, 0)
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-cache")
	s.serveApproved(c, gid, v)
}

func (s *Server) handleApprovedVersion(c *gin.Context) {
	v, err := intParam("version", c.Param("version"), true)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=31536000, immutable")
	s.serveApproved(c, c.Param("gid"), v)
}

// serveApproved answers with one rendering of approved version v, from
// memory when it was rendered before, honouring If-None-Match.
func (s *Server) serveApproved(c *gin.Context, gid string, v int) {
	format, lang := c.DefaultQuery("format", "json"), c.Query("lang")
	if err := checkFormat(format); err != nil {
		c.Header("Cache-Control", "no-store")
		s.fail(c, err)
		return
	}
	if format != "akn" {
		lang = "" // only Akoma Ntoso has one expression per language
	}
	key := gid + "/" + itoa(v) + "/" + format + "/" + lang
	r, ok := s.approved.get(key)
	if !ok {
		a, err := s.svc.ApprovedVersion(c.Request.Context(), principal(c), gid, v)
		if err != nil {
			c.Header("Cache-Control", "no-store")
			s.fail(c, err)
			return
		}
		if r, err = renderApproved(a, format, lang); err != nil {
			c.Header("Cache-Control", "no-store")
			s.fail(c, err)
			return
		}
		s.approved.put(key, r)
	}
	body, etag, gz := r.body, r.etag, acceptsGzip(c.GetHeader("Accept-Encoding"))
	if gz {
		body, etag = r.gzipped, r.gzipETag
	}
	c.Header("Vary", "Accept-Encoding")
	c.Header("ETag", etag)
	if inm := c.GetHeader("If-None-Match"); inm != "" && etagListMatches(inm, etag) {
		c.Status(http.StatusNotModified)
		return
	}
	if gz {
		c.Header("Content-Encoding", "gzip")
	}
	// A known length spares the chunked encoding of a large body.
	c.Header("Content-Length", strconv.Itoa(len(body)))
	c.Data(http.StatusOK, r.contentType, body)
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

func renderApproved(a drafting.Approved, format, lang string) (rendering, error) {
	content, doc, err := service.ApprovedDocument(a)
	if err != nil {
		return rendering{}, err
	}
	var body []byte
	ct := "application/json"
	if format == "json" {
		withHash := struct {
			service.ApprovedContent
			ContentHash string `json:"content_hash"`
		}{content, a.ContentHash}
		if body, err = service.Canonical(withHash); err != nil {
			return rendering{}, err
		}
	} else if body, ct, err = renderDocument(format, lang, doc); err != nil {
		return rendering{}, err
	}
	sum := sha256.Sum256(body)
	tag := hex.EncodeToString(sum[:16])
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if _, err := zw.Write(body); err != nil {
		return rendering{}, err
	}
	if err := zw.Close(); err != nil {
		return rendering{}, err
	}
	return rendering{body: body, contentType: ct, etag: `"` + tag + `"`, gzipped: gz.Bytes(), gzipETag: `"` + tag + `-gzip"`}, nil
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

func (s *Server) handleIntegrationsPost(c *gin.Context) {
	var req struct {
		Name string `json:"name"`
	}
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	in, secret, err := s.svc.CreateIntegration(c.Request.Context(), principal(c), req.Name)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Location", "/api/v1/integrations/"+in.ID)
	c.JSON(http.StatusCreated, toIntegrationView(in, secret))
}

func (s *Server) handleIntegrationsGet(c *gin.Context) {
	ins, err := s.svc.Integrations(c.Request.Context(), principal(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]integrationView, len(ins))
	for i, in := range ins {
		items[i] = toIntegrationView(in, "")
	}
	c.JSON(http.StatusOK, listView[integrationView]{Items: items})
}

func (s *Server) handleIntegrationGet(c *gin.Context) {
	in, err := s.svc.Integration(c.Request.Context(), principal(c), c.Param("iid"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toIntegrationView(in, ""))
}

func (s *Server) handleIntegrationPatch(c *gin.Context) {
	var req struct {
		Name   *string `json:"name"`
		Active *bool   `json:"active"`
	}
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	in, _, err := s.svc.UpdateIntegration(c.Request.Context(), principal(c), c.Param("iid"), req.Name, req.Active, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toIntegrationView(in, ""))
}

func (s *Server) handleIntegrationSecret(c *gin.Context) {
	in, secret, err := s.svc.UpdateIntegration(c.Request.Context(), principal(c), c.Param("iid"), nil, nil, true)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, toIntegrationView(in, secret))
}
