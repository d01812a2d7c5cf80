package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
)

const (
	ctxRequestID = "consenso.request_id"
	ctxPrincipal = "consenso.principal"
)

// A client-sent request id is kept only if it is short and plain, so it can
// be logged and echoed without risk.
var plainID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-Id")
	if !plainID.MatchString(id) {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-Id", id)
	c.Next()
}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// accessLog writes one structured line per request. Headers and bodies are
// never logged: they carry tokens and passwords.
func (s *Server) accessLog(c *gin.Context) {
	start := s.svc.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	elapsed := s.svc.Now().Sub(start)
	s.metrics.observe(c.Request.Method, route, status, elapsed)
	level := slogLevel(status)
	if !s.log.Enabled(c.Request.Context(), level) {
		return
	}
	s.log.Log(c.Request.Context(), level, "request",
		"request_id", requestID(c), "method", c.Request.Method, "route", route, "status", status,
		"duration_ms", float64(elapsed.Microseconds())/1000, "bytes", c.Writer.Size(), "client_ip", c.ClientIP())
}

// recoverPanic turns a panic into a 500 problem and a log line.
func (s *Server) recoverPanic(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.log.ErrorContext(c.Request.Context(), "panic", "request_id", requestID(c), "panic", r)
			s.fail(c, &drafting.Error{Kind: drafting.KindInternal, Code: "internal", Message: "internal error"})
		}
	}()
	c.Next()
}

// limitBody caps every request body.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.bodyLimit)
	}
	c.Next()
}

// cors allows the configured frontend origins; others get no CORS headers.
func (s *Server) cors(c *gin.Context) {
	origin := c.GetHeader("Origin")
	if origin == "" || !s.origins[origin] {
		if c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
			s.fail(c, drafting.Errorf(drafting.KindForbidden, "cors.origin_not_allowed", "this origin may not call the API from a browser"))
			return
		}
		c.Next()
		return
	}
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Expose-Headers", "ETag, X-Request-Id, Retry-After, Location")
	if c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
		h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")
		h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, X-Request-Id, Last-Event-ID")
		h.Set("Access-Control-Max-Age", "600")
		c.AbortWithStatus(http.StatusNoContent)
		return
	}
	c.Next()
}

// authenticate requires a valid bearer access token and stores the caller.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		s.fail(c, drafting.Errorf(drafting.KindUnauthenticated, "auth.token_missing", "an Authorization: Bearer access token is required"))
		return
	}
	p, err := s.svc.Authenticate(c.Request.Context(), strings.TrimSpace(token))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(ctxPrincipal, p)
	c.Next()
}

func principal(c *gin.Context) auth.Principal {
	p, _ := c.Get(ctxPrincipal)
	pr, _ := p.(auth.Principal)
	return pr
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// series keeps each label set's counter and histogram, so a request
	// does not hash its labels twice (seriesKey to *series).
	series sync.Map
}

type seriesKey struct {
	method, route string
	status        int
}

type series struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// observe counts a request and its duration. The method is a label only
// if it is one the API answers: a client may send any token as a method,
// and each would otherwise be a new series, kept until the process ends.
// Routes are the router's templates ("unmatched" for none), statuses the
// server's own: the label sets are bounded.
func (m *metrics) observe(method, route string, status int, elapsed time.Duration) {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
	default:
		method = "other"
	}
	k := seriesKey{method, route, status}
	v, ok := m.series.Load(k)
	if !ok {
		v, _ = m.series.LoadOrStore(k, &series{
			requests: m.requests.WithLabelValues(method, route, strconv.Itoa(status)),
			duration: m.duration.WithLabelValues(method, route),
		})
	}
	sr := v.(*series)
	sr.requests.Inc()
	sr.duration.Observe(elapsed.Seconds())
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "consenso_http_requests_total", Help: "HTTP requests by method, route template and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "consenso_http_request_duration_seconds", Help: "HTTP request latency by method and route template.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}
