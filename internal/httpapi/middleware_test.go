package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// doFrom is e.do from another client address (httptest uses 192.0.2.1).
func (e *env) doFrom(remoteAddr string, r req) *resp {
	e.t.Helper()
	body, err := json.Marshal(r.body)
	if err != nil {
		e.t.Fatal(err)
	}
	hr := httptest.NewRequest(r.method, r.path, bytes.NewReader(body))
	hr.RemoteAddr = remoteAddr
	hr.Header.Set("Content-Type", "application/json")
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, hr)
	e.validate(hr, body, rec)
	return &resp{ResponseRecorder: rec, t: e.t}
}

// serveRaw sends a request the contract does not describe (CORS preflight)
// through the real router, without contract validation.
func (e *env) serveRaw(hr *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, hr)
	return rec
}

func TestRequestBody(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	login := func(raw []byte, header map[string]string) *resp {
		return e.do(req{method: "POST", path: "/api/v1/auth/login", raw: raw, header: header})
	}
	t.Run("malformed_json_is_400", func(t *testing.T) {
		login([]byte(`{"email": "admin@example.org", "password":`), nil).wantProblem(400, "request.malformed")
	})
	t.Run("two_json_values_are_400", func(t *testing.T) {
		login([]byte(`{"email": "a@example.org", "password": "x"} {}`), nil).wantProblem(400, "request.malformed")
	})
	t.Run("unknown_field_is_422", func(t *testing.T) {
		r := login([]byte(`{"email": "a@example.org", "password": "x", "remember_me": true}`), nil).
			wantProblem(422, "request.unknown_field")
		checkFieldErrors(t, r, "remember_me")
	})
	t.Run("wrong_type_is_422", func(t *testing.T) {
		r := login([]byte(`{"email": 42, "password": "x"}`), nil).wantProblem(422, "request.invalid_type")
		checkFieldErrors(t, r, "email")
	})
	t.Run("wrong_content_type_is_415", func(t *testing.T) {
		body := []byte(`{"email": "admin@example.org", "password": "correct horse battery staple"}`)
		login(body, map[string]string{"Content-Type": "text/plain"}).wantProblem(415, "request.unsupported_media_type")
		login(body, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}).wantProblem(415, "request.unsupported_media_type")
		login(body, map[string]string{"Content-Type": ""}).wantProblem(415, "request.unsupported_media_type")
		login(body, map[string]string{"Content-Type": "application/json; charset=utf-8"}).want(200)
	})
	t.Run("oversized_body_is_413", func(t *testing.T) {
		big := `{"email": "admin@example.org", "password": "` + strings.Repeat("x", 1<<20) + `"}`
		login([]byte(big), nil).wantProblem(413, "request.too_large")
		e.do(req{method: "POST", path: "/api/v1/users", token: admin.Token, raw: []byte(big)}).wantProblem(413, "request.too_large")
	})
	t.Run("missing_required_fields_are_422", func(t *testing.T) {
		r := login([]byte(`{}`), nil).wantProblem(422, "auth.invalid_request")
		checkFieldErrors(t, r, "email", "password")
	})
}

// checkFieldErrors fails unless a 422 problem names exactly fields.
func checkFieldErrors(t *testing.T, r *resp, fields ...string) {
	t.Helper()
	var p struct {
		Errors []drafting.FieldError `json:"errors"`
	}
	r.Decode(&p)
	var got []string
	for _, f := range p.Errors {
		got = append(got, f.Field)
	}
	if strings.Join(got, ",") != strings.Join(fields, ",") {
		t.Fatalf("errors name %v, want %v; body: %s", got, fields, r.Body)
	}
}

func TestLoginRateLimit(t *testing.T) {
	t.Run("sixth_failure_for_an_account_is_429", func(t *testing.T) {
		e := newEnv(t)
		admin := e.mustAdmin()
		d := e.mustUser(admin, drafting.RoleDelegate, "PA", false)
		for i := 0; i < 5; i++ {
			e.login(d.Email, "a wrong password "+strconv.Itoa(i)).wantProblem(401, "auth.invalid_credentials")
		}
		r := e.login(d.Email, d.Password).wantProblem(429, "auth.rate_limited") // even the right password waits
		wait, err := strconv.Atoi(r.Header().Get("Retry-After"))
		if err != nil || wait < 1 || wait > 60 {
			t.Fatalf("Retry-After = %q", r.Header().Get("Retry-After"))
		}
		e.login(admin.Email, admin.Password).want(200) // other accounts are unaffected
		e.clock.Advance(time.Duration(wait-1) * time.Second)
		e.login(d.Email, d.Password).wantProblem(429, "auth.rate_limited")
		e.clock.Advance(time.Second)
		e.login(d.Email, d.Password).want(200)
	})
	t.Run("unknown_accounts_are_limited_alike", func(t *testing.T) {
		e := newEnv(t)
		for i := 0; i < 5; i++ {
			e.login("nobody@example.org", "a wrong password").wantProblem(401, "auth.invalid_credentials")
		}
		e.login("nobody@example.org", "a wrong password").wantProblem(429, "auth.rate_limited")
	})
	t.Run("many_accounts_from_one_address_are_429", func(t *testing.T) {
		e := newEnv(t)
		admin := e.mustAdmin()
		var users []account
		for i := 0; i < 20; i++ {
			users = append(users, e.mustUser(admin, drafting.RoleObserver, "", false))
		}
		for _, u := range users { // one failure each: no account limit is reached
			e.login(u.Email, "a wrong password").wantProblem(401, "auth.invalid_credentials")
		}
		r := e.login(admin.Email, admin.Password).wantProblem(429, "auth.rate_limited")
		wait, err := strconv.Atoi(r.Header().Get("Retry-After"))
		if err != nil || wait < 1 {
			t.Fatalf("Retry-After = %q", r.Header().Get("Retry-After"))
		}
		// X-Forwarded-For from an untrusted client changes nothing.
		spoofed := req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": admin.Email, "password": admin.Password},
			header: map[string]string{"X-Forwarded-For": "203.0.113.9", "X-Real-Ip": "203.0.113.9"}}
		e.do(spoofed).wantProblem(429, "auth.rate_limited")
		// Another address is not blocked.
		e.doFrom("198.51.100.7:4242", req{method: "POST", path: "/api/v1/auth/login",
			body: map[string]string{"email": users[0].Email, "password": users[0].Password}}).want(200)
		e.clock.Advance(time.Duration(wait) * time.Second)
		e.login(admin.Email, admin.Password).want(200)
	})
}

