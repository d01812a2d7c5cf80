// Package web serves the Consenso web client: the build of internal/web/app
// (Vite) committed in internal/web/dist and embedded in the binary, so the
// program needs no Node at run time.
//
// Paths under /assets/ are Vite's content-hashed files: a name never
// changes meaning, so they are cached for a year and immutable, and a
// missing one is a 404 (never the page: a browser must not run HTML as a
// script). Other files at the root of the build (favicon.svg, …) are cached
// briefly. Every other path is the single page, index.html, which names the
// current assets and so is revalidated on every load (no-cache); the client
// routes it. Each file has a strong ETag (its content hash) answered with
// 304, and a gzip variant compressed once at start-up for clients that
// accept it. Every answer carries the app's Content-Security-Policy: its
// own scripts and styles and this server only.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// CSP is the Content-Security-Policy of the app's pages and files: scripts,
// styles, fonts and images from this origin only (and data: images), calls
// to this server only, no inline script or style, no plugin, no base, no
// form posting elsewhere, and no framing.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; " +
	"form-action 'none'; frame-ancestors 'none'"

// Cache policies.
const (
	cacheImmutable = "public, max-age=31536000, immutable"
	cacheShort     = "public, max-age=3600"
	cacheIndex     = "no-cache"
)

// assetsDir is where Vite writes the hashed files.
const assetsDir = "assets/"

// file is one file of the build, ready to serve.
type file struct {
	name        string
	contentType string
	body        []byte
	etag        string
	// gz is body compressed with gzip, nil when compressing does not pay
	// (images, fonts) or does not shrink it.
	gz     []byte
	gzEtag string
}

// Handler serves the web client.
type Handler struct {
	files map[string]*file // by path within the build, e.g. "assets/index-1a2b3c.js"
	index *file
}

// New returns the handler of the embedded build.
func New() (*Handler, error) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil, err
	}
	return NewFS(sub)
}

// NewFS returns a handler serving the build in fsys, which must hold an
// index.html at its root. Every file is read and compressed now.
func NewFS(fsys fs.FS) (*Handler, error) {
	h := &Handler{files: map[string]*file{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		f, err := newFile(p, body)
		if err != nil {
			return err
		}
		h.files[p] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: read build: %w", err)
	}
	if h.index = h.files["index.html"]; h.index == nil {
		return nil, errors.New("web: the build has no index.html")
	}
	return h, nil
}

func newFile(name string, body []byte) (*file, error) {
	sum := sha256.Sum256(body)
	tag := hex.EncodeToString(sum[:12])
	f := &file{name: name, contentType: contentType(name), body: body, etag: `"` + tag + `"`}
	if compressible(f.contentType) {
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return nil, err
		}
		if _, err := zw.Write(body); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		if buf.Len() < len(body) {
			f.gz, f.gzEtag = buf.Bytes(), `"`+tag+`-gzip"`
		}
	}
	return f, nil
}

// contentTypes are the types of the files a Vite build holds; anything else
// gets the system's type for its extension.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".avif":        "image/avif",
	".ico":         "image/x-icon",
	".woff":        "font/woff",
	".woff2":       "font/woff2",
	".ttf":         "font/ttf",
	".otf":         "font/otf",
	".txt":         "text/plain; charset=utf-8",
	".xml":         "application/xml",
	".wasm":        "application/wasm",
}

func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if ct, ok := contentTypes[ext]; ok {
		return ct
	}
	if ct := mime.TypeByExtension(ext); ct != "" {
		return ct
	}
	return "application/octet-stream"
}

// compressible says whether gzip is worth trying on a type: text, not the
// already compressed images and fonts.
func compressible(ct string) bool {
	if strings.HasPrefix(ct, "text/") || strings.HasPrefix(ct, "image/svg") || strings.HasPrefix(ct, "image/x-icon") {
		return true
	}
	switch strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]) {
	case "application/json", "application/manifest+json", "application/xml", "application/wasm", "font/ttf", "font/otf":
		return true
	}
	return false
}

// ServeHTTP serves the web client, answering 404 for what Serve does not
// serve.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.Serve(w, r) {
		w.Header().Set("Cache-Control", "no-store")
		http.NotFound(w, r)
	}
}

// Serve answers a GET or HEAD for the web client and reports true, or
// reports false having written nothing: for another method, or a missing
// file under /assets/ (the caller answers its own 404).
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	f, cache, ok := h.lookup(r.URL.Path)
	if !ok {
		return false
	}
	hd := w.Header()
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", cache)

	body, etag := f.body, f.etag
	if f.gz != nil {
		hd.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Values("Accept-Encoding")) {
			body, etag = f.gz, f.gzEtag
			hd.Set("Content-Encoding", "gzip")
		}
	}
	hd.Set("ETag", etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && (etagMatches(inm, f.etag) || (f.gz != nil && etagMatches(inm, f.gzEtag))) {
		hd.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	hd.Set("Content-Type", f.contentType)
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
	return true
}

// lookup maps a request path to the file that answers it and its cache
// policy.
func (h *Handler) lookup(p string) (*file, string, bool) {
	name := strings.TrimPrefix(path.Clean("/"+p), "/")
	if strings.HasPrefix(name, assetsDir) || strings.HasPrefix(p, "/"+assetsDir) {
		f, ok := h.files[name]
		return f, cacheImmutable, ok
	}
	if name != "" && name != "index.html" && !strings.HasSuffix(p, "/") {
		if f, ok := h.files[name]; ok {
			return f, cacheShort, true
		}
	}
	return h.index, cacheIndex, true
}

// acceptsGzip says whether an Accept-Encoding list accepts gzip: named
// (or *) with a weight other than 0.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			name = strings.TrimSpace(name)
			if !strings.EqualFold(name, "gzip") && name != "*" {
				continue
			}
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			if w, ok := strings.CutPrefix(q, "q="); ok {
				if f, err := strconv.ParseFloat(w, 64); err == nil && f == 0 {
					continue
				}
			}
			return true
		}
	}
	return false
}

// etagMatches implements the weak comparison If-None-Match uses.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// Entry is a file index.html loads on first load.
type Entry struct {
	Path string
	// Size and Gzipped are its size plain and as served gzipped; both are
	// -1 when the build lacks the file.
	Size, Gzipped int
}

// FirstLoad lists the scripts and stylesheets index.html references from
// this build (src and href attributes naming /assets/*.js or *.css):
// what a browser fetches before the client can draw.
func (h *Handler) FirstLoad() []Entry {
	var out []Entry
	seen := map[string]bool{}
	html := string(h.index.body)
	for _, attr := range []string{`src="`, `href="`} {
		rest := html
		for {
			i := strings.Index(rest, attr)
			if i < 0 {
				break
			}
			rest = rest[i+len(attr):]
			j := strings.IndexByte(rest, '"')
			if j < 0 {
				break
			}
			ref := rest[:j]
			rest = rest[j:]
			name := strings.TrimPrefix(path.Clean("/"+ref), "/")
			ext := path.Ext(name)
			if seen[name] || (ext != ".js" && ext != ".css") || strings.Contains(ref, "://") {
				continue
			}
			seen[name] = true
			if f, ok := h.files[name]; ok {
				gz := len(f.body)
				if f.gz != nil {
					gz = len(f.gz)
				}
				out = append(out, Entry{Path: "/" + name, Size: len(f.body), Gzipped: gz})
			} else {
				out = append(out, Entry{Path: "/" + name, Size: -1, Gzipped: -1})
			}
		}
	}
	return out
}
