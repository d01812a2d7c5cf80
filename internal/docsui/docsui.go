// Package docsui is the API reference page served at /docs: Swagger UI, the
// release pinned in package-lock.json and copied into swagger-ui/ by
// vendor.sh (`npm run vendor`), started by docs.js on the server's own
// /openapi.yaml. Everything is embedded: the page loads nothing from
// elsewhere, runs no inline script and works offline.
//
// Each asset is served under a name that carries a hash of its content, so
// it can be cached for good; the page itself names the current ones.
package docsui

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"path"
	"strings"
	"sync"
)

//go:embed swagger-ui/swagger-ui-bundle.js swagger-ui/swagger-ui.css docs.js docs.css
var files embed.FS

// Asset is one file the page loads.
type Asset struct {
	// Name is the file name with its content hash, e.g.
	// "swagger-ui-bundle.0123456789ab.js".
	Name        string
	ContentType string
	Body        []byte
	gzipped     func() []byte
}

// Gzipped returns Body compressed with gzip, compressed on first use.
func (a *Asset) Gzipped() []byte { return a.gzipped() }

type set struct {
	byName map[string]*Asset
	// bundle, css, init and frame are the page's four assets.
	bundle, css, init, frame *Asset
}

var assets = sync.OnceValue(func() *set {
	s := &set{byName: map[string]*Asset{}}
	for _, f := range []struct {
		file string
		to   **Asset
	}{
		{"swagger-ui/swagger-ui-bundle.js", &s.bundle},
		{"swagger-ui/swagger-ui.css", &s.css},
		{"docs.js", &s.init},
		{"docs.css", &s.frame},
	} {
		a := load(f.file)
		s.byName[a.Name] = a
		*f.to = a
	}
	return s
})

// load reads an embedded file; the files are fixed at build time, so a
// missing one is a bug in this package.
func load(file string) *Asset {
	body, err := files.ReadFile(file)
	if err != nil {
		panic("docsui: " + err.Error())
	}
	sum := sha256.Sum256(body)
	base := path.Base(file)
	ext := path.Ext(base)
	a := &Asset{
		Name:        strings.TrimSuffix(base, ext) + "." + hex.EncodeToString(sum[:6]) + ext,
		ContentType: contentTypes[ext],
		Body:        body,
		gzipped: sync.OnceValue(func() []byte {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			_, _ = zw.Write(body)
			_ = zw.Close()
			return buf.Bytes()
		}),
	}
	return a
}

var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
}

// Lookup returns the asset served under name, a name that Page wrote.
func Lookup(name string) (*Asset, bool) {
	a, ok := assets().byName[name]
	return a, ok
}

// Page renders the HTML page titled title whose assets are under prefix
// (e.g. "/docs/assets/").
func Page(title, prefix string) []byte {
	s := assets()
	var buf bytes.Buffer
	err := pageTemplate.Execute(&buf, map[string]string{
		"Title": title, "Bundle": prefix + s.bundle.Name, "CSS": prefix + s.css.Name,
		"Init": prefix + s.init.Name, "Frame": prefix + s.frame.Name,
	})
	if err != nil {
		// The template is static and writes to memory.
		panic("docsui: page template: " + err.Error())
	}
	return buf.Bytes()
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{{.CSS}}">
<link rel="stylesheet" href="{{.Frame}}">
</head>
<body>
<noscript><p>This reference needs JavaScript. The contract it shows is <a href="/openapi.yaml">/openapi.yaml</a>.</p></noscript>
<div id="swagger-ui"></div>
<script src="{{.Bundle}}"></script>
<script src="{{.Init}}"></script>
</body>
</html>
`))
