package httpapi_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rcm-iom/consenso/api"
	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/events"
	"github.com/rcm-iom/consenso/internal/httpapi"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// sessionOf reads the sign-in (sid claim) an access token belongs to.
func sessionOf(t testing.TB, token string) string {
	t.Helper()
	var c auth.Claims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &c); err != nil {
		t.Fatalf("parse access token: %v", err)
	}
	return c.Session
}

// TestSessions: an access token dies with its sign-in — sign-out, a replayed
// refresh token, a password change — and an integration's with its secret.
// Each refused token was accepted (and so cached) just before.
func TestSessions(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	d := e.mustUser(admin, drafting.RoleDelegate, "CR", false)

	t.Run("logout_ends_the_access_token", func(t *testing.T) {
		s, other := e.mustLogin(d), e.mustLogin(d)
		e.me(s.Token).want(200)
		e.me(other.Token).want(200)
		e.do(req{method: "POST", path: "/api/v1/auth/logout", token: s.Token, body: map[string]string{"refresh_token": s.Refresh}}).want(204)
		e.me(s.Token).wantProblem(401, "auth.session_revoked")
		e.me(other.Token).want(200) // another sign-in lives on
	})
	t.Run("logout_ends_the_callers_sign_in_whatever_refresh_token_it_names", func(t *testing.T) {
		s, victim := e.mustLogin(d), e.mustLogin(admin)
		e.do(req{method: "POST", path: "/api/v1/auth/logout", token: s.Token, body: map[string]string{"refresh_token": victim.Refresh}}).want(204)
		e.me(s.Token).wantProblem(401, "auth.session_revoked")
		e.me(victim.Token).want(200)
		pair(e.refresh(victim.Refresh).want(200))
	})
	t.Run("logout_without_body_ends_every_access_token", func(t *testing.T) {
		a, b := e.mustLogin(d), e.mustLogin(d)
		e.me(b.Token).want(200)
		e.do(req{method: "POST", path: "/api/v1/auth/logout", token: a.Token}).want(204)
		e.me(a.Token).wantProblem(401, "auth.session_revoked")
		e.me(b.Token).wantProblem(401, "auth.session_revoked")
	})
	t.Run("replayed_refresh_token_ends_the_access_tokens_of_its_sign_in", func(t *testing.T) {
		s, other := e.mustLogin(d), e.mustLogin(d)
		a2, _ := pair(e.refresh(s.Refresh).want(200))
		if sessionOf(t, a2) != sessionOf(t, s.Token) {
			t.Fatal("a refreshed access token left its sign-in")
		}
		e.me(s.Token).want(200)
		e.me(a2).want(200)
		e.refresh(s.Refresh).wantProblem(401, "auth.invalid_refresh_token") // replayed: theft
		e.me(s.Token).wantProblem(401, "auth.session_revoked")
		e.me(a2).wantProblem(401, "auth.session_revoked")
		e.me(other.Token).want(200)
	})
	t.Run("password_change_ends_every_sign_in", func(t *testing.T) {
		u := e.mustUser(admin, drafting.RoleObserver, "", false)
		e.me(u.Token).want(200)
		e.do(req{method: "PATCH", path: "/api/v1/users/" + u.ID, token: admin.Token, body: map[string]any{"password": "another long password"}}).want(200)
		e.me(u.Token).wantProblem(401, "auth.session_revoked")
		u.Password = "another long password"
		e.me(e.mustLogin(u).Token).want(200)
	})
	t.Run("deactivation_ends_every_sign_in_for_good", func(t *testing.T) {
		u := e.mustUser(admin, drafting.RoleObserver, "", false)
		e.me(u.Token).want(200)
		e.do(req{method: "PATCH", path: "/api/v1/users/" + u.ID, token: admin.Token, body: map[string]any{"active": false}}).want(200)
		e.me(u.Token).wantProblem(401, "auth.invalid_token")
		e.do(req{method: "PATCH", path: "/api/v1/users/" + u.ID, token: admin.Token, body: map[string]any{"active": true}}).want(200)
		e.me(u.Token).wantProblem(401, "auth.session_revoked") // re-enabling does not revive old tokens
	})
	t.Run("token_without_a_session_is_refused", func(t *testing.T) {
		e.me(forge(t, jwt.SigningMethodHS256, testKey, without(accessClaims(e, d), "sid"), "")).wantProblem(401, "auth.invalid_token")
	})
	t.Run("token_naming_another_users_session_is_refused", func(t *testing.T) {
		e.me(forge(t, jwt.SigningMethodHS256, testKey, with(accessClaims(e, d), "sid", sessionOf(t, admin.Token)), "")).
			wantProblem(401, "auth.session_revoked")
		e.me(forge(t, jwt.SigningMethodHS256, testKey, with(accessClaims(e, d), "sid", "no-such-sign-in"), "")).
			wantProblem(401, "auth.session_revoked")
	})
	t.Run("rotated_secret_ends_the_integrations_tokens", func(t *testing.T) {
		iid, itok := e.mustIntegration(admin)
		e.me(itok).want(200)
		rot := e.do(req{method: "POST", path: "/api/v1/integrations/" + iid + "/secret", token: admin.Token}).want(200).JSON()
		e.me(itok).wantProblem(401, "auth.session_revoked")
		fresh := e.do(req{method: "POST", path: "/api/v1/auth/token", body: map[string]any{
			"grant_type": "client_credentials", "client_id": rot["client_id"], "client_secret": rot["client_secret"]}}).want(200).JSON()
		e.me(fresh["access_token"].(string)).want(200)
		// Renaming the client changes nothing for its tokens.
		e.do(req{method: "PATCH", path: "/api/v1/integrations/" + iid, token: admin.Token, body: map[string]any{"name": "Renamed"}}).want(200)
		e.me(fresh["access_token"].(string)).want(200)
	})
	t.Run("logout_changes_nothing_for_others", func(t *testing.T) {
		before := e.me(admin.Token).want(200).JSON()
		s := e.mustLogin(d)
		e.do(req{method: "POST", path: "/api/v1/auth/logout", token: s.Token, body: map[string]string{"refresh_token": s.Refresh}}).want(204)
		if after := e.me(admin.Token).want(200).JSON(); after["role"] != before["role"] {
			t.Fatalf("admin after another's sign-out: %v", after)
		}
		pair(e.refresh(admin.Refresh).want(200))
	})
}