var generatedID = regexp.MustCompile(`^[0-9a-f]{24}$`)

func TestRequestID(t *testing.T) {
	e := newEnv(t)
	get := func(id string) string {
		r := e.do(req{method: "GET", path: "/healthz", header: map[string]string{"X-Request-Id": id}}).want(200)
		return r.Header().Get("X-Request-Id")
	}
	t.Run("short_plain_id_is_kept", func(t *testing.T) {
		if got := get("client-42.retry:1_a"); got != "client-42.retry:1_a" {
			t.Fatalf("X-Request-Id = %q", got)
		}
	})
	for name, id := range map[string]string{
		"long_id_is_replaced":       strings.Repeat("a", 65),
		"weird_id_is_replaced":      `abc"><script>alert(1)</script>`,
		"id_with_space_is_replaced": "two words",
		"missing_id_is_generated":   "",
	} {
		t.Run(name, func(t *testing.T) {
			if got := get(id); got == id || !generatedID.MatchString(got) {
				t.Fatalf("X-Request-Id = %q for %q", got, id)
			}
		})
	}
	t.Run("problem_carries_the_request_id", func(t *testing.T) {
		r := e.do(req{method: "GET", path: "/api/v1/me", header: map[string]string{"X-Request-Id": "trace-7"}}).
			wantProblem(401, "auth.token_missing")
		if got := r.JSON()["request_id"]; got != "trace-7" {
			t.Fatalf("request_id = %v", got)
		}
	})
}

func TestCORS(t *testing.T) {
	e := newEnv(t)
	const allowed = "https://delegates.example.org"
	preflight := func(origin string) *httptest.ResponseRecorder {
		hr := httptest.NewRequest("OPTIONS", "/api/v1/me", nil)
		hr.Header.Set("Origin", origin)
		hr.Header.Set("Access-Control-Request-Method", "GET")
		hr.Header.Set("Access-Control-Request-Headers", "authorization")
		return e.serveRaw(hr)
	}
	t.Run("preflight_from_allowed_origin", func(t *testing.T) {
		r := preflight(allowed)
		if r.Code != 204 || r.Header().Get("Access-Control-Allow-Origin") != allowed {
			t.Fatalf("status %d, headers %v", r.Code, r.Header())
		}
		if !strings.Contains(r.Header().Get("Access-Control-Allow-Headers"), "Authorization") {
			t.Fatalf("Access-Control-Allow-Headers = %q", r.Header().Get("Access-Control-Allow-Headers"))
		}
	})
	t.Run("preflight_from_other_origin", func(t *testing.T) {
		r := preflight("https://evil.example.com")
		if got := r.Header().Get("Access-Control-Allow-Origin"); got != "" {
			t.Fatalf("Access-Control-Allow-Origin = %q", got)
		}
		if r.Code != 403 || !strings.HasPrefix(r.Header().Get("Content-Type"), "application/problem+json") {
			t.Fatalf("status %d, Content-Type %q: a refusal must be a problem", r.Code, r.Header().Get("Content-Type"))
		}
	})
	t.Run("request_from_allowed_origin", func(t *testing.T) {
		r := e.do(req{method: "GET", path: "/healthz", header: map[string]string{"Origin": allowed}}).want(200)
		if r.Header().Get("Access-Control-Allow-Origin") != allowed || !strings.Contains(r.Header().Get("Access-Control-Expose-Headers"), "X-Request-Id") {
			t.Fatalf("headers %v", r.Header())
		}
	})
	t.Run("request_from_other_origin", func(t *testing.T) {
		r := e.do(req{method: "GET", path: "/healthz", header: map[string]string{"Origin": "https://evil.example.com"}}).want(200)
		if got := r.Header().Get("Access-Control-Allow-Origin"); got != "" {
			t.Fatalf("Access-Control-Allow-Origin = %q", got)
		}
	})
}

// TestMetricsLabelsBounded: a client can send any token as an HTTP method;
// the request metrics count those as "other", so no client can add series
// to /metrics (each kept until the process ends). Known methods keep their
// name, and requests are counted per route template.
func TestMetricsLabelsBounded(t *testing.T) {
	e := newEnv(t)
	for i := range 20 {
		e.do(req{method: fmt.Sprintf("PROBE%d", i), path: "/api/v1/guidelines"}).wantProblem(404, "route.not_found")
	}
	e.do(req{method: "GET", path: "/healthz"}).want(200)
	e.do(req{method: "GET", path: "/healthz"}).want(200)
	body := e.raw("GET", "/metrics", nil).want(200).Body.String()
	if strings.Contains(body, "PROBE") {
		t.Fatal("a client's method names a series of /metrics")
	}
	for _, want := range []string{
		`consenso_http_requests_total{method="other",route="unmatched",status="404"} 20`,
		`consenso_http_requests_total{method="GET",route="/healthz",status="200"} 2`,
		`consenso_http_request_duration_seconds_count{method="other",route="unmatched"} 20`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics has no line %s", want)
		}
	}
}
