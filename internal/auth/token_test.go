package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/clocktest"
)

// testKey is a 32-byte HMAC key, the shortest accepted.
var testKey = []byte("consenso-test-key-0123456789abcd")

const (
	ttl = 15 * time.Minute
	// leeway is the clock skew auth tolerates between replicas.
	leeway = 5 * time.Second
)

func newTokens(t *testing.T, clk *clocktest.Clock) *auth.Tokens {
	t.Helper()
	tk, err := auth.NewTokens(testKey, ttl, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func mustIssue(t *testing.T, tk *auth.Tokens, subject, kind string) string {
	t.Helper()
	raw, err := tk.Issue(subject, kind, "session-"+subject)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestNewTokens(t *testing.T) {
	clk := clocktest.New()
	cases := []struct {
		name    string
		keyLen  int
		wantErr bool
	}{
		{"empty_key_is_refused", 0, true},
		{"key_of_31_bytes_is_refused", 31, true},
		{"key_of_32_bytes_is_accepted", 32, false},
		{"key_of_64_bytes_is_accepted", 64, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tk, err := auth.NewTokens(make([]byte, tc.keyLen), ttl, clk.Now)
			if (err != nil) != tc.wantErr {
				t.Fatalf("NewTokens(%d bytes) = %v, want error %v", tc.keyLen, err, tc.wantErr)
			}
			if err == nil && tk.AccessTTL() != ttl {
				t.Fatalf("AccessTTL = %v, want %v", tk.AccessTTL(), ttl)
			}
		})
	}
}

func TestIssue(t *testing.T) {
	clk := clocktest.New()
	tk := newTokens(t, clk)
	now := clk.Now()
	raw := mustIssue(t, tk, "user-1", "user")

	t.Run("header_is_hs256_access_token", func(t *testing.T) {
		var h map[string]any
		decodeSegment(t, raw, 0, &h)
		if h["alg"] != "HS256" || h["typ"] != "at+jwt" || len(h) != 2 {
			t.Fatalf("header = %v, want alg HS256, typ at+jwt", h)
		}
	})
	t.Run("claims", func(t *testing.T) {
		var c auth.Claims
		if _, _, err := jwt.NewParser().ParseUnverified(raw, &c); err != nil {
			t.Fatal(err)
		}
		if c.Issuer != auth.Issuer || c.Subject != "user-1" || c.Kind != "user" ||
			len(c.Audience) != 1 || c.Audience[0] != auth.Audience || c.ID == "" {
			t.Fatalf("claims = %+v", c)
		}
		for name, got := range map[string]*jwt.NumericDate{"iat": c.IssuedAt, "nbf": c.NotBefore} {
			if got == nil || !got.Equal(now.Truncate(time.Second)) {
				t.Errorf("%s = %v, want %v", name, got, now)
			}
		}
		if c.ExpiresAt == nil || !c.ExpiresAt.Equal(now.Add(ttl).Truncate(time.Second)) {
			t.Errorf("exp = %v, want %v", c.ExpiresAt, now.Add(ttl))
		}
	})
	t.Run("ids_differ", func(t *testing.T) {
		var a, b auth.Claims
		_, _, _ = jwt.NewParser().ParseUnverified(raw, &a)
		_, _, _ = jwt.NewParser().ParseUnverified(mustIssue(t, tk, "user-1", "user"), &b)
		if a.ID == b.ID {
			t.Fatalf("two tokens share jti %q", a.ID)
		}
	})
	t.Run("verify_returns_subject_and_kind", func(t *testing.T) {
		for _, kind := range []string{"user", "client"} {
			c, err := tk.Verify(mustIssue(t, tk, "sub-"+kind, kind))
			if err != nil {
				t.Fatalf("Verify %s token: %v", kind, err)
			}
			if c.Subject != "sub-"+kind || c.Kind != kind {
				t.Fatalf("claims = %+v", c)
			}
		}
	})
}

// An issued token is valid from leeway before its issue to leeway after its
// expiry — and a second use (answered from the verified-token memory) gives
// the same answer as the first at every instant.
func TestVerifyTimes(t *testing.T) {
	cases := []struct {
		name   string
		offset time.Duration // from the issue time
		valid  bool
	}{
		{"at_issue", 0, true},
		{"skewed_back_within_leeway", -leeway, true},
		{"skewed_back_beyond_leeway", -leeway - time.Second, false},
		{"before_expiry", ttl - time.Second, true},
		{"at_expiry", ttl, true},
		{"within_leeway_after_expiry", ttl + leeway - time.Second, true},
		{"at_end_of_leeway", ttl + leeway, false},
		{"beyond_leeway", ttl + leeway + time.Second, false},
		{"a_day_later", 24 * time.Hour, false},
	}
	for _, tc := range cases {
		for _, reuse := range []bool{false, true} {
			name := tc.name + "/first_use"
			if reuse {
				name = tc.name + "/reuse"
			}
			t.Run(name, func(t *testing.T) {
				clk := clocktest.New()
				issued := clk.Now()
				tk := newTokens(t, clk)
				raw := mustIssue(t, tk, "user-1", "user")
				if reuse {
					if _, err := tk.Verify(raw); err != nil {
						t.Fatalf("first use at issue: %v", err)
					}
				}
				clk.Set(issued.Add(tc.offset))
				_, err := tk.Verify(raw)
				if tc.valid && err != nil {
					t.Fatalf("Verify = %v, want valid", err)
				}
				if !tc.valid && !errors.Is(err, auth.ErrInvalidToken) {
					t.Fatalf("Verify = %v, want ErrInvalidToken", err)
				}
			})
		}
	}
}

var rsaKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// sign makes a token by hand: method and key sign it, typ goes in the
// header ("" leaves typ out), claims are sent as they are.
func sign(t *testing.T, method jwt.SigningMethod, key any, typ string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	delete(tok.Header, "typ")
	if typ != "" {
		tok.Header["typ"] = typ
	}
	raw, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign %s: %v", method.Alg(), err)
	}
	return raw
}

// goodClaims are the claims of a valid user access token issued at now.
func goodClaims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{"iss": auth.Issuer, "aud": []string{auth.Audience}, "sub": "user-1", "knd": "user", "sid": "session-1",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(ttl).Unix(), "jti": "j1"}
}

