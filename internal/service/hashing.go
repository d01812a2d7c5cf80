package service

import (
	"context"
	"runtime"
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
	// collect runs a collection after each hash, before its slot is given
	// back (do): set when hashes are large (collectHashesOf).
	collect bool
}

// collectHashesOf is the argon2id memory (KiB) from which each hash's is
// collected as soon as it is done: the default parameters' 64 MiB, not the
// tests' 1 MiB, whose hashes the collector's own pace handles.
const collectHashesOf = 16 << 10

// defaultHashWait is how long a request waits for a hashing slot.
const defaultHashWait = 2 * time.Second

func newHashGate(slots int, wait time.Duration, held func(), collect bool) *hashGate {
	return &hashGate{slots: make(chan struct{}, slots), wait: wait, held: held, collect: collect}
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
	// The hash's 64 MiB are garbage now. Left to the collector's pace,
	// which lets the heap grow to twice what was live at the last cycle
	// (when other hashes may have been running), a burst of sign-ins piles
	// up hundreds of MiB of them before a collection (440 MB of RSS after
	// 15 sign-ins, against 180 MB collected). Collected now, the next hash
	// reuses their pages. Before the slot is given back, so that no more
	// than `slots` hashes' memory is ever held.
	if g.collect {
		runtime.GC()
	}
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
