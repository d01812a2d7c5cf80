package httpapi_test

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
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

// operationsLacking lists, sorted ("GET /path"), the contract's operations
// for which lacks says the contract leaves something out.
func operationsLacking(t *testing.T, lacks func(item *openapi3.PathItem, method string, op *openapi3.Operation) bool) []string {
	t.Helper()
	doc, _ := contract(t)
	var out []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if method = strings.ToUpper(method); lacks(item, method, op) {
				out = append(out, method+" "+path)
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestContractConditionalGets: the server answers 304 to a GET whose answer
// carries an ETag the client sent in If-None-Match (revalidated), so the
// contract must say so wherever a GET's 200 declares an ETag: the 304 and
// the If-None-Match parameter, or a client never learns it can revalidate
// and a validator meets an undocumented status.
func TestContractConditionalGets(t *testing.T) {
	missing := operationsLacking(t, func(item *openapi3.PathItem, method string, op *openapi3.Operation) bool {
		ok := op.Responses.Status(200)
		if method != "GET" || ok == nil || ok.Value == nil || ok.Value.Headers["ETag"] == nil {
			return false
		}
		param := false
		for _, p := range append(item.Parameters, op.Parameters...) {
			param = param || (p.Value.In == "header" && p.Value.Name == "If-None-Match")
		}
		return op.Responses.Status(304) == nil || !param
	})
	if len(missing) > 0 {
		t.Errorf("GETs answering an ETag without a documented 304 and If-None-Match:\n  %s", strings.Join(missing, "\n  "))
	}
}

// TestContractIdempotentCreations: an operation that takes Idempotency-Key
// may answer 409 idempotency.busy (a retry while the first request holds
// the key), so its contract lists 409.
func TestContractIdempotentCreations(t *testing.T) {
	missing := operationsLacking(t, func(_ *openapi3.PathItem, _ string, op *openapi3.Operation) bool {
		for _, p := range op.Parameters {
			if p.Value.In == "header" && p.Value.Name == "Idempotency-Key" {
				return op.Responses.Status(409) == nil
			}
		}
		return false
	})
	if len(missing) > 0 {
		t.Errorf("operations taking Idempotency-Key without a 409:\n  %s", strings.Join(missing, "\n  "))
	}
}