func with(c jwt.MapClaims, edit func(jwt.MapClaims)) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range c {
		out[k] = v
	}
	edit(out)
	return out
}

// Only HS256 tokens under the pinned key, typed at+jwt, from our issuer for
// our audience, with an expiry, a subject and a known kind are accepted.
func TestVerifyRefuses(t *testing.T) {
	clk := clocktest.New()
	now := clk.Now()
	good := goodClaims(now)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := func() []byte {
		der, err := x509.MarshalPKIXPublicKey(&rsaKey().PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}
	valid := sign(t, jwt.SigningMethodHS256, testKey, "at+jwt", good)
	cases := []struct {
		name  string
		raw   func() string
		valid bool
	}{
		{"well_formed_token_is_accepted", func() string { return valid }, true},
		{"client_kind_is_accepted", func() string {
			return sign(t, jwt.SigningMethodHS256, testKey, "at+jwt", with(good, func(c jwt.MapClaims) { c["knd"] = "client" }))
		}, true},
		{"nbf_within_leeway_is_accepted", func() string {
			return sign(t, jwt.SigningMethodHS256, testKey, "at+jwt", with(good, func(c jwt.MapClaims) { c["nbf"] = now.Add(leeway).Unix() }))
		}, true},

		// The algorithm is pinned.
		{"alg_none", func() string {
			return sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "at+jwt", good)
		}, false},
		{"alg_none_header_on_a_valid_token", func() string {
			return reheader(t, valid, `{"alg":"none","typ":"at+jwt"}`, true)
		}, false},
		{"alg_HS384", func() string { return sign(t, jwt.SigningMethodHS384, testKey, "at+jwt", good) }, false},
		{"alg_HS512", func() string { return sign(t, jwt.SigningMethodHS512, testKey, "at+jwt", good) }, false},
		{"alg_HS512_header_on_an_HS256_signature", func() string {
			return reheader(t, valid, `{"alg":"HS512","typ":"at+jwt"}`, false)
		}, false},
		{"alg_RS256", func() string { return sign(t, jwt.SigningMethodRS256, rsaKey(), "at+jwt", good) }, false},
		{"alg_RS256_header_on_an_HS256_signature", func() string {
			return reheader(t, valid, `{"alg":"RS256","typ":"at+jwt"}`, false)
		}, false},
		{"alg_HS256_keyed_with_an_RSA_public_key", func() string {
			return sign(t, jwt.SigningMethodHS256, pubPEM(), "at+jwt", good)
		}, false},
		{"alg_ES256", func() string { return sign(t, jwt.SigningMethodES256, ecKey, "at+jwt", good) }, false},
		{"other_hmac_key", func() string {
			return sign(t, jwt.SigningMethodHS256, []byte("another-key-of-thirty-two-bytes!"), "at+jwt", good)
		}, false},

		// The type is an access token's.
		{"typ_missing", func() string { return sign(t, jwt.SigningMethodHS256, testKey, "", good) }, false},
		{"typ_JWT", func() string { return sign(t, jwt.SigningMethodHS256, testKey, "JWT", good) }, false},
		{"typ_refresh", func() string { return sign(t, jwt.SigningMethodHS256, testKey, "rt+jwt", good) }, false},

		// Claims.
		{"exp_missing", func() string {
			return sign(t, jwt.SigningMethodHS256, testKey, "at+jwt", with(good, func(c jwt.MapClaims) { delete(c, "exp") }))
		}, false},
		{"exp_past", func() string {
			return sign(t, jwt.SigningMethodHS256, testKey, "at+jwt", with(good, func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() }))
		}, false},
		{"iss_missing", func() string {
			return sign(t, jwt.SigningMethodHS256, testKey, "at+jwt", with(good, func(c jwt.MapClaims) { delete(c, "iss") }))
		}, false},
		{"iss_other", func() string {
			return sign(t, jwt.SigningMethodHS256, testKey, "at+jwt", with(good, func(c jwt.MapClaims) { c["iss"] = "someone-else" }))
		}, false},
		{"aud_missing", func() string {
			return sign(t, jwt.SigningMethodHS256, testKey, "at+jwt", with(good, func(c jwt.MapClaims) { delete(c, "aud") }))
		}, false},
		{"aud_other", func() string {
			return sign(t, jwt.SigningMethodHS256, testKey, "at+jwt", with(good, func(c jwt.MapClaims) { c["aud"] = []string{"other-api"} }))
		}, false},
		{"nbf_beyond_leeway", func() string {
			return sign(t, jwt.SigningMethodHS256, testKey, "at+jwt", with(good, func(c jwt.MapClaims) { c["nbf"] = now.Add(leeway + time.Second).Unix() }))
		}, false},
		{"iat_beyond_leeway", func() string {
			return sign(t, jwt.SigningMethodHS256, testKey, "at+jwt", with(good, func(c jwt.MapClaims) { c["iat"] = now.Add(time.Minute).Unix() }))
		}, false},
		{"sub_missing", func() string {
			return sign(t, jwt.SigningMethodHS256, testKey, "at+jwt", with(good, func(c jwt.MapClaims) { delete(c, "sub") }))
		}, false},
		{"knd_missing", func() string {
			return sign(t, jwt.SigningMethodHS256, testKey, "at+jwt", with(good, func(c jwt.MapClaims) { delete(c, "knd") }))
		}, false},
		{"knd_unknown", func() string {
			return sign(t, jwt.SigningMethodHS256, testKey, "at+jwt", with(good, func(c jwt.MapClaims) { c["knd"] = "admin" }))
		}, false},

		// Not a token at all.
		{"empty", func() string { return "" }, false},
		{"garbage", func() string { return "not-a-token" }, false},
		{"two_segments", func() string { return valid[:strings.LastIndex(valid, ".")] }, false},
		{"signature_altered", func() string { return flipLast(valid) }, false},
		{"payload_altered", func() string {
			parts := strings.Split(valid, ".")
			parts[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"consenso","aud":["consenso-api"],"sub":"admin-1","knd":"user","exp":99999999999}`))
			return strings.Join(parts, ".")
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tk := newTokens(t, clk)
			raw := tc.raw()
			for use := 1; use <= 2; use++ { // the second use may be answered from memory
				c, err := tk.Verify(raw)
				if tc.valid {
					if err != nil || c.Subject != "user-1" {
						t.Fatalf("use %d: Verify = %+v, %v; want valid", use, c, err)
					}
					continue
				}
				if !errors.Is(err, auth.ErrInvalidToken) || c != nil {
					t.Fatalf("use %d: Verify = %+v, %v; want ErrInvalidToken", use, c, err)
				}
			}
		})
	}
}

// reheader replaces a token's header; stripSig also drops its signature.
func reheader(t *testing.T, raw, header string, stripSig bool) string {
	t.Helper()
	parts := strings.Split(raw, ".")
	parts[0] = base64.RawURLEncoding.EncodeToString([]byte(header))
	if stripSig {
		parts[2] = ""
	}
	return strings.Join(parts, ".")
}

// flipLast changes the last character of a token's signature.
func flipLast(raw string) string {
	last := raw[len(raw)-2] // the final character may carry padding bits only
	repl := byte('A')
	if last == 'A' {
		repl = 'B'
	}
	return raw[:len(raw)-2] + string(repl) + raw[len(raw)-1:]
}

func decodeSegment(t *testing.T, raw string, i int, v any) {
	t.Helper()
	seg := strings.Split(raw, ".")[i]
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

var base64URL = regexp.MustCompile(`^[A-Za-z0-9_-]*$`)

func TestRandomToken(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 12, 16, 32, 33} {
		t.Run(strconv.Itoa(n)+"_bytes", func(t *testing.T) {
			tok := auth.RandomToken(n)
			if len(tok) != base64.RawURLEncoding.EncodedLen(n) {
				t.Fatalf("len = %d, want %d", len(tok), base64.RawURLEncoding.EncodedLen(n))
			}
			if !base64URL.MatchString(tok) {
				t.Fatalf("%q is not unpadded base64url", tok)
			}
			b, err := base64.RawURLEncoding.DecodeString(tok)
			if err != nil || len(b) != n {
				t.Fatalf("decodes to %d bytes, %v; want %d", len(b), err, n)
			}
		})
	}
	t.Run("tokens_differ", func(t *testing.T) {
		seen := map[string]bool{}
		for range 1000 {
			tok := auth.RandomToken(16)
			if seen[tok] {
				t.Fatalf("RandomToken repeated %q", tok)
			}
			seen[tok] = true
		}
	})
}

func TestHashToken(t *testing.T) {
	cases := []struct{ in, want string }{
		// SHA-256 test vectors (FIPS 180-2).
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, tc := range cases {
		t.Run("vector_"+strconv.Itoa(len(tc.in)), func(t *testing.T) {
			if got := auth.HashToken(tc.in); got != tc.want {
				t.Fatalf("HashToken(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
	t.Run("stable_and_distinct", func(t *testing.T) {
		a, b := auth.RandomToken(32), auth.RandomToken(32)
		if auth.HashToken(a) != auth.HashToken(a) {
			t.Fatal("HashToken is not stable")
		}
		if auth.HashToken(a) == auth.HashToken(b) {
			t.Fatal("two tokens hash alike")
		}
		if h := auth.HashToken(a); !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(h) || strings.Contains(h, a) {
			t.Fatalf("HashToken = %q, want 64 lower-case hex digits", h)
		}
	})
}

// Handlers verify tokens in parallel; the verified-token memory is shared.
func TestVerifyConcurrent(t *testing.T) {
	clk := clocktest.New()
	tk := newTokens(t, clk)
	shared := mustIssue(t, tk, "user-1", "user")
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 8 {
		own := mustIssue(t, tk, "user-"+strconv.Itoa(i), "user")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, raw := range []string{shared, own, shared, own} {
				if _, err := tk.Verify(raw); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Verify: %v", err)
	}
}
