package service

import (
	"context"
	"crypto/subtle"
	"errors"
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

// Login checks an e-mail and password and starts a sign-in (a refresh token
// family). Failures are rate limited per (account, client address) and per
// client address, and the password hash waits for a hashing slot.
func (s *Service) Login(ctx context.Context, email, password, clientIP string) (TokenPair, error) {
	if err := checkPlain("email", email, "password", password); err != nil {
		return TokenPair{}, err
	}
	email = NormalizeEmail(email)
	if len(email) > maxEmailLen {
		return TokenPair{}, errBadCredentials // no such account can exist
	}
	try, wait := s.limits.begin(email, clientIP, s.now())
	if wait > 0 {
		return TokenPair{}, rateLimited(wait)
	}
	user, err := s.checkPassword(ctx, email, password)
	try.end(s.now(), err)
	if err != nil {
		return TokenPair{}, err
	}
	return s.startSession(ctx, user.ID, s.newID())
}

func (s *Service) startSession(ctx context.Context, userID, family string) (TokenPair, error) {
	access, err := s.tokens.Issue(userID, "user", family)
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
// is revoked, and with it every access token issued in it.
func (s *Service) Refresh(ctx context.Context, refresh string) (TokenPair, error) {
	hash := auth.HashToken(refresh)
	next := auth.RandomToken(32)
	var userID, family string
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
			if err := u.RevokeRefreshFamily(t.FamilyID, u.now); err != nil {
				return err
			}
			return u.accountsChanged()
		}
		user, err := u.User(t.UserID)
		if err != nil {
			return err
		}
		if !user.Active {
			return errBadRefresh
		}
		userID, family = t.UserID, t.FamilyID
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
	access, err := s.tokens.Issue(userID, "user", family)
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: access, RefreshToken: next, ExpiresIn: int(s.tokens.AccessTTL().Seconds())}, nil
}

// Logout ends the caller's sign-in (the one its access token belongs to)
// and the one the refresh token belongs to, if it is the caller's; with no
// refresh token, every sign-in of the caller. Their access tokens stop
// working at once, on every replica. An unknown refresh token is not an
// error: the caller is signed out either way. Integrations have no sign-in
// to end (rotating the client secret is their sign-out).
func (s *Service) Logout(ctx context.Context, p auth.Principal, refresh string) error {
	if p.IsIntegration() {
		return nil
	}
	return s.write(ctx, p.ID, func(u *unit) error {
		if refresh == "" {
			if err := u.RevokeUserRefreshTokens(p.ID, u.now); err != nil {
				return err
			}
			return u.accountsChanged()
		}
		if err := u.RevokeRefreshFamily(p.Session, u.now); err != nil {
			return err
		}
		t, err := u.RefreshTokenByHash(auth.HashToken(refresh))
		switch {
		case drafting.IsKind(err, drafting.KindNotFound):
		case err != nil:
			return err
		case t.UserID == p.ID && t.FamilyID != p.Session:
			if err := u.RevokeRefreshFamily(t.FamilyID, u.now); err != nil {
				return err
			}
		}
		return u.accountsChanged()
	})
}

var (
	errBadToken       = drafting.Errorf(drafting.KindUnauthenticated, "auth.invalid_token", "the access token is missing, malformed, expired or revoked")
	errSessionRevoked = drafting.Errorf(drafting.KindUnauthenticated, "auth.session_revoked",
		"the sign-in this access token belongs to has ended (signed out, password changed, or revoked); sign in again")
)

// Authenticate turns a bearer token into the caller. Role, country, status
// and whether the token's sign-in still stands come from the database
// (through a cache that every account or sign-in change empties), never from
// the token, so a change takes effect on the next request.
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
	p, err := s.account(ctx, claims.Kind, claims.Subject, claims.Session)
	return p, claims.ExpiresAt.Time, err
}

// StillAllowed reports whether p is still an active account with the same
// role and country in the same sign-in, for connections that outlive a
// request. It answers false only when that is known: if the database does
// not answer, the stream's own next read fails and ends it without telling
// the client to sign in again.
func (s *Service) StillAllowed(ctx context.Context, p auth.Principal) bool {
	kind := "user"
	if p.IsIntegration() {
		kind = "client"
	}
	now, err := s.account(ctx, kind, p.ID, p.Session)
	if drafting.IsKind(err, drafting.KindUnavailable) {
		return true
	}
	return err == nil && now == p
}

