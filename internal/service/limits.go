package service

import (
	"sync"
	"time"
)

// loginLimits counts failed sign-ins per account and per client address in a
// leaky bucket: a burst of failures is allowed, then one attempt per interval.
// State is per process; with several replicas each enforces its own share.
type loginLimits struct {
	mu       sync.Mutex
	accounts map[string]*bucket
	addrs    map[string]*bucket
	lastGC   time.Time
}

type bucket struct {
	level float64 // failures not yet leaked away
	at    time.Time
}

const (
	accountBurst    = 5
	accountInterval = 30 * time.Second
	addrBurst       = 20
	addrInterval    = 5 * time.Second
)

func newLoginLimits() *loginLimits {
	return &loginLimits{accounts: map[string]*bucket{}, addrs: map[string]*bucket{}}
}

func (b *bucket) leak(now time.Time, interval time.Duration) {
	if el := now.Sub(b.at); el > 0 {
		b.level -= float64(el) / float64(interval)
		if b.level < 0 {
			b.level = 0
		}
	}
	b.at = now
}

// wait is how long until the bucket accepts another failure.
func (b *bucket) wait(burst int, interval time.Duration) time.Duration {
	over := b.level - float64(burst-1)
	if over <= 0 {
		return 0
	}
	return time.Duration(over * float64(interval))
}

// begin admits one sign-in attempt, or says how long to wait. An admitted
// attempt counts as a failure at once, under the lock, so parallel attempts
// cannot all slip past the limit while their passwords are being hashed; a
// success gives the slots back.
func (l *loginLimits) begin(account, addr string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gc(now)
	var wait time.Duration
	acc, ip := l.bucket(l.accounts, account, now, accountInterval), l.bucket(l.addrs, addr, now, addrInterval)
	wait = max(acc.wait(accountBurst, accountInterval), ip.wait(addrBurst, addrInterval))
	if wait > 0 {
		return wait
	}
	acc.level++
	ip.level++
	return 0
}

func (l *loginLimits) bucket(m map[string]*bucket, key string, now time.Time, interval time.Duration) *bucket {
	b := m[key]
	if b == nil {
		b = &bucket{at: now}
		m[key] = b
	}
	b.leak(now, interval)
	return b
}

// succeed forgets the account's failures and returns the address's slot.
func (l *loginLimits) succeed(account, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.accounts, account)
	if b := l.addrs[addr]; b != nil && b.level >= 1 {
		b.level--
	}
}

// gc drops buckets that have fully leaked, so memory stays bounded.
func (l *loginLimits) gc(now time.Time) {
	if now.Sub(l.lastGC) < time.Minute {
		return
	}
	l.lastGC = now
	for k, b := range l.accounts {
		if now.Sub(b.at) > accountInterval*accountBurst {
			delete(l.accounts, k)
		}
	}
	for k, b := range l.addrs {
		if now.Sub(b.at) > addrInterval*addrBurst {
			delete(l.addrs, k)
		}
	}
}
