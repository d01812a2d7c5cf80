package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
)

func TestLoginAndMe(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	me := e.do(req{method: "GET", path: "/api/v1/me", token: admin.Token}).want(200).JSON()
	if me["role"] != "admin" || me["email"] != "admin@example.org" {
		t.Fatalf("me = %v", me)
	}
	d := e.mustUser(admin, "delegate", "BZ", true)
	me = e.do(req{method: "GET", path: "/api/v1/me", token: d.Token}).want(200).JSON()
	if me["country"] != "BZ" || me["head_of_delegation"] != true {
		t.Fatalf("me = %v", me)
	}
}

// accessClaims are the claims of a valid access token for a, in the sign-in
// of a.Token, as the server issues them; tests change one claim at a time to
// forge a bad token.
func accessClaims(e *env, a account) jwt.MapClaims {
	now := e.clock.Now()
	return jwt.MapClaims{
		"iss": auth.Issuer, "aud": []string{auth.Audience}, "sub": a.ID, "knd": "user", "jti": "forged",
		"sid": sessionOf(e.t, a.Token), "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(15 * time.Minute).Unix(),
	}
}

// forge signs claims with method and key under the access-token "typ" header
// (or typ, when not empty).
func forge(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims, typ string) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["typ"] = "at+jwt"
	if typ != "" {
		tok.Header["typ"] = typ
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign forged token: %v", err)
	}
	return s
}

func without(c jwt.MapClaims, name string) jwt.MapClaims {
	delete(c, name)
	return c
}

func with(c jwt.MapClaims, name string, v any) jwt.MapClaims {
	c[name] = v
	return c
}

func (e *env) me(token string) *resp {
	e.t.Helper()
	return e.do(req{method: "GET", path: "/api/v1/me", token: token})
}

func (e *env) login(email, password string) *resp {
	e.t.Helper()
	return e.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": email, "password": password}})
}

func (e *env) refresh(token string) *resp {
	e.t.Helper()
	return e.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": token}})
}

// pair reads the token pair of a sign-in or refresh answer.
func pair(r *resp) (access, refresh string) {
	r.t.Helper()
	var tp struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		TokenType    string `json:"token_type"`
		ExpiresIn    int    `json:"expires_in"`
	}
	r.Decode(&tp)
	if tp.AccessToken == "" || tp.RefreshToken == "" || tp.TokenType != "Bearer" || tp.ExpiresIn != 900 {
		r.t.Fatalf("token pair = %+v", tp)
	}
	return tp.AccessToken, tp.RefreshToken
}

