package service

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// signinLimits counts failed sign-ins in token buckets (golang.org/x/time/rate)
// per (account, client address) and per client address. There is no limit
// per account alone: failures from one address never keep the account's
// owner out from another, so a correct password from an address with no
// recent failures always signs in. State is per process; with several
// replicas each enforces its own share.
type signinLimits struct {
	mu    sync.Mutex
	pairs map[string]*attempts // account + "\n" + address
	addrs map[string]*attempts
	// swept is when idle entries were last dropped, kept the number left.
	swept time.Time
	kept  int
}

// limitRule is a bucket's shape: burst failures at once, then one more per
// interval.
type limitRule struct {
	burst int
	every time.Duration
}

var (
	pairRule = limitRule{burst: 5, every: 30 * time.Second}
	addrRule = limitRule{burst: 20, every: 5 * time.Second}
)

const (
	// sweepEvery is how often idle entries are dropped; sooner when the
	// maps have doubled since the last sweep (plus sweepSlack).
	sweepEvery = time.Minute
	sweepSlack = 1024
)

// attempts is one bucket: its limiter holds the failures recorded, inflight
// the attempts admitted whose password is still being checked.
type attempts struct {
	lim      *rate.Limiter
	rule     limitRule
	inflight int
}

func newAttempts(r limitRule) *attempts {
	return &attempts{lim: rate.NewLimiter(rate.Every(r.every), r.burst), rule: r}
}

// wait is how long until the bucket admits one more attempt: every attempt
// in flight is counted as a failure already.
func (a *attempts) wait(now time.Time) time.Duration {
	free := a.lim.TokensAt(now) - float64(a.inflight)
	if free >= 1 {
		return 0
	}
	return time.Duration((1 - free) * float64(a.rule.every))
}

// idle reports whether the bucket is as good as new, so it can be dropped.
func (a *attempts) idle(now time.Time) bool {
	return a.inflight == 0 && a.lim.TokensAt(now) >= float64(a.rule.burst)
}

func newSigninLimits() *signinLimits {
	return &signinLimits{pairs: map[string]*attempts{}, addrs: map[string]*attempts{}}
}

// signinAttempt is one admitted attempt. Exactly one of its ends is called:
// the password was wrong, right, or never checked.
type signinAttempt struct {
	l          *signinLimits
	pair, addr *attempts
}

// begin admits one sign-in attempt, or says how long to wait. The attempt
// holds its slot in both buckets from now on, under the lock, so parallel
// guesses cannot slip past the limit while their passwords are hashed.
func (l *signinLimits) begin(account, clientIP string, now time.Time) (*signinAttempt, time.Duration) {
	addr := addrKey(clientIP)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	ip := l.bucket(l.addrs, addr, addrRule)
	if wait := ip.wait(now); wait > 0 {
		return nil, wait
	}
	pair := l.bucket(l.pairs, account+"\n"+addr, pairRule)
	if wait := pair.wait(now); wait > 0 {
		return nil, wait
	}
	ip.inflight++
	pair.inflight++
	return &signinAttempt{l: l, pair: pair, addr: ip}, 0
}

func (l *signinLimits) bucket(m map[string]*attempts, key string, r limitRule) *attempts {
	a := m[key]
	if a == nil {
		a = newAttempts(r)
		m[key] = a
	}
	return a
}

// failed records a wrong password in both buckets.
func (t *signinAttempt) failed(now time.Time) {
	t.l.mu.Lock()
	defer t.l.mu.Unlock()
	t.pair.inflight--
	t.addr.inflight--
	// ReserveN always records: past the burst it runs into debt, which is
	// what a failure in flight when the bucket emptied should cost.
	t.pair.lim.ReserveN(now, 1)
	t.addr.lim.ReserveN(now, 1)
}

// succeeded forgets the failures of this account from this address; the
// address's failures stand (they may be guesses at other accounts).
func (t *signinAttempt) succeeded() {
	t.l.mu.Lock()
	defer t.l.mu.Unlock()
	t.pair.inflight--
	t.addr.inflight--
	t.pair.lim = rate.NewLimiter(rate.Every(pairRule.every), pairRule.burst)
}

// abandoned gives the slots back: the password was never checked (the
// server was busy, the database failed, the client went away).
func (t *signinAttempt) abandoned() {
	t.l.mu.Lock()
	defer t.l.mu.Unlock()
	t.pair.inflight--
	t.addr.inflight--
}

// end closes the attempt by the outcome of the credential check: nil is a
// success, an unauthenticated error wrong credentials, anything else an
// attempt abandoned before its answer was known.
func (t *signinAttempt) end(now time.Time, err error) {
	switch {
	case err == nil:
		t.succeeded()
	case drafting.IsKind(err, drafting.KindUnauthenticated):
		t.failed(now)
	default:
		t.abandoned()
	}
}

// sweep drops buckets that are as good as new, so memory stays bounded by
// the failures of the last few minutes: every minute, or sooner when the
// maps have doubled since the last sweep.
func (l *signinLimits) sweep(now time.Time) {
	n := len(l.pairs) + len(l.addrs)
	if now.Sub(l.swept) < sweepEvery && n < 2*l.kept+sweepSlack {
		return
	}
	for _, m := range []map[string]*attempts{l.pairs, l.addrs} {
		for k, a := range m {
			if a.idle(now) {
				delete(m, k)
			}
		}
	}
	l.swept = now
	l.kept = len(l.pairs) + len(l.addrs)
}

// size is the number of buckets held (for tests).
func (l *signinLimits) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.pairs) + len(l.addrs)
}

// addrKey is the bucket key of a client address: the address itself for
// IPv4, its /64 network for IPv6 (one subscriber usually holds a whole /64,
// so counting single IPv6 addresses would count nothing).
func addrKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return a.String()
	}
	return p.String()
}
