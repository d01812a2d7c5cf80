package e2e_test

import (
	"testing"

	"github.com/rcm-iom/consenso/internal/web"
)

// TestClientLoads: the page and its assets load under the app's policy in
// two independent browser contexts (no CSP violation, no uncaught
// exception: page() fails the test on either), the client draws something,
// and it reaches the API on its own origin.
func TestClientLoads(t *testing.T) {
	e := newEnv(t)
	for _, ctx := range []contextWithName{{e.page(), "desktop"}, {e.page(tablet), "tablet"}} {
		e.goTo(ctx.ctx, "/guidelines/none/clauses/none")
		e.do(ctx.ctx, waitFor(`document.body && document.body.innerText.trim().length > 0`))
		policy := eval[string](e, ctx.ctx, `fetch("/").then(r => r.headers.get("Content-Security-Policy"))`)
		if policy != web.CSP {
			t.Errorf("%s: the page's policy is %q", ctx.name, policy)
		}
		status := eval[int](e, ctx.ctx, `fetch("/api/v1/me").then(r => r.status)`)
		if status != 401 {
			t.Errorf("%s: GET /api/v1/me without a token from the page: %d, want 401", ctx.name, status)
		}
	}
}
