package httpapi_test

import (
	"strings"
	"testing"
)

// csp splits a Content-Security-Policy into its directives.
func csp(t *testing.T, header string) map[string][]string {
	t.Helper()
	if header == "" {
		t.Fatal("no Content-Security-Policy")
	}
	dirs := map[string][]string{}
	for _, d := range strings.Split(header, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			continue
		}
		if _, dup := dirs[f[0]]; dup {
			t.Fatalf("directive %s twice in %q", f[0], header)
		}
		dirs[f[0]] = f[1:]
	}
	return dirs
}

func wantSources(t *testing.T, dirs map[string][]string, directive string, want ...string) {
	t.Helper()
	if got := strings.Join(dirs[directive], " "); got != strings.Join(want, " ") {
		t.Errorf("%s = %q, want %q", directive, got, strings.Join(want, " "))
	}
}

func wantNosniff(t *testing.T, r *resp) {
	t.Helper()
	if got := r.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
	}
}

// TestSecurityHeaders: every response says nosniff and carries a policy; the
// HTML renderings of drafts and approved texts may keep their inline styles
// and nothing else.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	f := e.mustUser(admin, "facilitator", "", false)
	gid, _ := publishedFixture(t, e, f, true)
	e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts/1/adopt", token: f.Token}).want(201)

	for _, path := range []string{
		"/api/v1/guidelines/" + gid + "/drafts/1?format=html",
		"/api/v1/guidelines/" + gid + "/approved?format=html",
		"/api/v1/guidelines/" + gid + "/approved/1?format=html",
	} {
		t.Run(path, func(t *testing.T) {
			r := e.do(req{method: "GET", path: path, token: f.Token}).want(200)
			if ct := r.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Fatalf("Content-Type = %q", ct)
			}
			wantNosniff(t, r)
			dirs := csp(t, r.Header().Get("Content-Security-Policy"))
			wantSources(t, dirs, "default-src", "'none'")
			wantSources(t, dirs, "style-src", "'unsafe-inline'")
			wantSources(t, dirs, "frame-ancestors", "'none'")
			for _, d := range []string{"script-src", "connect-src", "img-src"} {
				if _, ok := dirs[d]; ok {
					t.Errorf("rendering allows %s %v", d, dirs[d])
				}
			}
			if strings.Contains(strings.ToLower(r.Body.String()), "<script") {
				t.Error("rendering has a script")
			}
		})
	}

	t.Run("json_and_problems", func(t *testing.T) {
		for _, r := range []*resp{
			e.do(req{method: "GET", path: "/healthz"}).want(200),
			e.do(req{method: "GET", path: "/api/v1/me", token: f.Token}).want(200),
			e.do(req{method: "GET", path: "/api/v1/me"}).wantProblem(401, ""),
			e.do(req{method: "GET", path: "/api/v1/no/such/route"}).wantProblem(404, "route.not_found"),
			e.do(req{method: "POST", path: "/no/such/route"}).wantProblem(404, "route.not_found"),
		} {
			wantNosniff(t, r)
			wantSources(t, csp(t, r.Header().Get("Content-Security-Policy")), "default-src", "'none'")
		}
	})

	// Gin would redirect these (a trailing slash, an empty or dotted
	// segment) before any middleware ran: no X-Request-Id, no problem, a
	// status the contract does not list. They are the API's 404s.
	t.Run("no_redirects", func(t *testing.T) {
		for _, p := range []string{"/api/v1/me/", "/api/v1/guidelines/", "/api/v1/clauses/%2F", "/api/v1/clauses/x/versions/..",
			"/api/v1//guidelines", "/healthz/"} {
			r := e.raw("GET", p, map[string]string{"Authorization": "Bearer " + f.Token})
			if r.Code != 404 || !strings.HasPrefix(r.Header().Get("Content-Type"), "application/problem+json") ||
				r.Header().Get("X-Request-Id") == "" || r.Header().Get("Location") != "" {
				t.Errorf("GET %s → %d %v", p, r.Code, r.Header())
			}
		}
	})
}
