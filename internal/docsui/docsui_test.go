package docsui

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestVendoredIsPinned: the embedded Swagger UI is the release that
// package.json and package-lock.json pin, so changing the pin without
// running vendor.sh (or editing the copied files by hand) fails.
func TestVendoredIsPinned(t *testing.T) {
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	for file, v := range map[string]any{"package.json": &pkg, "package-lock.json": &lock} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	pinned := pkg.Dependencies["swagger-ui-dist"]
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(pinned) {
		t.Fatalf("package.json pins swagger-ui-dist %q, want an exact version", pinned)
	}
	if locked := lock.Packages["node_modules/swagger-ui-dist"].Version; locked != pinned {
		t.Fatalf("package-lock.json has swagger-ui-dist %q, package.json %q", locked, pinned)
	}
	bundle, err := files.ReadFile("swagger-ui/swagger-ui-bundle.js")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(bundle), `PACKAGE_VERSION:"`+pinned+`"`) {
		t.Fatalf("the embedded bundle is not swagger-ui-dist %s; run vendor.sh", pinned)
	}
}

// TestPage: the page names every asset by its hashed name, and only those
// names are served.
func TestPage(t *testing.T) {
	page := string(Page(`A <b> "title"`, "/p/"))
	if !strings.Contains(page, "<title>A &lt;b&gt; &#34;title&#34;</title>") {
		t.Errorf("title not escaped:\n%s", page)
	}
	refs := regexp.MustCompile(`(?:src|href)="/p/([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) != 4 {
		t.Fatalf("page names %d assets, want 4:\n%s", len(refs), page)
	}
	for _, m := range refs {
		a, ok := Lookup(m[1])
		if !ok || len(a.Body) == 0 || a.ContentType == "" {
			t.Errorf("asset %s: found %v", m[1], ok)
		}
	}
	for _, name := range []string{"docs.js", "swagger-ui.css", "swagger-ui-bundle.js", ""} {
		if _, ok := Lookup(name); ok {
			t.Errorf("Lookup(%q) found an asset; only hashed names are served", name)
		}
	}
}
