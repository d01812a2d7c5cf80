package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

func init() {
	// The /docs assets are validated against the contract like any response.
	for _, ct := range []string{"text/javascript", "text/css"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
}

var (
	htmlAttr     = regexp.MustCompile(`(?i)\s(src|href)="([^"]*)"`)
	htmlScript   = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	htmlAsset    = regexp.MustCompile(`^/docs/assets/[a-z-]+\.[0-9a-f]{12}\.(js|css)$`)
	htmlInlineUI = regexp.MustCompile(`(?i)<style|\sstyle=|\son[a-z]+=|javascript:`)
)

func TestDocs(t *testing.T) {
	e := newEnv(t)
	r := e.do(req{method: "GET", path: "/docs"}).want(200)
	page := r.Body.String()

	t.Run("page_headers", func(t *testing.T) {
		if ct := r.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("Content-Type = %q", ct)
		}
		if cc := r.Header().Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("Cache-Control = %q, want no-cache", cc)
		}
		wantNosniff(t, r)
		dirs := csp(t, r.Header().Get("Content-Security-Policy"))
		wantSources(t, dirs, "default-src", "'none'")
		wantSources(t, dirs, "script-src", "'self'")
		wantSources(t, dirs, "style-src", "'self'")
		wantSources(t, dirs, "img-src", "'self'", "data:")
		wantSources(t, dirs, "connect-src", "'self'")
		wantSources(t, dirs, "frame-ancestors", "'none'")
		wantSources(t, dirs, "base-uri", "'none'")
	})

	t.Run("page_loads_only_its_own_files", func(t *testing.T) {
		if !strings.Contains(page, "<title>Consenso API reference</title>") {
			t.Errorf("page is not titled after the contract:\n%s", page)
		}
		if m := htmlInlineUI.FindString(page); m != "" {
			t.Errorf("page has inline style or script (%q):\n%s", m, page)
		}
		scripts := htmlScript.FindAllStringSubmatch(page, -1)
		if len(scripts) != 2 {
			t.Fatalf("page has %d scripts, want the bundle and its starter:\n%s", len(scripts), page)
		}
		for _, s := range scripts {
			if strings.TrimSpace(s[2]) != "" || !strings.Contains(s[1], `src="/docs/assets/`) {
				t.Errorf("inline or foreign script: %s", s[0])
			}
		}
		var assets []string
		for _, m := range htmlAttr.FindAllStringSubmatch(page, -1) {
			switch url := m[2]; {
			case url == "data:," || url == "/openapi.yaml":
			case htmlAsset.MatchString(url):
				assets = append(assets, url)
			default:
				t.Errorf("page refers to %s=%q; only its own assets may be loaded", m[1], url)
			}
		}
		if len(assets) != 4 {
			t.Fatalf("assets = %v, want the bundle, its stylesheet, the starter and the page's stylesheet", assets)
		}
		for _, a := range assets {
			checkDocsAsset(t, e, a)
		}
	})

	t.Run("starter_loads_this_servers_contract", func(t *testing.T) {
		starter := regexp.MustCompile(`/docs/assets/docs\.[0-9a-f]{12}\.js`).FindString(page)
		js := e.do(req{method: "GET", path: starter}).want(200).Body.String()
		for _, want := range []string{`url: "/openapi.yaml"`, "window.location.origin", "validatorUrl: null", "filter: true"} {
			if !strings.Contains(js, want) {
				t.Errorf("starter lacks %q", want)
			}
		}
		e.do(req{method: "GET", path: "/openapi.yaml"}).want(200)
	})

	t.Run("unknown_or_unhashed_assets_are_404", func(t *testing.T) {
		for _, p := range []string{"/docs/assets/swagger-ui-bundle.js", "/docs/assets/docs.000000000000.js", "/docs/assets/..%2fdocs"} {
			r := e.do(req{method: "GET", path: p}).wantProblem(404, "route.not_found")
			wantNosniff(t, r)
			if cc := r.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("%s: Cache-Control = %q, want no-store", p, cc)
			}
		}
	})
}

// checkDocsAsset fetches one asset, plain and gzipped, and checks its type
// and caching.
func checkDocsAsset(t *testing.T, e *env, path string) {
	t.Helper()
	want := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}[path[strings.LastIndex(path, "."):]]
	plain := e.do(req{method: "GET", path: path}).want(200)
	if ct := plain.Header().Get("Content-Type"); ct != want {
		t.Errorf("%s: Content-Type = %q, want %q", path, ct, want)
	}
	if cc := plain.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("%s: Cache-Control = %q", path, cc)
	}
	if plain.Header().Get("Content-Encoding") != "" || plain.Header().Get("Vary") != "Accept-Encoding" {
		t.Errorf("%s: Content-Encoding %q, Vary %q", path, plain.Header().Get("Content-Encoding"), plain.Header().Get("Vary"))
	}
	wantNosniff(t, plain)
	if plain.Body.Len() == 0 {
		t.Errorf("%s: empty", path)
	}
	gz := e.do(req{method: "GET", path: path, header: map[string]string{"Accept-Encoding": "gzip, br"}}).want(200)
	if gz.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("%s: Content-Encoding = %q, want gzip", path, gz.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(body, plain.Body.Bytes()) {
		t.Errorf("%s: gzip body differs from the plain one (%v)", path, err)
	}
}
