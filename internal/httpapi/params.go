package httpapi

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// checkParams refuses malformed path parameters and query values before any
// handler runs, so no malformed value reaches a query (a NUL in an id is a
// 500 on PostgreSQL otherwise). It is one middleware for every route, keyed
// on parameter names:
//
//   - an id or a country code that cannot be one names nothing: 404 with
//     the code an unknown one gets (clause.not_found, …);
//   - a number in the path (version, draft) that is not one: 422
//     request.invalid_parameter, as the handlers answer for 0;
//   - a query parameter the route's operation does not declare in
//     api/openapi.yaml (the one list of each route's parameters, read at
//     start-up: queryParamsOf): 422 request.unknown_parameter naming each;
//   - a query value of the wrong shape: 422 naming the parameter
//     (page.invalid_cursor, page.invalid_limit, request.invalid_parameter).
//
// The handlers and the service still check meaning (ranges, enums, who
// may see what). A new path parameter gets the generic rule (plain text,
// bounded, 404 otherwise); a new query parameter that reaches a query must
// be added to queryRules.
func (s *Server) checkParams(c *gin.Context) {
	if c.FullPath() == "" {
		c.Next() // no route: 404 whatever the parameters
		return
	}
	for _, p := range c.Params {
		if err := checkPathParam(c.FullPath(), p.Key, p.Value); err != nil {
			s.fail(c, err)
			return
		}
	}
	if c.Request.URL.RawQuery != "" {
		q, _ := url.ParseQuery(c.Request.URL.RawQuery) // what c.Query reads, malformed pairs dropped
		names := make([]string, 0, len(q))
		for name := range q {
			names = append(names, name)
		}
		if unknown := s.queryParams.unknownQuery(c.Request.Method, c.FullPath(), names); len(unknown) > 0 {
			s.fail(c, drafting.Invalid("request.unknown_parameter", unknown...))
			return
		}
		for name, values := range q {
			rule, ok := queryRules[name]
			if !ok {
				continue // declared, and read as free text
			}
			for _, v := range values {
				if v == "" {
					continue // as if absent, which is how the handlers read it
				}
				if !rule.ok(v) {
					s.fail(c, drafting.Invalid(rule.code, drafting.FieldError{Field: name, Message: rule.message}))
					return
				}
			}
		}
	}
	c.Next()
}

// pathKinds says what each path parameter holds.
var pathKinds = map[string]string{
	"gid": "id", "cid": "id", "sid": "id", "id": "id", "uid": "id", "iid": "id", "wid": "id", "nid": "id",
	"country": "country", "code": "country",
	"n": "number", "version": "number",
}

// objectOf names what a path segment's parameter identifies, for the
// not-found code ("/clauses/:cid" → clause.not_found).
var objectOf = map[string]string{
	"guidelines": "guideline", "clauses": "clause", "sections": "section", "comments": "comment",
	"users": "user", "integrations": "integration", "webhooks": "webhook", "countries": "country",
	"positions": "country", "inputs": "input", "drafts": "draft", "versions": "version", "approved": "version",
}

const maxPathParam = 200

func checkPathParam(route, name, value string) error {
	switch pathKinds[name] {
	case "id":
		if drafting.ValidID(value) {
			return nil
		}
	case "country":
		if drafting.ValidCountryCode(value) {
			return nil
		}
	case "number":
		_, err := intParam(name, value, true)
		return err
	default:
		if value != "" && len(value) <= maxPathParam && drafting.TextProblem(value) == "" {
			return nil
		}
	}
	return notFoundParam(route, name)
}

// notFoundParam is the 404 a malformed path parameter gets: the same as an
// unknown one of the right shape.
func notFoundParam(route, name string) error {
	segs := strings.Split(route, "/")
	for i := 1; i < len(segs); i++ {
		if segs[i] == ":"+name {
			if what, ok := objectOf[segs[i-1]]; ok {
				return drafting.NotFound(what)
			}
		}
	}
	return errNotFoundRoute
}

type queryRule struct {
	pattern *regexp.Regexp
	code    string
	message string
}

func (r queryRule) ok(v string) bool { return r.pattern.MatchString(v) }

var (
	wholeNumber = queryRule{regexp.MustCompile(`^[0-9]{1,18}$`), "request.invalid_parameter", "must be a whole number"}
	word        = queryRule{regexp.MustCompile(`^[A-Za-z0-9_]{1,32}$`), "request.invalid_parameter", "not one of the values this parameter takes"}
)

// queryRules are the shapes of the query parameters the API reads.
var queryRules = map[string]queryRule{
	"cursor":     {regexp.MustCompile(`^[A-Za-z0-9_-]{1,1000}$`), "page.invalid_cursor", "not a cursor this API returned"},
	"limit":      {regexp.MustCompile(`^[0-9]{1,4}$`), "page.invalid_limit", "must be a whole number from 1 to 200"},
	"section_id": {regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`), "request.invalid_parameter", "not a section id"},

	"after": wholeNumber, "from": wholeNumber, "to": wholeNumber, "against": wholeNumber,
	"version": wholeNumber,
	// An event id is an int64 (19 digits), as the Last-Event-ID header takes it.
	"last_event_id": {regexp.MustCompile(`^[0-9]{1,19}$`), "request.invalid_parameter", "must be a whole number"},

	"country": word, "status": word, "kind": word, "area": word, "unaddressed": word, "format": word, "include_inactive": word,

	"lang":           {regexp.MustCompile(`^(\*|[a-z]{2,8})$`), "request.invalid_parameter", "a language code such as en, or * for every language"},
	"needs_position": {regexp.MustCompile(`^[A-Za-z]{2}$`), "clause.invalid_filter", `a country code such as "CR"`},
	"parent_id":      {regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`), "request.invalid_parameter", "not a comment id"},
	"include":        {regexp.MustCompile(`^[a-z_]{1,32}(,[a-z_]{1,32}){0,7}$`), "request.invalid_parameter", "a comma-separated list of section, positions, comments, versions (or diff on a comment)"},
}
