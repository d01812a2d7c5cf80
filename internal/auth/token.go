package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Token types, carried in the JWT "typ" header and as a claim, so an access
// token can never be mistaken for anything else (RFC 8725 §3.11).
const (
	accessTokenType = "at+jwt"
	// Audience of access tokens issued by Consenso.
	Audience = "consenso-api"
	// Issuer of access tokens.
	Issuer = "consenso"
)

// Claims are the access token claims. Role and country are deliberately
// absent: they are read from the database on every request.
type Claims struct {
	jwt.RegisteredClaims
	// Kind is "user" or "client" (integration).
	Kind string `json:"knd"`
	// Session is what the token lives and dies with: for a user, the
	// sign-in (refresh-token family) it was issued in; for a client, the
	// secret it was issued under (ClientSession). Revoking the sign-in or
	// rotating the secret refuses the token at once.
	Session string `json:"sid"`
}

// Tokens issues and verifies access tokens with one pinned HMAC key.
type Tokens struct {
	key       []byte
	accessTTL time.Duration
	now       func() time.Time
	parser    *jwt.Parser

	// verified remembers tokens whose signature and claims checked out, so
	// a client reusing its token costs a map lookup; the time checks are
	// repeated on every use.
	mu       sync.RWMutex
	verified map[string]*Claims
}

// maxVerified bounds the verified-token memory.
const maxVerified = 10000

// leeway tolerates clock skew between replicas.
const leeway = 5 * time.Second

// MinKeyLen is the shortest HMAC key accepted (RFC 7518 §3.2 for HS256).
const MinKeyLen = 32

// NewTokens returns a token issuer; key must be at least 32 bytes.
func NewTokens(key []byte, accessTTL time.Duration, now func() time.Time) (*Tokens, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("JWT key is %d bytes; at least %d are required", len(key), MinKeyLen)
	}
	t := &Tokens{key: key, accessTTL: accessTTL, now: now, verified: map[string]*Claims{}}
	t.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(now),
		jwt.WithLeeway(leeway),
	)
	return t, nil
}

// AccessTTL is the lifetime of access tokens.
func (t *Tokens) AccessTTL() time.Duration { return t.accessTTL }

// Issue signs an access token for subject (a user id or an integration id)
// in session (see Claims.Session).
func (t *Tokens) Issue(subject, kind, session string) (string, error) {
	now := t.now()
	claims := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   subject,
			Audience:  jwt.ClaimStrings{Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(t.accessTTL)),
			ID:        RandomToken(12),
		},
		Kind:    kind,
		Session: session,
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	tok.Header["typ"] = accessTokenType
	return tok.SignedString(t.key)
}

// ErrInvalidToken is returned for every token that is not a valid access token.
var ErrInvalidToken = errors.New("invalid access token")

// Verify parses and checks an access token and returns its claims.
func (t *Tokens) Verify(raw string) (*Claims, error) {
	t.mu.RLock()
	c, ok := t.verified[raw]
	t.mu.RUnlock()
	if ok {
		// The same bounds as the parser's: valid while now < exp+leeway
		// and now >= nbf-leeway.
		now := t.now()
		if !now.Before(c.ExpiresAt.Add(leeway)) || (c.NotBefore != nil && now.Before(c.NotBefore.Add(-leeway))) {
			return nil, ErrInvalidToken
		}
		return c, nil
	}
	claims, err := t.verify(raw)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	if len(t.verified) >= maxVerified {
		clear(t.verified)
	}
	t.verified[raw] = claims
	t.mu.Unlock()
	return claims, nil
}

func (t *Tokens) verify(raw string) (*Claims, error) {
	var claims Claims
	tok, err := t.parser.ParseWithClaims(raw, &claims, func(tok *jwt.Token) (any, error) {
		if typ, _ := tok.Header["typ"].(string); typ != accessTokenType {
			return nil, errors.New("not an access token")
		}
		return t.key, nil
	})
	if err != nil || !tok.Valid {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if claims.Subject == "" || claims.Session == "" || (claims.Kind != "user" && claims.Kind != "client") {
		return nil, ErrInvalidToken
	}
	return &claims, nil
}

// ClientSession is the session of an integration's access tokens: a digest
// of the stored hash of the secret they were issued under, so the token
// reveals nothing of it. Rotating the secret changes it.
func ClientSession(secretHash string) string {
	return "sec_" + HashToken("client-session:" + secretHash)[:24]
}

// RandomToken returns n random bytes, base64url encoded: refresh tokens,
// client secrets, stream tickets, one-time passwords.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the SHA-256 of an opaque high-entropy token, as stored.
// (High-entropy secrets need no slow hash; passwords do.)
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
