package httpapi

import (
	"fmt"
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
