package httpapi

import (
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/rcm-iom/consenso/api"
)

func TestDocsPage(t *testing.T) {
	page, err := docsPage(api.OpenAPI)
	if err != nil {
		t.Fatalf("docsPage: %v", err)
	}
	html := string(page)
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatalf("load api/openapi.yaml: %v", err)
	}

	t.Run("names_every_path_and_schema", func(t *testing.T) {
		for _, path := range doc.Paths.InMatchingOrder() {
			if !strings.Contains(html, ">"+path+"<") {
				t.Errorf("page lacks path %s", path)
			}
		}
		for name := range doc.Components.Schemas {
			if !strings.Contains(html, `id="schema-`+docsAnchor(name)+`"`) {
				t.Errorf("page lacks schema %s", name)
			}
		}
		if !strings.Contains(html, "<title>"+doc.Info.Title) {
			t.Errorf("page lacks the title %q", doc.Info.Title)
		}
	})

	t.Run("is_self_contained", func(t *testing.T) {
		lower := strings.ToLower(html)
		for _, banned := range []string{"<script", "src=", `href="http`, "href='http", "@import", "url("} {
			if strings.Contains(lower, banned) {
				t.Errorf("page contains %q; it must load nothing and run nothing", banned)
			}
		}
	})

	t.Run("is_deterministic", func(t *testing.T) {
		again, err := docsPage(api.OpenAPI)
		if err != nil {
			t.Fatal(err)
		}
		if string(again) != html {
			t.Error("two renderings of the same document differ")
		}
	})
}

func TestDocsPageEscapes(t *testing.T) {
	spec := []byte(`openapi: 3.0.3
info: {title: "<b>T</b>", version: "1", description: "a <script>x</script> and ` + "`<i>`" + `"}
paths:
  /x:
    get:
      summary: "<img src=x>"
      responses: {"200": {description: ok}}
`)
	page, err := docsPage(spec)
	if err != nil {
		t.Fatalf("docsPage: %v", err)
	}
	for _, raw := range []string{"<b>T</b>", "<script>", "<img", "<i>"} {
		if strings.Contains(string(page), raw) {
			t.Errorf("page contains unescaped %q", raw)
		}
	}
}

func TestDocsMarkdown(t *testing.T) {
	tests := []struct{ in, want string }{
		{"one\ntwo", "<p>one two</p>"},
		{"a `b<c>` d", "<p>a <code>b&lt;c&gt;</code> d</p>"},
		{"odd ` tick", "<p>odd ` tick</p>"},
		{"intro\n\n- x\n- y\n  more", "<p>intro</p><ul><li>x</li><li>y more</li></ul>"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := string(docsMarkdown(tc.in)); got != tc.want {
			t.Errorf("docsMarkdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
