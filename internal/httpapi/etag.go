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

// ifMatchRevision reads If-Match for a text change: required (428), "*" or
// one strong revision ETag; anything else can never match (412).
func ifMatchRevision(c *gin.Context, required bool) (int, error) {
	h := strings.TrimSpace(c.GetHeader("If-Match"))
	if h == "" {
		if required {
			return 0, drafting.Errorf(drafting.KindPreconditionReq, "request.if_match_required",
				"send If-Match with the ETag of the version you edited, so concurrent edits cannot overwrite each other")
		}
		return 0, nil
	}
	if h == "*" {
		return service.AnyRevision, nil
	}
	for _, tag := range strings.Split(h, ",") {
		tag = strings.TrimSpace(tag)
		if strings.HasPrefix(tag, `"r`) && strings.HasSuffix(tag, `"`) {
			if n, err := strconv.Atoi(tag[2 : len(tag)-1]); err == nil && n > 0 {
				return n, nil
			}
		}
	}
	return 0, drafting.Errorf(drafting.KindPrecondition, "request.if_match_stale", "the If-Match ETag does not match the current one")
}