// account reads the caller's account and sign-in, from the cache when
// nothing changed since they were read. Only what the database said is
// remembered — unknown, disabled, signed out — never a failure to ask it:
// a transient error is returned (503) and the next request asks again.
func (s *Service) account(ctx context.Context, kind, subject, session string) (auth.Principal, error) {
	key := kind + ":" + subject + ":" + session
	now := s.now()
	if e, ok := s.principals.get(key, now); ok {
		return e.p, e.refused
	}
	gen := s.principals.gen.Load()
	var p auth.Principal
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		p, err = readCaller(tx, kind, subject, session)
		return err
	})
	if drafting.IsKind(err, drafting.KindUnauthenticated) {
		s.principals.put(key, principalEntry{refused: err, gen: gen, at: now})
		return auth.Principal{}, err
	}
	if err != nil {
		return auth.Principal{}, err
	}
	s.principals.put(key, principalEntry{p: p, gen: gen, at: now})
	return p, nil
}

// readCaller reads who a token names, refusing (401) an unknown or disabled
// account, a sign-in that ended, or a client token issued under a secret
// that was since rotated.
func readCaller(tx *store.Tx, kind, subject, session string) (auth.Principal, error) {
	if kind == "client" {
		in, err := tx.Integration(subject)
		switch {
		case drafting.IsKind(err, drafting.KindNotFound):
			return auth.Principal{}, errBadToken
		case err != nil:
			return auth.Principal{}, err
		case !in.Active:
			return auth.Principal{}, errBadToken
		case auth.ClientSession(in.SecretHash) != session:
			return auth.Principal{}, errSessionRevoked
		}
		return auth.Principal{ID: in.ID, Role: drafting.RoleIntegration, Name: in.Name, Session: session}, nil
	}
	u, err := tx.User(subject)
	switch {
	case drafting.IsKind(err, drafting.KindNotFound):
		return auth.Principal{}, errBadToken
	case err != nil:
		return auth.Principal{}, err
	case !u.Active:
		return auth.Principal{}, errBadToken
	}
	exists, revoked, err := tx.SessionState(session, u.ID)
	switch {
	case err != nil:
		return auth.Principal{}, err
	case !exists || revoked:
		return auth.Principal{}, errSessionRevoked
	}
	return auth.Principal{ID: u.ID, Role: u.Role, Country: u.Country, HeadOfDelegation: u.HeadOfDelegation,
		Name: u.Name, Session: session}, nil
}

// ClientToken exchanges integration client credentials for an access token
// (OAuth 2.0 client_credentials). No refresh token: clients ask again.
func (s *Service) ClientToken(ctx context.Context, clientID, secret, clientIP string) (TokenPair, error) {
	if err := checkPlain("client_id", clientID, "client_secret", secret); err != nil {
		return TokenPair{}, err
	}
	try, wait := s.limits.begin("client:"+clientID, clientIP, s.now())
	if wait > 0 {
		return TokenPair{}, rateLimited(wait)
	}
	in, err := s.checkClient(ctx, clientID, secret)
	try.end(s.now(), err)
	if err != nil {
		return TokenPair{}, err
	}
	access, err := s.tokens.Issue(in.ID, "client", auth.ClientSession(in.SecretHash))
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: access, ExpiresIn: int(s.tokens.AccessTTL().Seconds())}, nil
}

var errBadClient = drafting.Errorf(drafting.KindUnauthenticated, "auth.invalid_client", "unknown client or wrong secret")

// checkClient returns the active integration with these credentials, or
// errBadClient. Client secrets are long random strings, so a SHA-256
// comparison suffices: no password hash, no hashing slot.
func (s *Service) checkClient(ctx context.Context, clientID, secret string) (drafting.Integration, error) {
	var in drafting.Integration
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		in, err = tx.IntegrationByClientID(clientID)
		return err
	})
	if err != nil && !drafting.IsKind(err, drafting.KindNotFound) {
		return in, err
	}
	if err != nil || !in.Active || subtle.ConstantTimeCompare([]byte(auth.HashToken(secret)), []byte(in.SecretHash)) != 1 {
		return in, errBadClient
	}
	return in, nil
}

func rateLimited(wait time.Duration) error {
	e := drafting.Errorf(drafting.KindRateLimited, "auth.rate_limited", "too many failed sign-in attempts; try again later")
	secs := int(wait.Seconds() + 0.999)
	if secs < 1 {
		secs = 1
	}
	e.Data = map[string]any{"retry_after": secs}
	return e
}

// RetryAfter extracts, in seconds, how long the caller of a rate-limited
// (429) or unavailable (503) answer should wait before trying again; 0 for
// any other error.
func RetryAfter(err error) int {
	var e *drafting.Error
	if errors.As(err, &e) && (e.Kind == drafting.KindRateLimited || e.Kind == drafting.KindUnavailable) {
		if n, ok := e.Data["retry_after"].(int); ok {
			return n
		}
	}
	return 0
}
