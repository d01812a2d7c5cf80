package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/rcm-iom/consenso/api"
	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/events"
	"github.com/rcm-iom/consenso/internal/httpapi"
	"github.com/rcm-iom/consenso/internal/service"
	"github.com/rcm-iom/consenso/internal/store"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// testKey signs access tokens in tests.
var testKey = []byte("0123456789abcdef0123456789abcdef-test-key")

var (
	specOnce   sync.Once
	specDoc    *openapi3.T
	specRouter routers.Router
	specErr    error
)

// contract loads api/openapi.yaml once and checks it is a valid OpenAPI document.
func contract(t testing.TB) (*openapi3.T, routers.Router) {
	t.Helper()
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		specDoc, specErr = loader.LoadFromData(api.OpenAPI)
		if specErr != nil {
			return
		}
		if specErr = specDoc.Validate(context.Background()); specErr != nil {
			return
		}
		// Validate paths only, whatever host the test server has.
		specDoc.Servers = nil
		specRouter, specErr = gorillamux.NewRouter(specDoc)
		for _, ct := range []string{"text/markdown", "text/html", "application/akn+xml", "application/yaml", "text/event-stream", "text/csv"} {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
		}
	})
	if specErr != nil {
		t.Fatalf("api/openapi.yaml: %v", specErr)
	}
	return specDoc, specRouter
}

// env is one server on a fresh database, driven through the real router.
type env struct {
	t      testing.TB
	store  *store.Store
	svc    *service.Service
	srv    *httpapi.Server
	clock  *clocktest.Clock
	tokens *auth.Tokens
	hub    *events.Hub
	seq    atomic.Int64
}

// testMinSilence is the shortest silence procedure in tests: an hour, so a
// test need not move its clock a day on for a deadline to pass. The
// deployment default (24 h) is tested by passing an option to newEnv
// (TestMinimumSilence).
const testMinSilence = time.Hour

// newEnv starts a server on a fresh database; opts adjust the service's
// configuration.
func newEnv(t testing.TB, opts ...func(*service.Config)) *env {
	t.Helper()
	contract(t)
	clk := clocktest.New()
	st := storetest.MustOpen(t, clk.Now)
	tokens, err := auth.NewTokens(testKey, 15*time.Minute, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	cfg := service.Config{Store: st, Tokens: tokens, Now: clk.Now, Argon2: auth.FastArgon2, MinSilence: testMinSilence}
	for _, o := range opts {
		o(&cfg)
	}
	svc := service.New(cfg)
	hub := events.NewHub(5)
	svc.SetPublisher(hub)
	srv, err := httpapi.New(httpapi.Config{Service: svc, Spec: api.OpenAPI, BodyLimit: 1 << 20,
		CORSOrigins: []string{"https://delegates.example.org"}, Hub: hub})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, store: st, svc: svc, srv: srv, clock: clk, tokens: tokens, hub: hub}
}

// resp is a response a test received, already checked against the contract.
type resp struct {
	*httptest.ResponseRecorder
	t testing.TB
}

// JSON decodes the body into a generic value.
func (r *resp) JSON() map[string]any {
	r.t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.Body.Bytes(), &v); err != nil {
		r.t.Fatalf("response is not a JSON object: %v\n%s", err, r.Body.String())
	}
	return v
}

// Decode decodes the body into v.
func (r *resp) Decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body.Bytes(), v); err != nil {
		r.t.Fatalf("decode response: %v\n%s", err, r.Body.String())
	}
}

// want fails the test unless the status is code.
func (r *resp) want(code int) *resp {
	r.t.Helper()
	if r.Code != code {
		r.t.Fatalf("status = %d, want %d; body: %s", r.Code, code, r.Body.String())
	}
	return r
}

// wantProblem checks status and stable error code of a problem response.
func (r *resp) wantProblem(code int, errCode string) *resp {
	r.t.Helper()
	r.want(code)
	if ct := r.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		r.t.Fatalf("Content-Type = %q, want application/problem+json", ct)
	}
	if errCode != "" {
		if got := r.JSON()["code"]; got != errCode {
			r.t.Fatalf("problem code = %v, want %s; body: %s", got, errCode, r.Body.String())
		}
	}
	return r
}

// req describes one request.
type req struct {
	method, path string
	body         any               // marshalled as JSON unless raw is set
	raw          []byte            // sent as is
	token        string            // bearer token
	header       map[string]string // extra headers
}

