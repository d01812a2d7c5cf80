package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// statusOf is the one table from error kind to HTTP status.
var statusOf = map[drafting.Kind]int{
	drafting.KindMalformed:       http.StatusBadRequest,
	drafting.KindUnauthenticated: http.StatusUnauthorized,
	drafting.KindForbidden:       http.StatusForbidden,
	drafting.KindNotFound:        http.StatusNotFound,
	drafting.KindConflict:        http.StatusConflict,
	drafting.KindPrecondition:    http.StatusPreconditionFailed,
	drafting.KindInvalid:         http.StatusUnprocessableEntity,
	drafting.KindPreconditionReq: http.StatusPreconditionRequired,
	drafting.KindRateLimited:     http.StatusTooManyRequests,
	drafting.KindUnavailable:     http.StatusServiceUnavailable,
	drafting.KindInternal:        http.StatusInternalServerError,
	kindUnsupportedMedia:         http.StatusUnsupportedMediaType,
	kindTooLarge:                 http.StatusRequestEntityTooLarge,
	kindNotAcceptable:            http.StatusNotAcceptable,
}

// problem is an RFC 9457 problem detail with Consenso's extensions.
type problem struct {
	Type      string                `json:"type"`
	Title     string                `json:"title"`
	Status    int                   `json:"status"`
	Detail    string                `json:"detail"`
	Code      string                `json:"code"`
	RequestID string                `json:"request_id"`
	Errors    []drafting.FieldError `json:"errors,omitempty"`
	// Extra structured details (e.g. blocking clauses, current version).
	Data map[string]any `json:"data,omitempty"`
	// The RFC 6749 §5.2 members, on the OAuth token endpoint only.
	OAuthError            string `json:"error,omitempty"`
	OAuthErrorDescription string `json:"error_description,omitempty"`
}

const problemContentType = "application/problem+json"

// statusClientClosed is what the access log and metrics record for a
// request whose client went away before the answer (nginx's 499).
const statusClientClosed = 499

// fail answers with the problem for err. Internal errors are logged with the
// request id and never shown; a database that did not answer is a 503 the
// client may retry; a request whose client went away gets no answer.
func (s *Server) fail(c *gin.Context, err error) {
	if clientWentAway(c, err) {
		s.log.InfoContext(c.Request.Context(), "client went away", "request_id", requestID(c), "route", c.FullPath(), "err", err)
		if !c.Writer.Written() {
			c.Status(statusClientClosed)
		}
		c.Abort()
		return
	}
	var de *drafting.Error
	if !errors.As(err, &de) {
		de = &drafting.Error{Kind: drafting.KindInternal, Code: "internal", Message: "internal error", Err: err}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			de = &drafting.Error{Kind: drafting.KindUnavailable, Code: "service.unavailable", Message: "the request ran out of time; try again shortly", Err: err}
		}
	}
	status := statusOf[de.Kind]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	p := problem{
		Type:      "https://consenso.dev/problems/" + de.Code,
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    de.Message,
		Code:      de.Code,
		RequestID: requestID(c),
		Errors:    de.Fields,
		Data:      de.Data,
	}
	if status == http.StatusInternalServerError {
		p.Detail = "an internal error occurred; quote the request id when reporting it"
		p.Data = nil
		s.log.ErrorContext(c.Request.Context(), "request failed", "request_id", p.RequestID, "route", c.FullPath(), "err", err)
	}
	if status == http.StatusServiceUnavailable {
		s.log.WarnContext(c.Request.Context(), "service unavailable", "request_id", p.RequestID, "route", c.FullPath(), "err", err)
	}
	if status == http.StatusUnprocessableEntity && p.Errors == nil {
		p.Errors = []drafting.FieldError{}
	}
	if n := service.RetryAfter(de); n > 0 {
		c.Header("Retry-After", strconv.Itoa(n))
	} else if status == http.StatusServiceUnavailable {
		c.Header("Retry-After", strconv.Itoa(defaultRetryAfter))
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="consenso"`)
	}
	var oe *oauthError
	if errors.As(err, &oe) {
		p.OAuthError, p.OAuthErrorDescription = oe.code, p.Detail
		if status == http.StatusUnauthorized {
			c.Header("WWW-Authenticate", `Basic realm="consenso", charset="UTF-8"`)
		}
	}
	c.Header("Content-Type", problemContentType)
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(status, p)
}

// defaultRetryAfter is the Retry-After, in seconds, of a 503 whose error
// named no wait of its own.
const defaultRetryAfter = 2

// clientWentAway reports whether err is only the echo of the client having
// left: its request's context ended, and the error is that ending or a
// database call it cut short.
func clientWentAway(c *gin.Context, err error) bool {
	if c.Request.Context().Err() == nil {
		return false
	}
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		drafting.IsKind(err, drafting.KindUnavailable)
}

// Errors the HTTP layer raises itself.
var (
	errNotFoundRoute = drafting.Errorf(drafting.KindNotFound, "route.not_found", "no such resource")
)
