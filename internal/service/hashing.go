package service

import (
	"context"
	"sync"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// hashGate bounds the password hashes running at once. Each argon2id hash
// takes 64 MiB and a core for a good fraction of a second, so without a
// bound a burst of sign-ins takes the server's memory with it; with one,
// a request waits briefly for a slot and is then told to come back (503).
type hashGate struct {
	slots chan struct{}
	wait  time.Duration
	held  func() // test hook: runs with a slot held, before the hash
}

// defaultHashWait is how long a request waits for a hashing slot.
const defaultHashWait = 2 * time.Second

func newHashGate(slots int, wait time.Duration, held func()) *hashGate {
	return &hashGate{slots: make(chan struct{}, slots), wait: wait, held: held}
}

// errBusy answers a request that found every hashing slot taken.
func errBusy() error {
	e := drafting.Errorf(drafting.KindUnavailable, "auth.busy", "the server is busy checking other passwords; try again shortly")
	e.Data = map[string]any{"retry_after": 1}
	return e
}

// do runs fn holding a slot, waiting at most the gate's wait (or until ctx
// ends) for one. The wait runs on a timer, not on the clock.
func (g *hashGate) do(ctx context.Context, fn func()) error {
	select {
	case g.slots <- struct{}{}:
	default:
		timer := time.NewTimer(g.wait)
		defer timer.Stop()
		select {
		case g.slots <- struct{}{}:
		case <-timer.C:
			return errBusy()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	defer func() { <-g.slots }()
	if g.held != nil {
		g.held()
	}
	fn()
	return nil
}

// hashPassword hashes a new password under the gate.
func (s *Service) hashPassword(ctx context.Context, password string) (string, error) {
	var hash string
	var err error
	if gerr := s.hashing.do(ctx, func() { hash, err = auth.HashPassword(s.argon, password) }); gerr != nil {
		return "", gerr
	}
	return hash, err
}

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

// checkPassword returns the active account with this e-mail and password,
// or errBadCredentials. An unknown e-mail costs one hash all the same.
func (s *Service) checkPassword(ctx context.Context, email, password string) (drafting.User, error) {
	var user drafting.User
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		user, err = tx.UserByEmail(email)
		return err
	})
	found := err == nil
	if err != nil && !drafting.IsKind(err, drafting.KindNotFound) {
		return user, err
	}
	match := false
	err = s.hashing.do(ctx, func() {
		hash := user.PasswordHash
		if !found {
			hash = dummyHash(s.argon)
		}
		ok, herr := auth.CheckPassword(hash, password)
		match = ok && herr == nil
	})
	if err != nil {
		return user, err
	}
	if !found || !match || !user.Active {
		return user, errBadCredentials
	}
	return user, nil
}
