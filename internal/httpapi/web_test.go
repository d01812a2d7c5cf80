package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/rcm-iom/consenso/internal/web"
)

// raw sends a request through the real router without the contract check:
// the web client's paths are not the API's and are not in api/openapi.yaml.
func (e *env) raw(method, path string, header map[string]string) *resp {
	e.t.Helper()
	hr := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		hr.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, hr)
	return &resp{ResponseRecorder: rec, t: e.t}
}

var assetRef = regexp.MustCompile(`/assets/[A-Za-z0-9._-]+\.js`)

// TestWebClient: the server serves the embedded web client at every path
// outside the API and the operations, with the app's policy rather than the
// API's, and the API keeps its own 404s.
func TestWebClient(t *testing.T) {
	e := newEnv(t)
	index := e.raw("GET", "/", nil).want(200)
	page := index.Body.String()
	if ct := index.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("Content-Type = %q", ct)
	}
	asset := assetRef.FindString(page)
	if asset == "" {
		t.Fatalf("the page names no script under /assets/:\n%s", page)
	}

	t.Run("index_and_spa_fallback", func(t *testing.T) {
		for _, p := range []string{"/", "/guidelines/x/clauses/y", "/sign-in", "/guidelines/x?tab=matrix"} {
			for _, m := range []string{"GET", "HEAD"} {
				r := e.raw(m, p, nil).want(200)
				if m == "GET" && r.Body.String() != page {
					t.Errorf("%s %s: not the page", m, p)
				}
				if cc := r.Header().Get("Cache-Control"); cc != "no-cache" {
					t.Errorf("%s %s: Cache-Control = %q, want no-cache", m, p, cc)
				}
				if r.Header().Get("ETag") == "" || r.Header().Get("X-Request-Id") == "" {
					t.Errorf("%s %s: no ETag or no X-Request-Id", m, p)
				}
			}
		}
	})

	t.Run("app_policy_not_the_apis", func(t *testing.T) {
		for _, p := range []string{"/", "/guidelines/x/clauses/y", asset} {
			r := e.raw("GET", p, nil).want(200)
			if got := r.Header().Values("Content-Security-Policy"); len(got) != 1 || got[0] != web.CSP {
				t.Errorf("%s: Content-Security-Policy = %q, want only %q", p, got, web.CSP)
			}
			dirs := csp(t, r.Header().Get("Content-Security-Policy"))
			wantSources(t, dirs, "script-src", "'self'")
			wantSources(t, dirs, "style-src", "'self'")
			wantSources(t, dirs, "connect-src", "'self'")
			wantSources(t, dirs, "frame-ancestors", "'none'")
			wantNosniff(t, r)
			if rp := r.Header().Get("Referrer-Policy"); rp != "no-referrer" {
				t.Errorf("%s: Referrer-Policy = %q", p, rp)
			}
		}
	})

	t.Run("assets_immutable", func(t *testing.T) {
		r := e.raw("GET", asset, nil).want(200)
		if cc := r.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("Cache-Control = %q", cc)
		}
		if ct := r.Header().Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
			t.Errorf("Content-Type = %q", ct)
		}
	})

	t.Run("missing_asset_is_404", func(t *testing.T) {
		r := e.raw("GET", "/assets/index-00000000.js", nil).wantProblem(404, "route.not_found")
		wantSources(t, csp(t, r.Header().Get("Content-Security-Policy")), "default-src", "'none'")
		if strings.Contains(r.Body.String(), "<html") {
			t.Error("a missing asset answered with the page")
		}
	})

	t.Run("gzip", func(t *testing.T) {
		plain := e.raw("GET", asset, nil).want(200)
		r := e.raw("GET", asset, map[string]string{"Accept-Encoding": "gzip, deflate, br"}).want(200)
		if r.Header().Get("Content-Encoding") != "gzip" || r.Header().Get("Vary") != "Accept-Encoding" {
			// A tiny placeholder build may not shrink; the page always does.
			r = e.raw("GET", "/", map[string]string{"Accept-Encoding": "gzip"}).want(200)
			plain = index
		}
		if r.Header().Get("Content-Encoding") != "gzip" || r.Header().Get("Vary") != "Accept-Encoding" {
			t.Fatalf("Content-Encoding = %q, Vary = %q", r.Header().Get("Content-Encoding"), r.Header().Get("Vary"))
		}
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(body, plain.Body.Bytes()) {
			t.Fatalf("gunzipped body differs (%v)", err)
		}
	})

	t.Run("not_modified", func(t *testing.T) {
		for _, p := range []string{"/", asset} {
			etag := e.raw("GET", p, nil).want(200).Header().Get("ETag")
			r := e.raw("GET", p, map[string]string{"If-None-Match": etag}).want(304)
			if r.Body.Len() != 0 || r.Header().Get("ETag") != etag {
				t.Errorf("%s: 304 with %d bytes, ETag %q", p, r.Body.Len(), r.Header().Get("ETag"))
			}
		}
	})

	t.Run("api_and_operations_keep_theirs", func(t *testing.T) {
		e.do(req{method: "GET", path: "/api/v1/nope"}).wantProblem(404, "route.not_found")
		for _, p := range []string{"/api", "/api/", "/api/v2/guidelines", "/docs/nope", "/docs/assets/nope.js"} {
			e.raw("GET", p, nil).wantProblem(404, "route.not_found")
		}
		for _, p := range []string{"/healthz", "/readyz", "/metrics", "/openapi.yaml", "/docs", "/api/v1/me"} {
			r := e.raw("HEAD", p, nil)
			if r.Code != 404 || strings.HasPrefix(r.Header().Get("Content-Type"), "text/html") {
				t.Errorf("HEAD %s answered %d %s: the web client took an operational path", p, r.Code, r.Header().Get("Content-Type"))
			}
		}
		e.do(req{method: "GET", path: "/healthz"}).want(200)
		r := e.raw("GET", "/openapi.yaml", nil).want(200)
		if strings.Contains(r.Body.String(), "<html") {
			t.Error("/openapi.yaml is the page")
		}
		for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
			e.raw(m, "/guidelines/x", nil).wantProblem(404, "route.not_found")
		}
	})
}
