// Package httpapi is Consenso's HTTP layer on Gin: routing, middleware,
// request decoding, problem+json errors and response shapes. A handler
// decodes, takes the caller from the context, calls one service method and
// writes the answer.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/rcm-iom/consenso/internal/events"
	"github.com/rcm-iom/consenso/internal/kept"
	"github.com/rcm-iom/consenso/internal/service"
	"github.com/rcm-iom/consenso/internal/web"
)

// Config wires the HTTP layer.
type Config struct {
	Service *service.Service
	Log     *slog.Logger
	// BodyLimit caps request bodies in bytes (default 1 MiB).
	BodyLimit int64
	// CORSOrigins are the frontend origins allowed to call the API.
	CORSOrigins []string
	// TrustedProxies are the proxy addresses/CIDRs whose X-Forwarded-For is
	// believed; empty trusts none.
	TrustedProxies []string
	// Spec is the OpenAPI document served at /openapi.yaml.
	Spec []byte
	// Ready reports whether the service can take traffic (database, schema).
	Ready func(ctx context.Context) error
	// Registry collects metrics; a new one is made when nil.
	Registry *prometheus.Registry
	// Hub wakes live event streams; a new one is made when nil.
	Hub *events.Hub
	// Heartbeat is the interval of stream heartbeats (default 15 s).
	Heartbeat time.Duration
	// Heartbeats, when set, replaces Heartbeat: each stream takes its
	// heartbeat ticks from the channel it returns, so tests drive streams
	// by events rather than by wall-clock margins.
	Heartbeats func() <-chan time.Time
	// Web serves the web client at every path that is not the API's or an
	// operational one; nil serves the build embedded in the binary.
	Web *web.Handler
}

// Server is the HTTP API.
type Server struct {
	engine    *gin.Engine
	svc       *service.Service
	log       *slog.Logger
	bodyLimit int64
	origins   map[string]bool
	spec      []byte
	// queryParams are the query parameters each route declares in the spec.
	queryParams queryParams
	docsPage    []byte
	ready       func(ctx context.Context) error
	registry    *prometheus.Registry
	metrics     *metrics
	hub         *events.Hub
	heartbeat   time.Duration
	beats       func() <-chan time.Time
	web         *web.Handler
	// lists keeps list answers (clauses, comment counts) per guideline
	// revision.
	lists *kept.Cache[keptList]
}

// New builds the router with every route.
func New(cfg Config) (*Server, error) {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{
		svc: cfg.Service, log: cfg.Log, bodyLimit: cfg.BodyLimit, spec: cfg.Spec, ready: cfg.Ready,
		registry: cfg.Registry, origins: map[string]bool{}, hub: cfg.Hub, heartbeat: cfg.Heartbeat, beats: cfg.Heartbeats,
		web: cfg.Web, lists: kept.New[keptList](256),
	}
	if s.web == nil {
		w, err := web.New()
		if err != nil {
			return nil, err
		}
		s.web = w
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.hub == nil {
		s.hub = events.NewHub(5)
	}
	if s.heartbeat <= 0 {
		s.heartbeat = 15 * time.Second
	}
	if s.bodyLimit <= 0 {
		s.bodyLimit = 1 << 20
	}
	if s.registry == nil {
		s.registry = prometheus.NewRegistry()
		s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	s.metrics = newMetrics(s.registry)
	for _, o := range cfg.CORSOrigins {
		s.origins[o] = true
	}
	docs, err := docsPage(s.spec)
	if err != nil {
		return nil, err
	}
	s.docsPage = docs
	if s.queryParams, err = queryParamsOf(s.spec); err != nil {
		return nil, err
	}

	e := gin.New()
	e.HandleMethodNotAllowed = false
	// A path with a trailing slash is not a route: the API's 404, through
	// the middleware (X-Request-Id, problem+json), not Gin's bare redirect.
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.ContextWithFallback = true
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, err
	}
	e.Use(securityHeaders)
	e.Use(s.requestID, s.accessLog, s.recoverPanic, s.cors, s.limitBody, s.checkParams)
	e.NoRoute(s.noRoute)
	s.engine = e
	s.routes()
	return s, nil
}

// noRoute answers what no route matched: a GET or HEAD outside the API and
// the operational paths is the web client's (its page, whatever the path,
// so the client routes it; or one of its files); anything else, and a
// missing file of the client, is the API's 404.
func (s *Server) noRoute(c *gin.Context) {
	if !apiPath(c.Request.URL.Path) && s.web.Serve(c.Writer, c.Request) {
		return
	}
	s.fail(c, errNotFoundRoute)
}

// operationalPaths are served by the program itself, never by the web
// client, whatever the method.
var operationalPaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true, "/openapi.yaml": true, "/docs": true}

// apiPath says whether a path belongs to the API or the operations rather
// than to the web client.
func apiPath(p string) bool {
	return p == "/api" || strings.HasPrefix(p, "/api/") || operationalPaths[strings.TrimSuffix(p, "/")] || strings.HasPrefix(p, "/docs/")
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// Routes lists the registered method and path template pairs (for the
// contract test).
func (s *Server) Routes() []gin.RouteInfo { return s.engine.Routes() }

// slogLevel is the access-log level of a status: a server fault is an
// error; a 503 (the database did not answer, the client was told to retry)
// a warning; anything else — answers, the client's own mistakes, and 499
// when the client went away — information.
func slogLevel(status int) slog.Level {
	switch {
	case status == http.StatusServiceUnavailable:
		return slog.LevelWarn
	case status >= 500:
		return slog.LevelError
	}
	return slog.LevelInfo
}

// heartbeats returns one stream's heartbeat ticks and how to stop them.
func (s *Server) heartbeats() (<-chan time.Time, func()) {
	if s.beats != nil {
		return s.beats(), func() {}
	}
	t := time.NewTicker(s.heartbeat)
	return t.C, t.Stop
}
