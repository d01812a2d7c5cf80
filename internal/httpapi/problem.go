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
}

const problemContentType = "application/problem+json"

// fail answers with the problem for err. Internal errors are logged with the
// request id and never shown.
func (s *Server) fail(c *gin.Context, err error) {
	var de *drafting.Error
	if !errors.As(err, &de) {
		if errors.Is(err, context.Canceled) {
			c.Abort()
			return
		}
		de = &drafting.Error{Kind: drafting.KindInternal, Code: "internal", Message: "internal error", Err: err}
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
	if status == http.StatusUnprocessableEntity && p.Errors == nil {
		p.Errors = []drafting.FieldError{}
	}
	if n := service.RetryAfter(err); n > 0 {
		c.Header("Retry-After", strconv.Itoa(n))
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="consenso"`)
	}
	c.Header("Content-Type", problemContentType)
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(status, p)
}

// Errors the HTTP layer raises itself.
var (
	errNotFoundRoute = drafting.Errorf(drafting.KindNotFound, "route.not_found", "no such resource")
)
