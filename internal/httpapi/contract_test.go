package httpapi_test

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

var ginParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// TestContractCoversRoutes fails when a route exists without a path in
// api/openapi.yaml, or the contract names an operation no route serves.
func TestContractCoversRoutes(t *testing.T) {
	e := newEnv(t)
	doc, _ := contract(t)
	served := map[string]bool{}
	for _, r := range e.srv.Routes() {
		served[r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	var missing, extra []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routes not in api/openapi.yaml:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(extra) > 0 {
		t.Errorf("api/openapi.yaml operations no route serves:\n  %s", strings.Join(extra, "\n  "))
	}
}
