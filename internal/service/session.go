package service

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// TokenPair is what a successful sign-in returns.
type TokenPair struct {
	AccessToken  string
	RefreshToken string // empty for integrations
	ExpiresIn    int
}

var errBadCredentials = drafting.Errorf(drafting.KindUnauthenticated, "auth.invalid_credentials", "wrong e-mail or password")

// dummyHashes holds, per Argon2 parameters, a hash checked against when the
// account does not exist, so a missing account costs the same time as a
// wrong password hashed with the service's parameters.
var dummyHashes sync.Map // auth.Argon2Params → string

func dummyHash(p auth.Argon2Params) string {
	if h, ok := dummyHashes.Load(p); ok {
		return h.(string)
	}
	h, _ := auth.HashPassword(p, "consenso-timing-equaliser")
	h2, _ := dummyHashes.LoadOrStore(p, h)
	return h2.(string)
}

// Login checks an e-mail and password and starts a sign-in (a refresh token
// family). Failures are rate limited per account and per client address.
func (s *Service) Login(ctx context.Context, email, password, clientIP string) (TokenPair, error) {
	if err := checkPlain("email", email, "password", password); err != nil {
		return TokenPair{}, err
	}
	email = NormalizeEmail(email)
	now := s.clock()
	if wait := s.limits.begin(email, clientIP, now); wait > 0 {
		return TokenPair{}, rateLimited(wait)
	}
	var user drafting.User
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		user, err = tx.UserByEmail(email)
		return err
	})
	if err != nil && !drafting.IsKind(err, drafting.KindNotFound) {
		return TokenPair{}, err
	}
	hash := user.PasswordHash
	if err != nil {
		hash = dummyHash(s.argon)
	}
	ok, herr := auth.CheckPassword(hash, password)
	if err != nil || herr != nil || !ok || !user.Active {
		return TokenPair{}, errBadCredentials
	}
	s.limits.succeed(email, clientIP)
	return s.startSession(ctx, user.ID, s.newID())
}

func (s *Service) startSession(ctx context.Context, userID, family string) (TokenPair, error) {
	access, err := s.tokens.Issue(userID, "user")
	if err != nil {
		return TokenPair{}, err
	}
	refresh := auth.RandomToken(32)
	err = s.write(ctx, userID, func(u *unit) error {
		return u.CreateRefreshToken(store.RefreshToken{ID: s.newID(), FamilyID: family, UserID: userID,
			TokenHash: auth.HashToken(refresh), CreatedAt: u.now, ExpiresAt: u.now.Add(s.refreshTTL)})
	})
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: access, RefreshToken: refresh, ExpiresIn: int(s.tokens.AccessTTL().Seconds())}, nil
}

var errBadRefresh = drafting.Errorf(drafting.KindUnauthenticated, "auth.invalid_refresh_token", "the refresh token is not valid")

// Refresh rotates a refresh token: the presented one is spent and a new pair
// returned, the new refresh token stored in the same transaction. Presenting
// a spent token again is treated as theft: the whole family (that sign-in)
// is revoked.
func (s *Service) Refresh(ctx context.Context, refresh string) (TokenPair, error) {
	hash := auth.HashToken(refresh)
	next := auth.RandomToken(32)
	var userID string
	var reused bool
	err := s.write(ctx, "", func(u *unit) error {
		t, err := u.RefreshTokenByHash(hash)
		if err != nil {
			if drafting.IsKind(err, drafting.KindNotFound) {
				return errBadRefresh
			}
			return err
		}
		if t.RevokedAt != nil || !u.now.Before(t.ExpiresAt) {
			return errBadRefresh
		}
		spent, err := u.SpendRefreshToken(t.ID, u.now)
		if err != nil {
			return err
		}
		if !spent {
			reused = true
			return u.RevokeRefreshFamily(t.FamilyID, u.now)
		}
		user, err := u.User(t.UserID)
		if err != nil {
			return err
		}
		if !user.Active {
			return errBadRefresh
		}
		userID = t.UserID
		return u.CreateRefreshToken(store.RefreshToken{ID: s.newID(), FamilyID: t.FamilyID, UserID: t.UserID,
			TokenHash: auth.HashToken(next), CreatedAt: u.now, ExpiresAt: u.now.Add(s.refreshTTL)})
	})
	if err != nil {
		return TokenPair{}, err
	}
	if reused {
		s.log.Warn("spent refresh token presented again; sign-in revoked")
		return TokenPair{}, errBadRefresh
	}
	access, err := s.tokens.Issue(userID, "user")
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: access, RefreshToken: next, ExpiresIn: int(s.tokens.AccessTTL().Seconds())}, nil
}

// Logout revokes the sign-in the refresh token belongs to. An unknown token
// is not an error: the caller is signed out either way.
func (s *Service) Logout(ctx context.Context, p auth.Principal, refresh string) error {
	return s.write(ctx, p.ID, func(u *unit) error {
		if refresh == "" {
			return u.RevokeUserRefreshTokens(p.ID, u.now)
		}
		t, err := u.RefreshTokenByHash(auth.HashToken(refresh))
		if err != nil {
			if drafting.IsKind(err, drafting.KindNotFound) {
				return nil
			}
			return err
		}
		if t.UserID != p.ID {
			return nil
		}
		return u.RevokeRefreshFamily(t.FamilyID, u.now)
	})
}