// do sends a request through the real router and validates request and
// response against api/openapi.yaml: the response must be documented with
// its status and match its schema; a request the contract calls invalid
// must not succeed.
func (e *env) do(r req) *resp {
	e.t.Helper()
	var body []byte
	switch {
	case r.raw != nil:
		body = r.raw
	case r.body != nil:
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			e.t.Fatal(err)
		}
	}
	hr := httptest.NewRequest(r.method, r.path, bytes.NewReader(body))
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		if v == "" {
			hr.Header.Del(k)
		} else {
			hr.Header.Set(k, v)
		}
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, hr)
	e.validate(hr, body, rec)
	return &resp{ResponseRecorder: rec, t: e.t}
}

func (e *env) validate(hr *http.Request, body []byte, rec *httptest.ResponseRecorder) {
	e.t.Helper()
	_, router := contract(e.t)
	vr := hr.Clone(context.Background())
	vr.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := router.FindRoute(vr)
	if err != nil {
		if rec.Code != http.StatusNotFound {
			e.t.Fatalf("%s %s: not in api/openapi.yaml (%v) but answered %d", hr.Method, hr.URL.Path, err, rec.Code)
		}
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: vr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: bearerPresent, MultiError: false}}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	if reqErr != nil && rec.Code < 400 {
		e.t.Fatalf("%s %s answered %d, but the contract calls the request invalid: %v", hr.Method, hr.URL.Path, rec.Code, reqErr)
	}
	respBody := rec.Body.Bytes()
	if rec.Header().Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(respBody))
		if err != nil {
			e.t.Fatalf("%s %s: Content-Encoding gzip but the body is not: %v", hr.Method, hr.URL.Path, err)
		}
		if respBody, err = io.ReadAll(zr); err != nil {
			e.t.Fatalf("%s %s: bad gzip body: %v", hr.Method, hr.URL.Path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
		Body:    io.NopCloser(bytes.NewReader(respBody)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		e.t.Fatalf("%s %s → %d does not match api/openapi.yaml: %v\nbody: %s", hr.Method, hr.URL.Path, rec.Code, err, truncate(rec.Body.String()))
	}
	// ValidateResponse passes 304 and redirects whatever the contract says.
	if rec.Code >= 300 && rec.Code < 400 && route.Operation.Responses.Status(rec.Code) == nil {
		e.t.Fatalf("%s %s → %d, a status api/openapi.yaml does not list for this operation", hr.Method, hr.URL.Path, rec.Code)
	}
	if u := undeclaredFields(route, rec.Code, rec.Header().Get("Content-Type"), respBody); len(u) > 0 {
		e.t.Fatalf("%s %s → %d carries fields api/openapi.yaml does not declare: %v", hr.Method, hr.URL.Path, rec.Code, u)
	}
	if rec.Header().Get("X-Request-Id") == "" {
		e.t.Fatalf("%s %s: no X-Request-Id", hr.Method, hr.URL.Path)
	}
}

func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if !strings.HasPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
		return fmt.Errorf("no bearer token")
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// account is a user created for a test, with a signed-in access token.
type account struct {
	ID, Email, Password, Token, Refresh string
	Role                                drafting.Role
	Country                             string
}

// mustAdmin creates the first admin directly through the service.
func (e *env) mustAdmin() account {
	e.t.Helper()
	u, _, _, err := e.svc.BootstrapAdmin(context.Background(), "admin@example.org", "correct horse battery staple")
	if err != nil {
		e.t.Fatal(err)
	}
	return e.mustLogin(account{ID: u.ID, Email: u.Email, Password: "correct horse battery staple", Role: drafting.RoleAdmin})
}

func (e *env) mustLogin(a account) account {
	e.t.Helper()
	r := e.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": a.Email, "password": a.Password}}).want(200)
	var tp struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	r.Decode(&tp)
	a.Token, a.Refresh = tp.AccessToken, tp.RefreshToken
	return a
}

// mustUser creates an account with the admin's token and signs it in.
func (e *env) mustUser(admin account, role drafting.Role, country string, head bool) account {
	e.t.Helper()
	n := e.seq.Add(1)
	a := account{Email: fmt.Sprintf("%s%d-%s@example.org", role, n, strings.ToLower(country)), Password: "a long enough password", Role: role, Country: country}
	body := map[string]any{"email": a.Email, "name": fmt.Sprintf("Test %s %d", role, n), "password": a.Password, "role": role}
	if country != "" {
		body["country"] = country
	}
	if head {
		body["head_of_delegation"] = true
	}
	r := e.do(req{method: "POST", path: "/api/v1/users", body: body, token: admin.Token}).want(201)
	a.ID = r.JSON()["id"].(string)
	return e.mustLogin(a)
}

// titled is a title (guideline or section) saying s in each language
// (en and es when none is given): requests give a title in every language
// of the guideline.
func titled(s string, languages ...string) map[string]string {
	if len(languages) == 0 {
		languages = []string{"en", "es"}
	}
	t := make(map[string]string, len(languages))
	for _, l := range languages {
		t[l] = s
	}
	return t
}
