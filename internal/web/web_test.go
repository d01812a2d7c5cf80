package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// budget is the most gzipped JavaScript and CSS a first load may fetch.
const budget = 200 * 1024

var fixture = fstest.MapFS{
	"index.html": {Data: []byte(`<!doctype html><html><head>` +
		`<script type="module" crossorigin src="/assets/index-1a2b3c4d.js"></script>` +
		`<link rel="stylesheet" crossorigin href="/assets/index-5e6f7a8b.css">` +
		`</head><body><div id="app"></div></body></html>`)},
	"favicon.svg":               {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`)},
	"logo.png":                  {Data: []byte("\x89PNG\r\n\x1a\n")},
	"assets/index-1a2b3c4d.js":  {Data: []byte(strings.Repeat("console.log('consenso');\n", 200))},
	"assets/index-5e6f7a8b.css": {Data: []byte(strings.Repeat("body{margin:0}\n", 200))},
}

func serve(t *testing.T, h http.Handler, method, target string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func fixtureHandler(t *testing.T) *Handler {
	t.Helper()
	h, err := NewFS(fixture)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func wantHeader(t *testing.T, w *httptest.ResponseRecorder, name, want string) {
	t.Helper()
	if got := w.Header().Get(name); got != want {
		t.Errorf("%s = %q, want %q", name, got, want)
	}
}

func TestIndexAndFallback(t *testing.T) {
	h := fixtureHandler(t)
	for _, p := range []string{"/", "/index.html", "/guidelines/x/clauses/y", "/sign-in?next=%2F", "/guidelines/", "/assets"} {
		t.Run(p, func(t *testing.T) {
			w := serve(t, h, "GET", p, nil)
			if w.Code != 200 {
				t.Fatalf("status %d", w.Code)
			}
			if !bytes.Equal(w.Body.Bytes(), fixture["index.html"].Data) {
				t.Fatalf("body is not index.html: %q", w.Body.String())
			}
			wantHeader(t, w, "Content-Type", "text/html; charset=utf-8")
			wantHeader(t, w, "Cache-Control", "no-cache")
			wantHeader(t, w, "Content-Security-Policy", CSP)
			wantHeader(t, w, "X-Content-Type-Options", "nosniff")
			wantHeader(t, w, "Referrer-Policy", "no-referrer")
		})
	}
}

func TestCSP(t *testing.T) {
	dirs := map[string]string{}
	for _, d := range strings.Split(CSP, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if _, dup := dirs[name]; dup {
			t.Fatalf("directive %s twice", name)
		}
		dirs[name] = value
	}
	for name, want := range map[string]string{
		"default-src": "'none'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data:",
		"connect-src": "'self'", "font-src": "'self'", "manifest-src": "'self'", "base-uri": "'none'",
		"form-action": "'none'", "frame-ancestors": "'none'",
	} {
		if dirs[name] != want {
			t.Errorf("%s = %q, want %q", name, dirs[name], want)
		}
	}
	if strings.Contains(CSP, "unsafe") {
		t.Error("the policy allows something unsafe")
	}
}

func TestAssets(t *testing.T) {
	h := fixtureHandler(t)
	t.Run("immutable", func(t *testing.T) {
		w := serve(t, h, "GET", "/assets/index-1a2b3c4d.js", nil)
		if w.Code != 200 || w.Body.String() != string(fixture["assets/index-1a2b3c4d.js"].Data) {
			t.Fatalf("status %d, body %.40q", w.Code, w.Body.String())
		}
		wantHeader(t, w, "Cache-Control", "public, max-age=31536000, immutable")
		wantHeader(t, w, "Content-Type", "text/javascript; charset=utf-8")
		wantHeader(t, w, "Content-Security-Policy", CSP)
		wantHeader(t, w, "Vary", "Accept-Encoding")
		wantHeader(t, w, "Content-Encoding", "")
		css := serve(t, h, "GET", "/assets/index-5e6f7a8b.css", nil)
		wantHeader(t, css, "Content-Type", "text/css; charset=utf-8")
	})
	t.Run("missing_is_404_not_the_page", func(t *testing.T) {
		for _, p := range []string{"/assets/index-00000000.js", "/assets/", "/assets/../assets/nope.css"} {
			w := serve(t, h, "GET", p, nil)
			if w.Code != 404 {
				t.Errorf("%s: status %d, want 404", p, w.Code)
			}
			if strings.Contains(w.Body.String(), "<html") {
				t.Errorf("%s: answered with the page", p)
			}
			rec := httptest.NewRecorder()
			if h.Serve(rec, httptest.NewRequest("GET", p, nil)) || len(rec.Header()) != 0 {
				t.Errorf("%s: Serve served or wrote headers", p)
			}
		}
	})
	t.Run("root_files_short_cache", func(t *testing.T) {
		w := serve(t, h, "GET", "/favicon.svg", nil)
		if w.Code != 200 || !strings.HasPrefix(w.Body.String(), "<svg") {
			t.Fatalf("status %d body %q", w.Code, w.Body.String())
		}
		wantHeader(t, w, "Content-Type", "image/svg+xml")
		wantHeader(t, w, "Cache-Control", "public, max-age=3600")
		png := serve(t, h, "GET", "/logo.png", map[string]string{"Accept-Encoding": "gzip"})
		wantHeader(t, png, "Content-Type", "image/png")
		wantHeader(t, png, "Content-Encoding", "")
		wantHeader(t, png, "Vary", "")
	})
	t.Run("head", func(t *testing.T) {
		w := serve(t, h, "HEAD", "/assets/index-1a2b3c4d.js", nil)
		if w.Code != 200 || w.Body.Len() != 0 {
			t.Fatalf("status %d, %d bytes", w.Code, w.Body.Len())
		}
		wantHeader(t, w, "Content-Length", "5000")
	})
	t.Run("other_methods_not_served", func(t *testing.T) {
		for _, m := range []string{"POST", "PUT", "DELETE", "OPTIONS"} {
			rec := httptest.NewRecorder()
			if h.Serve(rec, httptest.NewRequest(m, "/", nil)) {
				t.Errorf("%s / served", m)
			}
		}
	})
}

func TestGzip(t *testing.T) {
	h := fixtureHandler(t)
	for _, p := range []string{"/", "/assets/index-1a2b3c4d.js", "/assets/index-5e6f7a8b.css"} {
		plain := serve(t, h, "GET", p, nil)
		for _, ae := range []string{"gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "*"} {
			w := serve(t, h, "GET", p, map[string]string{"Accept-Encoding": ae})
			wantHeader(t, w, "Content-Encoding", "gzip")
			wantHeader(t, w, "Vary", "Accept-Encoding")
			zr, err := gzip.NewReader(w.Body)
			if err != nil {
				t.Fatalf("%s (%s): %v", p, ae, err)
			}
			got, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(got, plain.Body.Bytes()) {
				t.Fatalf("%s (%s): gunzipped body differs (%v)", p, ae, err)
			}
			if w.Header().Get("ETag") == plain.Header().Get("ETag") {
				t.Errorf("%s: the gzip variant shares the plain ETag %s", p, w.Header().Get("ETag"))
			}
		}
		for _, ae := range []string{"", "identity", "gzip;q=0", "br", "gzip; q=0.0"} {
			w := serve(t, h, "GET", p, map[string]string{"Accept-Encoding": ae})
			wantHeader(t, w, "Content-Encoding", "")
			if !bytes.Equal(w.Body.Bytes(), plain.Body.Bytes()) {
				t.Errorf("%s (%q): body differs from plain", p, ae)
			}
		}
	}
}

func TestConditional(t *testing.T) {
	h := fixtureHandler(t)
	for _, p := range []string{"/", "/guidelines/x", "/assets/index-1a2b3c4d.js", "/favicon.svg"} {
		for _, ae := range []string{"", "gzip"} {
			first := serve(t, h, "GET", p, map[string]string{"Accept-Encoding": ae})
			etag := first.Header().Get("ETag")
			if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 10 {
				t.Fatalf("%s: ETag %q", p, etag)
			}
			for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag} {
				w := serve(t, h, "GET", p, map[string]string{"If-None-Match": inm, "Accept-Encoding": ae})
				if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
					t.Fatalf("%s If-None-Match %s: status %d, %d bytes", p, inm, w.Code, w.Body.Len())
				}
				wantHeader(t, w, "ETag", etag)
				wantHeader(t, w, "Cache-Control", first.Header().Get("Cache-Control"))
				wantHeader(t, w, "Content-Security-Policy", CSP)
			}
			w := serve(t, h, "GET", p, map[string]string{"If-None-Match": `"stale"`, "Accept-Encoding": ae})
			if w.Code != 200 {
				t.Fatalf("%s with a stale ETag: status %d", p, w.Code)
			}
		}
	}
	a := serve(t, h, "GET", "/assets/index-1a2b3c4d.js", nil).Header().Get("ETag")
	b := serve(t, h, "GET", "/assets/index-5e6f7a8b.css", nil).Header().Get("ETag")
	if a == b {
		t.Error("two files share an ETag")
	}
}

func TestNewFSNeedsIndex(t *testing.T) {
	if _, err := NewFS(fstest.MapFS{"assets/a.js": {Data: []byte("x")}}); err == nil {
		t.Fatal("a build without index.html was accepted")
	}
}

// TestEmbeddedBuild checks the committed build: it loads, its page names
// only files it holds, and what a first load fetches (the scripts and
// stylesheets index.html references) stays under the budget gzipped.
func TestEmbeddedBuild(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	entries := h.FirstLoad()
	if len(entries) == 0 {
		t.Fatal("index.html references no script or stylesheet under /assets/")
	}
	total, plain := 0, 0
	for _, e := range entries {
		if e.Size < 0 {
			t.Errorf("index.html references %s, which the build lacks", e.Path)
			continue
		}
		t.Logf("first load: %-48s %7d B, %7d B gzipped", e.Path, e.Size, e.Gzipped)
		total += e.Gzipped
		plain += e.Size
	}
	t.Logf("first load: %d files, %d B (%.1f KB) gzipped JS+CSS, %d B plain; budget %d KB", len(entries), total, float64(total)/1024, plain, budget/1024)
	if total > budget {
		t.Errorf("first load is %d B gzipped, over the %d B budget", total, budget)
	}
	w := serve(t, h, "GET", "/", map[string]string{"Accept-Encoding": "gzip"})
	if w.Code != 200 || w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET / gzip: %d, %q", w.Code, w.Header().Get("Content-Encoding"))
	}
}