var errBadToken = drafting.Errorf(drafting.KindUnauthenticated, "auth.invalid_token", "the access token is missing, malformed, expired or revoked")

// Authenticate turns a bearer token into the caller. Role, country and
// status come from the database (through a cache that every account change
// invalidates), never from the token, so a change takes effect on the next
// request.
func (s *Service) Authenticate(ctx context.Context, bearer string) (auth.Principal, error) {
	p, _, err := s.AuthenticateUntil(ctx, bearer)
	return p, err
}

// AuthenticateUntil is Authenticate that also says when the token expires,
// for connections that outlive a request (the live stream).
func (s *Service) AuthenticateUntil(ctx context.Context, bearer string) (auth.Principal, time.Time, error) {
	claims, err := s.tokens.Verify(bearer)
	if err != nil {
		return auth.Principal{}, time.Time{}, errBadToken
	}
	p, err := s.account(ctx, claims.Kind, claims.Subject)
	return p, claims.ExpiresAt.Time, err
}

// StillAllowed reports whether p is still an active account with the same
// role and country, for connections that outlive a request.
func (s *Service) StillAllowed(ctx context.Context, p auth.Principal) bool {
	kind := "user"
	if p.IsIntegration() {
		kind = "client"
	}
	now, err := s.account(ctx, kind, p.ID)
	return err == nil && now == p
}

// account reads the caller's account, from the cache when no account changed
// since it was read.
func (s *Service) account(ctx context.Context, kind, subject string) (auth.Principal, error) {
	key := kind + ":" + subject
	now := s.now()
	if e, ok := s.principals.get(key, now); ok {
		if !e.ok {
			return auth.Principal{}, errBadToken
		}
		return e.p, nil
	}
	gen := s.principals.gen.Load()
	var p auth.Principal
	err := s.read(ctx, func(tx *store.Tx) error {
		if kind == "client" {
			in, err := tx.Integration(subject)
			if err != nil || !in.Active {
				return errBadToken
			}
			p = auth.Principal{ID: in.ID, Role: drafting.RoleIntegration, Name: in.Name}
			return nil
		}
		u, err := tx.User(subject)
		if err != nil || !u.Active {
			return errBadToken
		}
		p = auth.Principal{ID: u.ID, Role: u.Role, Country: u.Country, HeadOfDelegation: u.HeadOfDelegation, Name: u.Name}
		return nil
	})
	if err != nil {
		if drafting.IsKind(err, drafting.KindInternal) {
			return p, err
		}
		s.principals.put(key, principalEntry{ok: false, gen: gen, at: now})
		return p, errBadToken
	}
	s.principals.put(key, principalEntry{p: p, ok: true, gen: gen, at: now})
	return p, nil
}

// ClientToken exchanges integration client credentials for an access token
// (OAuth 2.0 client_credentials). No refresh token: clients ask again.
func (s *Service) ClientToken(ctx context.Context, clientID, secret, clientIP string) (TokenPair, error) {
	if err := checkPlain("client_id", clientID, "client_secret", secret); err != nil {
		return TokenPair{}, err
	}
	now := s.clock()
	if wait := s.limits.begin("client:"+clientID, clientIP, now); wait > 0 {
		return TokenPair{}, rateLimited(wait)
	}
	var in drafting.Integration
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		in, err = tx.IntegrationByClientID(clientID)
		return err
	})
	if err != nil && !drafting.IsKind(err, drafting.KindNotFound) {
		return TokenPair{}, err
	}
	if err != nil || !in.Active || auth.HashToken(secret) != in.SecretHash {
		return TokenPair{}, drafting.Errorf(drafting.KindUnauthenticated, "auth.invalid_client", "unknown client or wrong secret")
	}
	s.limits.succeed("client:"+clientID, clientIP)
	access, err := s.tokens.Issue(in.ID, "client")
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: access, ExpiresIn: int(s.tokens.AccessTTL().Seconds())}, nil
}

// RateLimitError carries how long the caller must wait.
type RateLimitError struct{ RetryAfter time.Duration }

func rateLimited(wait time.Duration) error {
	e := drafting.Errorf(drafting.KindRateLimited, "auth.rate_limited", "too many failed sign-in attempts; try again later")
	secs := int(wait.Seconds() + 0.999)
	if secs < 1 {
		secs = 1
	}
	e.Data = map[string]any{"retry_after": secs}
	return e
}

// RetryAfter extracts the wait of a rate-limit error in seconds.
func RetryAfter(err error) int {
	var e *drafting.Error
	if errors.As(err, &e) && e.Kind == drafting.KindRateLimited {
		if n, ok := e.Data["retry_after"].(int); ok {
			return n
		}
	}
	return 0
}
