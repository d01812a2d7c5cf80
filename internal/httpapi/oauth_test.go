package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// contractTransport serves a client's requests with the real router and
// validates each request and answer against the contract, as e.do does.
type contractTransport struct{ e *env }

func (tr contractTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
		r.Body.Close()
	}
	hr := httptest.NewRequest(r.Method, r.URL.RequestURI(), bytes.NewReader(body))
	hr.Header = r.Header.Clone()
	rec := httptest.NewRecorder()
	tr.e.srv.ServeHTTP(rec, hr)
	tr.e.validate(hr, body, rec)
	return rec.Result(), nil
}

// mustClient registers an integration and returns its credentials.
func (e *env) mustClient(admin account) (id, clientID, secret string) {
	e.t.Helper()
	r := e.do(req{method: "POST", path: "/api/v1/integrations", token: admin.Token, body: map[string]any{"name": "Referral system"}}).want(201).JSON()
	return r["id"].(string), r["client_id"].(string), r["client_secret"].(string)
}

// TestClientTokenStandardClient: golang.org/x/oauth2's client-credentials
// client gets a token in both of its styles — HTTP Basic and credentials
// in the form body — and the token works; a wrong secret is the RFC 6749
// error its caller can switch on.
func TestClientTokenStandardClient(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	_, clientID, secret := e.mustClient(admin)
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: contractTransport{e}})
	for _, style := range []struct {
		name  string
		style oauth2.AuthStyle
	}{{"basic", oauth2.AuthStyleInHeader}, {"params", oauth2.AuthStyleInParams}} {
		t.Run(style.name, func(t *testing.T) {
			cfg := clientcredentials.Config{ClientID: clientID, ClientSecret: secret,
				TokenURL: "http://consenso.test/api/v1/auth/token", AuthStyle: style.style}
			tok, err := cfg.Token(ctx)
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			if tok.TokenType != "Bearer" || tok.AccessToken == "" || tok.Expiry.IsZero() {
				t.Fatalf("token = %+v", tok)
			}
			me := e.do(req{method: "GET", path: "/api/v1/me", token: tok.AccessToken}).want(200).JSON()
			if me["role"] != "integration" {
				t.Fatalf("me = %v", me)
			}

			cfg.ClientSecret = secret + "-wrong"
			_, err = cfg.Token(ctx)
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != "invalid_client" || re.ErrorDescription == "" || re.Response.StatusCode != 401 ||
				!strings.HasPrefix(re.Response.Header.Get("WWW-Authenticate"), "Basic ") {
				t.Fatalf("wrong secret: %v (%+v)", err, re)
			}
		})
	}
}

