package httpapi_test

import (
	"encoding/json"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// undeclaredFields lists the properties of a JSON response that its schema
// in api/openapi.yaml does not declare. kin-openapi lets an object carry any
// property unless its schema says additionalProperties: false, so an
// undocumented field (a typed client never sees it) would pass validation:
// this walk treats an object schema without additionalProperties as
// closed. Maps (additionalProperties: a schema or true) stay open.
func undeclaredFields(route *routers.Route, status int, contentType string, body []byte) []string {
	if route == nil || route.Operation == nil || !strings.Contains(contentType, "json") || len(body) == 0 {
		return nil
	}
	resp := route.Operation.Responses.Status(status)
	if resp == nil {
		resp = route.Operation.Responses.Default()
	}
	if resp == nil || resp.Value == nil {
		return nil
	}
	mt := resp.Value.Content.Get(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	if mt == nil || mt.Schema == nil {
		return nil
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	out := undeclaredIn(mt.Schema.Value, v, "")
	sort.Strings(out)
	return out
}

func undeclaredIn(s *openapi3.Schema, v any, at string) []string {
	if s == nil || v == nil {
		return nil
	}
	if len(s.OneOf) > 0 || len(s.AnyOf) > 0 {
		return undeclaredInUnion(s, v, at)
	}
	switch x := v.(type) {
	case map[string]any:
		props, open, extra := objectShape(s)
		var out []string
		for k, val := range x {
			if ps, ok := props[k]; ok {
				p := ps[0]
				if len(ps) > 1 { // declared by several allOf members: all of them hold
					p = &openapi3.Schema{}
					for _, d := range ps {
						p.AllOf = append(p.AllOf, &openapi3.SchemaRef{Value: d})
					}
				}
				out = append(out, undeclaredIn(p, val, at+"."+k)...)
				continue
			}
			switch {
			case extra != nil:
				out = append(out, undeclaredIn(extra, val, at+"."+k)...)
			case !open:
				out = append(out, at+"."+k)
			}
		}
		return out
	case []any:
		items := s.Items
		if items == nil {
			for _, a := range s.AllOf {
				if a.Value != nil && a.Value.Items != nil {
					items = a.Value.Items
				}
			}
		}
		if items == nil {
			return nil
		}
		var out []string
		for i, it := range x {
			out = append(out, undeclaredIn(items.Value, it, at+"["+strconv.Itoa(i)+"]")...)
		}
		return out
	}
	return nil
}

// objectShape gathers the declared properties of an object schema and its
// allOf members; open says additionalProperties: true, extra is the schema
// of a map's values.
func objectShape(s *openapi3.Schema) (props map[string][]*openapi3.Schema, open bool, extra *openapi3.Schema) {
	props = map[string][]*openapi3.Schema{}
	var walk func(s *openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		if s == nil {
			return
		}
		for k, p := range s.Properties {
			// A specific declaration wins over a bare "any object" one
			// (Problem.data.current, typed per response).
			switch {
			case len(props[k]) == 1 && anyObject(props[k][0]):
				props[k] = []*openapi3.Schema{p.Value}
			case len(props[k]) > 0 && anyObject(p.Value):
			default:
				props[k] = append(props[k], p.Value)
			}
		}
		if ap := s.AdditionalProperties; ap.Schema != nil {
			extra = ap.Schema.Value
		} else if ap.Has != nil && *ap.Has {
			open = true
		}
		for _, a := range s.AllOf {
			walk(a.Value)
		}
		if len(s.Properties) == 0 && len(s.AllOf) == 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil &&
			(s.Type == nil || !s.Type.Is("object")) {
			open = true // a schema that says nothing of the value's shape
		}
	}
	walk(s)
	return props, open, extra
}

// undeclaredInUnion checks a oneOf/anyOf value against the member the
// discriminator names, or else the member that declares most of it.
func undeclaredInUnion(s *openapi3.Schema, v any, at string) []string {
	members := append(append(openapi3.SchemaRefs{}, s.OneOf...), s.AnyOf...)
	if d := s.Discriminator; d != nil {
		if m, ok := v.(map[string]any); ok {
			if tag, ok := m[d.PropertyName].(string); ok {
				if ref, ok := d.Mapping[tag]; ok {
					for _, mem := range members {
						if mem.Ref == ref.Ref {
							return undeclaredIn(mem.Value, v, at)
						}
					}
				}
			}
		}
	}
	var best []string
	for i, mem := range members {
		u := undeclaredIn(mem.Value, v, at)
		if i == 0 || len(u) < len(best) {
			best = u
		}
	}
	return best
}

// TestUndeclaredFieldsAreCaught: the walk every response of the suite goes
// through finds a property no schema declares — at the top, in a nested
// object, in an array item, in an event's data — and leaves maps alone.
func TestUndeclaredFieldsAreCaught(t *testing.T) {
	_, router := contract(t)
	find := func(method, path string) *routers.Route {
		r, _, err := router.FindRoute(httptest.NewRequest(method, path, nil))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	events := find("GET", "/api/v1/guidelines/g/events")
	ev := `{"id":1,"type":"position.recorded","guideline_id":"g","actor_id":null,"subject_id":"c","created_at":"2026-01-01T00:00:00Z",
		"data":{"clause_id":"c","country":"CR","stance":"agree","version":1%s}}`
	for _, c := range []struct {
		body string
		want []string
	}{
		{`{"items":[` + strings.Replace(ev, "%s", "", 1) + `],"next_cursor":null,"last_id":1}`, nil},
		{`{"items":[],"next_cursor":null,"last_id":1,"extra":true}`, []string{".extra"}},
		{`{"items":[` + strings.Replace(ev, "%s", `,"body":"x"`, 1) + `],"next_cursor":null,"last_id":1}`, []string{".items[0].data.body"}},
	} {
		if got := undeclaredFields(events, 200, "application/json", []byte(c.body)); strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: undeclared = %v, want %v", c.body, got, c.want)
		}
	}
	clause := find("PUT", "/api/v1/clauses/c/text")
	problem := `{"type":"t","title":"t","status":412,"detail":"d","code":"clause.version_stale","request_id":"r","data":%s}`
	for body, want := range map[string]string{
		`{"current":{"id":"c","text":{"en":"x"}}}`: "",
		`{"current":{"id":"c"},"hint":1}`:          ".data.hint",
		`{"current":{"id":"c","secret":1}}`:        ".data.current.secret",
	} {
		got := undeclaredFields(clause, 412, "application/problem+json", []byte(strings.Replace(problem, "%s", body, 1)))
		if strings.Join(got, ",") != want {
			t.Errorf("%s: undeclared = %v, want %q", body, got, want)
		}
	}
}

// anyObject says a schema declares an object of any properties.
func anyObject(s *openapi3.Schema) bool {
	return s != nil && len(s.Properties) == 0 && len(s.AllOf) == 0 && s.AdditionalProperties.Schema == nil &&
		s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has
}
