package httpapi

import (
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// queryParams is, for each route ("GET /api/v1/clauses/:cid"), the query
// parameters its operation declares in api/openapi.yaml. The contract is the
// one place that says which parameters a route takes: checkParams refuses
// any other with 422 request.unknown_parameter.
type queryParams map[string]map[string]bool

// queryParamsOf reads the declared query parameters of every operation of
// the OpenAPI document (path-level and operation-level parameters, $refs
// resolved). A nil result (no document) checks no names.
func queryParamsOf(spec []byte) (queryParams, error) {
	if len(spec) == 0 {
		return nil, nil
	}
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("query parameters: load OpenAPI document: %w", err)
	}
	out := queryParams{}
	for path, item := range doc.Paths.Map() {
		route := ginTemplate(path)
		for method, op := range item.Operations() {
			names := map[string]bool{}
			for _, ps := range []openapi3.Parameters{item.Parameters, op.Parameters} {
				for _, p := range ps {
					if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
						names[p.Value.Name] = true
					}
				}
			}
			out[strings.ToUpper(method)+" "+route] = names
		}
	}
	return out, nil
}

// ginTemplate turns an OpenAPI path template into Gin's ("/clauses/{cid}"
// → "/clauses/:cid").
func ginTemplate(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = ":" + s[1:len(s)-1]
		}
	}
	return strings.Join(segs, "/")
}

// unknownQuery names, in name order, the query parameters the route does
// not declare.
func (q queryParams) unknownQuery(method, route string, names []string) []drafting.FieldError {
	if q == nil {
		return nil
	}
	declared := q[method+" "+route]
	sort.Strings(names)
	var out []drafting.FieldError
	for _, n := range names {
		if !declared[n] {
			out = append(out, drafting.FieldError{Field: n, Message: "not a query parameter of this operation"})
		}
	}
	return out
}