func TestAuth(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	d := e.mustUser(admin, drafting.RoleDelegate, "CR", false)

	// Every forged-token case below differs from this one in one respect.
	t.Run("forged_valid_token_is_accepted", func(t *testing.T) {
		e.me(forge(t, jwt.SigningMethodHS256, testKey, accessClaims(e, d), "")).want(200)
	})
	t.Run("wrong_password_is_refused", func(t *testing.T) {
		e.login(d.Email, "not the password at all").wantProblem(401, "auth.invalid_credentials")
	})
	t.Run("unknown_email_is_refused_alike", func(t *testing.T) {
		unknown := e.login("nobody@example.org", "not the password at all").wantProblem(401, "auth.invalid_credentials").JSON()
		wrong := e.login(d.Email, "not the password either").wantProblem(401, "auth.invalid_credentials").JSON()
		if unknown["detail"] != wrong["detail"] {
			t.Fatalf("detail tells unknown accounts apart: %q vs %q", unknown["detail"], wrong["detail"])
		}
	})
	t.Run("email_is_case_insensitive", func(t *testing.T) {
		e.login("  "+strings.ToUpper(d.Email), d.Password).want(200)
	})
	t.Run("no_token_is_refused", func(t *testing.T) {
		r := e.me("").wantProblem(401, "auth.token_missing")
		if r.Header().Get("WWW-Authenticate") == "" {
			t.Fatal("401 without WWW-Authenticate")
		}
	})
	t.Run("other_scheme_is_refused", func(t *testing.T) {
		e.do(req{method: "GET", path: "/api/v1/me", header: map[string]string{"Authorization": "Basic " + d.Token}}).
			wantProblem(401, "auth.token_missing")
	})
	t.Run("malformed_token_is_refused", func(t *testing.T) {
		e.me("not.a.jwt").wantProblem(401, "auth.invalid_token")
		e.me(d.Token[:len(d.Token)-3]).wantProblem(401, "auth.invalid_token")
	})
	t.Run("alg_none_is_refused", func(t *testing.T) {
		e.me(forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, accessClaims(e, d), "")).
			wantProblem(401, "auth.invalid_token")
	})
	t.Run("token_signed_with_another_key_is_refused", func(t *testing.T) {
		other := []byte("another-key-another-key-another-key-42")
		e.me(forge(t, jwt.SigningMethodHS256, other, accessClaims(e, d), "")).wantProblem(401, "auth.invalid_token")
	})
	t.Run("HS512_token_is_refused", func(t *testing.T) {
		e.me(forge(t, jwt.SigningMethodHS512, testKey, accessClaims(e, d), "")).wantProblem(401, "auth.invalid_token")
	})
	t.Run("token_without_exp_is_refused", func(t *testing.T) {
		e.me(forge(t, jwt.SigningMethodHS256, testKey, without(accessClaims(e, d), "exp"), "")).
			wantProblem(401, "auth.invalid_token")
	})
	t.Run("token_not_yet_valid_is_refused", func(t *testing.T) {
		later := e.clock.Now().Add(time.Hour).Unix()
		e.me(forge(t, jwt.SigningMethodHS256, testKey, with(accessClaims(e, d), "nbf", later), "")).
			wantProblem(401, "auth.invalid_token")
	})
	t.Run("token_with_wrong_issuer_is_refused", func(t *testing.T) {
		e.me(forge(t, jwt.SigningMethodHS256, testKey, with(accessClaims(e, d), "iss", "someone-else"), "")).
			wantProblem(401, "auth.invalid_token")
	})
	t.Run("token_with_wrong_audience_is_refused", func(t *testing.T) {
		e.me(forge(t, jwt.SigningMethodHS256, testKey, with(accessClaims(e, d), "aud", []string{"another-api"}), "")).
			wantProblem(401, "auth.invalid_token")
	})
	t.Run("token_without_access_typ_is_refused", func(t *testing.T) {
		e.me(forge(t, jwt.SigningMethodHS256, testKey, accessClaims(e, d), "JWT")).wantProblem(401, "auth.invalid_token")
	})
	t.Run("token_for_unknown_user_is_refused", func(t *testing.T) {
		e.me(forge(t, jwt.SigningMethodHS256, testKey, accessClaims(e, account{ID: "no-such-user", Token: d.Token}), "")).wantProblem(401, "auth.invalid_token")
	})
	t.Run("client_token_naming_a_user_is_refused", func(t *testing.T) {
		e.me(forge(t, jwt.SigningMethodHS256, testKey, with(accessClaims(e, d), "knd", "client"), "")).
			wantProblem(401, "auth.invalid_token")
	})
	t.Run("refresh_token_used_as_access_token_is_refused", func(t *testing.T) {
		e.me(d.Refresh).wantProblem(401, "auth.invalid_token")
	})
	t.Run("access_token_used_as_refresh_token_is_refused", func(t *testing.T) {
		e.refresh(d.Token).wantProblem(401, "auth.invalid_refresh_token")
	})
	t.Run("refresh_rotates_the_pair", func(t *testing.T) {
		s := e.mustLogin(d)
		access, next := pair(e.refresh(s.Refresh).want(200))
		if next == s.Refresh {
			t.Fatal("refresh returned the same refresh token")
		}
		e.me(access).want(200)
		pair(e.refresh(next).want(200)) // the new refresh token works
		e.refresh(s.Refresh).wantProblem(401, "auth.invalid_refresh_token")
	})
	t.Run("spent_refresh_token_revokes_the_sign_in", func(t *testing.T) {
		s := e.mustLogin(d)
		other := e.mustLogin(d) // another sign-in of the same account
		_, r2 := pair(e.refresh(s.Refresh).want(200))
		_, r3 := pair(e.refresh(r2).want(200))
		e.refresh(s.Refresh).wantProblem(401, "auth.invalid_refresh_token") // replayed: theft
		e.refresh(r3).wantProblem(401, "auth.invalid_refresh_token")        // the newest token of that sign-in too
		pair(e.refresh(other.Refresh).want(200))                            // other sign-ins live on
	})
	t.Run("logout_revokes_the_refresh_token", func(t *testing.T) {
		s := e.mustLogin(d)
		other := e.mustLogin(d)
		e.do(req{method: "POST", path: "/api/v1/auth/logout", token: s.Token, body: map[string]string{"refresh_token": s.Refresh}}).want(204)
		e.refresh(s.Refresh).wantProblem(401, "auth.invalid_refresh_token")
		pair(e.refresh(other.Refresh).want(200))
	})
	t.Run("logout_cannot_revoke_another_users_sign_in", func(t *testing.T) {
		victim := e.mustLogin(admin)
		e.do(req{method: "POST", path: "/api/v1/auth/logout", token: e.mustLogin(d).Token, body: map[string]string{"refresh_token": victim.Refresh}}).want(204)
		pair(e.refresh(victim.Refresh).want(200))
	})
	t.Run("logout_without_body_revokes_every_sign_in", func(t *testing.T) {
		a := e.mustUser(admin, drafting.RoleObserver, "", false) // not d: signing out everywhere ends every token of the account
		b := e.mustLogin(a)
		e.do(req{method: "POST", path: "/api/v1/auth/logout", token: a.Token}).want(204)
		e.refresh(a.Refresh).wantProblem(401, "auth.invalid_refresh_token")
		e.refresh(b.Refresh).wantProblem(401, "auth.invalid_refresh_token")
	})
	t.Run("disabled_user_is_locked_out", func(t *testing.T) {
		u := e.mustUser(admin, drafting.RoleObserver, "", false)
		e.me(u.Token).want(200)
		r := e.do(req{method: "PATCH", path: "/api/v1/users/" + u.ID, token: admin.Token, body: map[string]any{"active": false}}).want(200)
		if r.JSON()["active"] != false {
			t.Fatalf("user still active: %s", r.Body)
		}
		e.me(u.Token).wantProblem(401, "auth.invalid_token")
		e.login(u.Email, u.Password).wantProblem(401, "auth.invalid_credentials")
		e.refresh(u.Refresh).wantProblem(401, "auth.invalid_refresh_token")

		e.do(req{method: "PATCH", path: "/api/v1/users/" + u.ID, token: admin.Token, body: map[string]any{"active": true}}).want(200)
		e.refresh(u.Refresh).wantProblem(401, "auth.invalid_refresh_token") // revoked for good
		e.login(u.Email, u.Password).want(200)
	})
	t.Run("delegate_cannot_administer", func(t *testing.T) {
		for _, r := range []req{
			{method: "POST", path: "/api/v1/users", body: map[string]any{"email": "x@example.org", "name": "X", "password": "a long enough password", "role": "admin"}},
			{method: "GET", path: "/api/v1/users"},
			{method: "GET", path: "/api/v1/users/" + admin.ID},
			{method: "PATCH", path: "/api/v1/users/" + d.ID, body: map[string]any{"role": "admin"}},
			{method: "POST", path: "/api/v1/countries", body: map[string]any{"code": "US", "name": "United States", "language": "en"}},
		} {
			r.token = d.Token
			e.do(r).wantProblem(403, "auth.forbidden")
		}
		if got := e.me(d.Token).want(200).JSON()["role"]; got != "delegate" {
			t.Fatalf("role after refused PATCH = %v", got)
		}
	})
	t.Run("me_for_each_role", func(t *testing.T) {
		for _, c := range []struct {
			role    drafting.Role
			country string
			head    bool
		}{
			{drafting.RoleFacilitator, "", false},
			{drafting.RoleDelegate, "GT", false},
			{drafting.RoleDelegate, "MX", true},
			{drafting.RoleObserver, "", false},
		} {
			u := e.mustUser(admin, c.role, c.country, c.head)
			checkMe(t, e.me(u.Token).want(200).JSON(), u, c.head)
		}
		checkMe(t, e.me(admin.Token).want(200).JSON(), admin, false)
	})
}

