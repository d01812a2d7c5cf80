package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// revisionETag is the strong ETag of a mutable resource: its revision,
// which grows on every change of its representation.
func revisionETag(rev int) string { return fmt.Sprintf(`"r%d"`, rev) }

var (
	errIfMatchRequired = drafting.Errorf(drafting.KindPreconditionReq, "request.if_match_required",
		"send If-Match with the ETag of the version you edited, so concurrent edits cannot overwrite each other")
	errIfMatchStale = drafting.Errorf(drafting.KindPrecondition, "request.if_match_stale", "the If-Match ETag does not match the current one")
)

// ifMatch reads the If-Match precondition of a change, once: none or "*"
// admit any revision; one strong revision ETag admits that revision.
// required changes (clause text) refuse a missing header with 428; a header
// that names no revision ETag can never match (412).
func ifMatch(c *gin.Context, required bool) (service.Precondition, error) {
	return parseIfMatch(c.GetHeader("If-Match"), required)
}

func parseIfMatch(h string, required bool) (service.Precondition, error) {
	h = strings.TrimSpace(h)
	switch {
	case h == "" && required:
		return service.AnyRevision, errIfMatchRequired
	case h == "" || h == "*":
		return service.AnyRevision, nil
	}
	for _, tag := range strings.Split(h, ",") {
		if n, ok := parseRevisionETag(strings.TrimSpace(tag)); ok {
			return service.AtRevision(n), nil
		}
	}
	return service.AnyRevision, errIfMatchStale
}

// parseRevisionETag reads `"r<n>"`, n ≥ 1.
func parseRevisionETag(tag string) (int, bool) {
	if !strings.HasPrefix(tag, `"r`) || !strings.HasSuffix(tag, `"`) || len(tag) < 4 {
		return 0, false
	}
	digits := tag[2 : len(tag)-1]
	for _, r := range digits {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 {
		return 0, false
	}
	return n, true
}

// revalidated applies conditional GET to an answer that carries an ETag
// (a revision, or a digest set by digestTagged): unless the endpoint chose
// its own caching, a client may keep the answer but must revalidate it
// before each use; revalidated reports whether the client's If-None-Match
// already holds the answer, which is then a 304 with no body.
func revalidated(c *gin.Context) bool {
	if c.Request.Method != http.MethodGet {
		return false
	}
	h := c.Writer.Header()
	etag := h.Get("ETag")
	if etag == "" {
		return false
	}
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "private, no-cache")
	}
	inm := c.GetHeader("If-None-Match")
	return inm != "" && etagListMatches(inm, etag)
}

// digestTagged gives the answer of a GET assembled from many rows (a list,
// the consensus matrix) a strong ETag: a digest of the JSON it encodes to.
// No revision or event id could stand for such an answer without missing
// something it shows (a participant added, a name changed), while the bytes
// change exactly when the answer does; encoding once more costs a hash of a
// few kilobytes, and a client that holds the answer gets a 304 with no body.
// Digest ETags begin with "h", so they never pass for a revision in If-Match.
func digestTagged(h endpoint) endpoint {
	return func(c *gin.Context) (int, any, error) {
		status, body, err := h(c)
		if err != nil || status != http.StatusOK || body == nil {
			return status, body, err
		}
		if _, ok := body.(rawBody); ok {
			return status, body, err
		}
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		c.Header("ETag", digestETag(b))
		return status, rawBody{contentType: "application/json; charset=utf-8", bytes: b}, nil
	}
}

// digestETag is the strong ETag of the bytes of an answer.
func digestETag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"h` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

// currentOnStale answers a refused precondition (412) of change with what a
// client needs to resolve the conflict in one request: current's answer —
// the resource as it is now — in the problem's data.current and its ETag
// in the ETag header. The service only says "stale"; the representation
// and its ETag are the HTTP layer's, so the HTTP layer reads them, once
// and only on a 412. current is the resource's GET endpoint, reading the
// same path parameters. Should that read fail (the database did not
// answer), its error is the answer: a 412 always carries the current
// representation.
func currentOnStale(change, current endpoint) endpoint {
	return func(c *gin.Context) (int, any, error) {
		status, body, err := change(c)
		var de *drafting.Error
		if !errors.As(err, &de) || de.Kind != drafting.KindPrecondition {
			return status, body, err
		}
		_, now, cerr := current(c)
		if cerr != nil {
			return 0, nil, cerr
		}
		if raw, ok := now.(rawBody); ok {
			now = json.RawMessage(raw.bytes)
		}
		stale := *de // errors may be shared values: never change one
		stale.Data = map[string]any{"current": now}
		for k, v := range de.Data {
			stale.Data[k] = v
		}
		return 0, nil, &stale
	}
}