// TestClientTokenRequests: what a token request may look like, and the
// RFC 6749 §5.2 error of each refusal, carried in problem+json.
func TestClientTokenRequests(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	iid, clientID, secret := e.mustClient(admin)
	basic := func(id, secret string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
	}
	form := func(v url.Values, header map[string]string) *resp {
		t.Helper()
		h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
		for k, x := range header {
			h[k] = x
		}
		return e.do(req{method: "POST", path: "/api/v1/auth/token", raw: []byte(v.Encode()), header: h})
	}
	oauthProblem := func(r *resp, status int, oauthCode, code string) {
		t.Helper()
		p := r.wantProblem(status, code).JSON()
		if p["error"] != oauthCode || p["error_description"] != p["detail"] {
			t.Fatalf("error = %v, error_description = %v; want %s with the detail", p["error"], p["error_description"], oauthCode)
		}
	}
	grant := url.Values{"grant_type": {"client_credentials"}}
	creds := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}

	t.Run("accepted", func(t *testing.T) {
		r := form(grant, map[string]string{"Authorization": basic(clientID, secret)}).want(200)
		if r.Header().Get("Cache-Control") != "no-store" || r.Header().Get("Pragma") != "no-cache" || r.JSON()["token_type"] != "Bearer" {
			t.Fatalf("answer: %v %s", r.Header(), r.Body.String())
		}
		form(creds, nil).want(200)
		// Form-urlencoded credentials in Basic (RFC 6749 §2.3.1): here
		// every character escaped.
		escaped := func(s string) string {
			var b strings.Builder
			for _, c := range []byte(s) {
				fmt.Fprintf(&b, "%%%02X", c)
			}
			return b.String()
		}
		form(grant, map[string]string{"Authorization": basic(escaped(clientID), escaped(secret))}).want(200)
		// Parameters of other grants or extensions are ignored (§3.2).
		form(url.Values{"grant_type": {"client_credentials"}, "audience": {"consenso"}, "scope": {""}},
			map[string]string{"Authorization": basic(clientID, secret)}).want(200)
		// JSON stays, with Basic too.
		e.do(req{method: "POST", path: "/api/v1/auth/token", body: map[string]any{"grant_type": "client_credentials"},
			header: map[string]string{"Authorization": basic(clientID, secret)}}).want(200)
	})

	t.Run("refused", func(t *testing.T) {
		oauthProblem(form(url.Values{"grant_type": {"password"}, "username": {"a"}, "password": {"b"}}, nil), 400, "unsupported_grant_type", "auth.unsupported_grant_type")
		oauthProblem(form(url.Values{"client_id": {clientID}, "client_secret": {secret}}, nil), 400, "invalid_request", "auth.invalid_request")
		oauthProblem(form(url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID, clientID}, "client_secret": {secret}}, nil), 400, "invalid_request", "auth.invalid_request")
		oauthProblem(form(url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}}, nil), 400, "invalid_request", "auth.invalid_request")
		oauthProblem(form(url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}}, map[string]string{"Authorization": basic(clientID, secret)}), 400, "invalid_scope", "auth.invalid_scope")
		oauthProblem(form(creds, map[string]string{"Authorization": basic(clientID, secret)}), 400, "invalid_request", "auth.invalid_request")
		oauthProblem(e.do(req{method: "POST", path: "/api/v1/auth/token", body: map[string]any{"grant_type": "client_credentials", "client_id": clientID, "client_secret": secret, "extra": 1}}),
			400, "invalid_request", "request.unknown_field")
		oauthProblem(e.do(req{method: "POST", path: "/api/v1/auth/token", raw: []byte("grant_type=client_credentials"), header: map[string]string{"Content-Type": "text/plain"}}),
			415, "invalid_request", "request.unsupported_media_type")
		huge := url.Values{"grant_type": {"client_credentials"}, "padding": {strings.Repeat("x", 1<<20)}}
		oauthProblem(form(huge, map[string]string{"Authorization": basic(clientID, secret)}), 413, "invalid_request", "request.too_large")

		for name, r := range map[string]*resp{
			"no credentials":        form(grant, nil),
			"wrong secret (Basic)":  form(grant, map[string]string{"Authorization": basic(clientID, "wrong")}),
			"wrong secret (body)":   form(url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {"wrong"}}, nil),
			"unknown client":        form(grant, map[string]string{"Authorization": basic("nobody", secret)}),
			"not Basic":             form(grant, map[string]string{"Authorization": "Bearer " + admin.Token}),
			"Basic without a colon": form(grant, map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(clientID))}),
			"Basic not base64":      form(grant, map[string]string{"Authorization": "Basic !!!"}),
		} {
			oauthProblem(r, 401, "invalid_client", "auth.invalid_client")
			if h := r.Header().Get("WWW-Authenticate"); !strings.HasPrefix(h, "Basic ") {
				t.Fatalf("%s: WWW-Authenticate %q, want a Basic challenge", name, h)
			}
		}
		// A disabled client is refused like an unknown one.
		e.do(req{method: "PATCH", path: "/api/v1/integrations/" + iid, token: admin.Token, body: map[string]any{"active": false}}).want(200)
		oauthProblem(form(grant, map[string]string{"Authorization": basic(clientID, secret)}), 401, "invalid_client", "auth.invalid_client")
	})

	t.Run("other_routes_are_unchanged", func(t *testing.T) {
		// Forms remain refused everywhere else, and a 401 elsewhere is a
		// Bearer challenge without OAuth members.
		r := e.do(req{method: "POST", path: "/api/v1/auth/login", raw: []byte("email=a&password=b"),
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}).wantProblem(415, "request.unsupported_media_type")
		if _, ok := r.JSON()["error"]; ok {
			t.Fatalf("a problem outside the token endpoint carries error: %s", r.Body.String())
		}
		r = e.do(req{method: "GET", path: "/api/v1/me"}).want(401)
		if !strings.HasPrefix(r.Header().Get("WWW-Authenticate"), "Bearer ") {
			t.Fatalf("WWW-Authenticate = %q", r.Header().Get("WWW-Authenticate"))
		}
	})
}
