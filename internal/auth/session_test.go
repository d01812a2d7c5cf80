package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/clocktest"
)

var sessionKey = []byte("0123456789abcdef0123456789abcdef")

// TestTokenSession: an access token names its session, and a token that
// names none is not an access token.
func TestTokenSession(t *testing.T) {
	clk := clocktest.New()
	tokens, err := auth.NewTokens(sessionKey, 15*time.Minute, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("issued_token_carries_its_session", func(t *testing.T) {
		raw, err := tokens.Issue("user-1", "user", "family-1")
		if err != nil {
			t.Fatal(err)
		}
		c, err := tokens.Verify(raw)
		if err != nil {
			t.Fatal(err)
		}
		if c.Subject != "user-1" || c.Kind != "user" || c.Session != "family-1" {
			t.Fatalf("claims = %+v", c)
		}
	})
	t.Run("token_without_session_is_refused", func(t *testing.T) {
		now := clk.Now()
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
			"iss": auth.Issuer, "aud": []string{auth.Audience}, "sub": "user-1", "knd": "user",
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Minute).Unix(),
		})
		tok.Header["typ"] = "at+jwt"
		raw, err := tok.SignedString(sessionKey)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.Verify(raw); err == nil {
			t.Fatal("a token without sid was accepted")
		}
	})
}

// TestClientSession: a client's session changes with its secret, is stable
// for one secret, and shows nothing of the stored hash.
func TestClientSession(t *testing.T) {
	a, b := auth.HashToken("secret-a"), auth.HashToken("secret-b")
	if auth.ClientSession(a) != auth.ClientSession(a) {
		t.Fatal("the session of one secret changes")
	}
	if auth.ClientSession(a) == auth.ClientSession(b) {
		t.Fatal("two secrets share a session")
	}
	if strings.Contains(a, strings.TrimPrefix(auth.ClientSession(a), "sec_")) {
		t.Fatal("the session shows the secret's hash")
	}
}