// TestSessionAuthenticationIsCached: once a token was accepted, the next
// request pays no query for the caller; a cold one pays two (account and
// sign-in).
func TestSessionAuthenticationIsCached(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	sc := storetest.CountStatements(t, e.store)
	e.svc.InvalidatePrincipals()
	cold := sc.During(func() { e.me(admin.Token).want(200) })
	warm := sc.During(func() { e.me(admin.Token).want(200) })
	if cold-warm != 2 {
		t.Fatalf("GET /me: %d statements cold, %d warm; authentication should cost 2 cold and 0 warm", cold, warm)
	}
}

// TestStreamEndsWithItsSession: a stream opened with a ticket ends when the
// sign-in the ticket was issued in ends, and an unused ticket of that
// sign-in no longer opens one.
func TestStreamEndsWithItsSession(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	f := e.mustUser(admin, "facilitator", "", false)
	gid, _ := publishedFixture(t, e, f, false)
	beat := make(chan time.Time)
	srv, err := httpapi.New(httpapi.Config{Service: e.svc, Spec: api.OpenAPI, Hub: events.NewHub(5),
		Heartbeats: func() <-chan time.Time { return beat }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	open := func(ticket string) *http.Response {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		t.Cleanup(cancel)
		rq, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/v1/guidelines/"+gid+"/events/stream?ticket="+ticket, nil)
		res, err := http.DefaultClient.Do(rq)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	ticket := func() string {
		return e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/events/stream-ticket", token: f.Token}).want(201).JSON()["ticket"].(string)
	}
	used, unused := ticket(), ticket()
	res := open(used)
	if res.StatusCode != 200 {
		t.Fatalf("ticket stream: %d", res.StatusCode)
	}
	r := bufio.NewReader(res.Body)
	if line, err := r.ReadString('\n'); err != nil || line != "retry: 3000\n" {
		t.Fatalf("stream opened with %q, %v", line, err)
	}
	e.do(req{method: "POST", path: "/api/v1/auth/logout", token: f.Token, body: map[string]string{"refresh_token": f.Refresh}}).want(204)
	sendBeat(t, beat)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("the signed-out stream ended without saying why: %v", err)
		}
		if line == "event: reauthenticate\n" {
			break
		}
	}
	if res := open(unused); res.StatusCode != 401 {
		t.Fatalf("ticket of an ended sign-in: %d, want 401", res.StatusCode)
	}
}