func checkMe(t *testing.T, me map[string]any, a account, head bool) {
	t.Helper()
	var country any
	if a.Country != "" {
		country = a.Country
	}
	if me["id"] != a.ID || me["email"] != a.Email || me["role"] != string(a.Role) || me["country"] != country ||
		me["head_of_delegation"] != head || me["name"] == "" {
		t.Fatalf("me = %v, want %s %s %s head=%v", me, a.Email, a.Role, a.Country, head)
	}
}

func TestAuthExpiry(t *testing.T) {
	t.Run("access_token_expires_after_15_minutes", func(t *testing.T) {
		e := newEnv(t)
		admin := e.mustAdmin()
		e.clock.Advance(15*time.Minute - time.Second)
		e.me(admin.Token).want(200)
		e.clock.Advance(time.Second + 5*time.Second + time.Second) // past expiry and the 5 s leeway
		e.me(admin.Token).wantProblem(401, "auth.invalid_token")
		pair(e.refresh(admin.Refresh).want(200)) // the refresh token outlives it
	})
	t.Run("refresh_token_expires_after_30_days", func(t *testing.T) {
		e := newEnv(t)
		admin := e.mustAdmin()
		e.clock.Advance(30 * 24 * time.Hour)
		e.refresh(admin.Refresh).wantProblem(401, "auth.invalid_refresh_token")
	})
}
