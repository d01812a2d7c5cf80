package httpapi

import (
	"bytes"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/service"
)

// endpoint is the one shape of a handler: it decodes the request, calls one
// service method and returns the status and body to answer with, or the
// error to answer with as problem+json. Headers (ETag, Location) are set on
// c before returning.
type endpoint func(c *gin.Context) (status int, body any, err error)

// rawBody is a body answered byte for byte with its content type
// (renderings, the contract).
type rawBody struct {
	contentType string
	bytes       []byte
}

// handle adapts an endpoint to Gin: problem+json for an error, JSON for a
// body, the bytes of a rawBody, no body at all for a nil one (204). An
// endpoint that wrote its answer itself (a stream) returns status 0.
func (s *Server) handle(h endpoint) gin.HandlerFunc {
	return func(c *gin.Context) {
		status, body, err := h(c)
		if err == nil && status == http.StatusOK && revalidated(c) {
			c.Status(http.StatusNotModified)
			return
		}
		switch b := body.(type) {
		case nil:
			if err == nil && status != 0 {
				c.Status(status)
			}
		case rawBody:
			if err == nil {
				c.Data(status, b.contentType, b.bytes)
			}
		default:
			if err == nil {
				c.JSON(status, b)
			}
		}
		if err != nil {
			s.fail(c, err)
		}
	}
}

// reply answers 200 with body, or err.
func reply(body any, err error) (int, any, error) {
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, body, nil
}

// tagged answers 200 with body and the strong ETag of revision rev, or err.
func tagged(c *gin.Context, rev int, body any, err error) (int, any, error) {
	if err != nil {
		return 0, nil, err
	}
	c.Header("ETag", revisionETag(rev))
	return http.StatusOK, body, nil
}

// noContent answers 204, or err.
func noContent(err error) (int, any, error) {
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// created answers a creating request: 201 with the created resource, its
// Location and ETag when it has them, and Idempotent-Replayed when the
// request was a retry answered with an earlier creation. A first answer and
// its replay are rendered by the same code, so they are the same.
func created(c *gin.Context, replayed bool, location, etag string, body any) (int, any, error) {
	if location != "" {
		c.Header("Location", location)
	}
	if etag != "" {
		c.Header("ETag", etag)
	}
	if replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	return http.StatusCreated, body, nil
}

// decodeCreate decodes the body of a creating request into v and returns
// its Idempotency: the Idempotency-Key and a fingerprint of the request.
func decodeCreate(c *gin.Context, v any) (service.Idempotency, error) {
	var raw bytes.Buffer
	c.Request.Body = io.NopCloser(io.TeeReader(c.Request.Body, &raw))
	if err := decode(c, v); err != nil {
		return service.Idempotency{}, err
	}
	key := c.GetHeader("Idempotency-Key")
	if key == "" {
		return service.Idempotency{}, nil
	}
	return service.Idempotency{Key: key, Hash: service.RequestHash(c.Request.Method, c.Request.URL.Path, raw.Bytes())}, nil
}

// decodeEmpty accepts no body or an empty JSON object, refusing anything
// else as unknown fields.
func decodeEmpty(c *gin.Context) error {
	if c.Request.ContentLength == 0 {
		return nil
	}
	var req struct{}
	return decode(c, &req)
}

// listOf maps a page of domain values to the list shape every list has.
func listOf[T, V any](items []T, next string, view func(T) V) listView[V] {
	out := make([]V, len(items))
	for i, it := range items {
		out[i] = view(it)
	}
	return listView[V]{Items: out, NextCursor: optional(next)}
}
