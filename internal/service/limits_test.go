package service

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/drafting"
)

// mustBegin admits an attempt or fails the test.
func mustBegin(t *testing.T, l *signinLimits, account, addr string, now time.Time) *signinAttempt {
	t.Helper()
	try, wait := l.begin(account, addr, now)
	if wait > 0 || try == nil {
		t.Fatalf("begin(%s, %s) refused for %v", account, addr, wait)
	}
	return try
}

// refused fails the test unless begin is refused, and returns the wait.
func refused(t *testing.T, l *signinLimits, account, addr string, now time.Time) time.Duration {
	t.Helper()
	try, wait := l.begin(account, addr, now)
	if try != nil || wait <= 0 {
		t.Fatalf("begin(%s, %s) admitted, want refused", account, addr)
	}
	return wait
}

func TestSigninLimits(t *testing.T) {
	const acct, home, away = "delegate@example.org", "198.51.100.7", "203.0.113.9"
	t.Run("failures_count_per_account_and_address", func(t *testing.T) {
		l, now := newSigninLimits(), clocktest.New().Now()
		for range pairRule.burst {
			mustBegin(t, l, acct, away, now).failed(now)
		}
		wait := refused(t, l, acct, away, now)
		if wait <= 0 || wait > pairRule.every {
			t.Fatalf("wait = %v, want at most %v", wait, pairRule.every)
		}
		// The owner, from their own address, is not locked out.
		mustBegin(t, l, acct, home, now).succeeded()
		// Another account from the guessing address is not either.
		mustBegin(t, l, "other@example.org", away, now).abandoned()
		// Once the wait is over, one more attempt is admitted.
		refused(t, l, acct, away, now.Add(wait-time.Millisecond))
		mustBegin(t, l, acct, away, now.Add(wait)).failed(now.Add(wait))
		refused(t, l, acct, away, now.Add(wait))
	})
	t.Run("attempts_in_flight_hold_their_slots", func(t *testing.T) {
		l, now := newSigninLimits(), clocktest.New().Now()
		var tries []*signinAttempt
		for range pairRule.burst { // parallel guesses, none answered yet
			tries = append(tries, mustBegin(t, l, acct, away, now))
		}
		refused(t, l, acct, away, now)
		tries[0].abandoned() // never checked: the slot comes back
		last := mustBegin(t, l, acct, away, now)
		refused(t, l, acct, away, now)
		for _, try := range append(tries[1:], last) {
			try.failed(now)
		}
		refused(t, l, acct, away, now)
	})
	t.Run("success_forgets_the_failures_of_that_address_only", func(t *testing.T) {
		l, now := newSigninLimits(), clocktest.New().Now()
		for range pairRule.burst - 1 {
			mustBegin(t, l, acct, home, now).failed(now)
			mustBegin(t, l, acct, away, now).failed(now)
		}
		mustBegin(t, l, acct, home, now).succeeded()
		for range pairRule.burst {
			mustBegin(t, l, acct, home, now).failed(now)
		}
		mustBegin(t, l, acct, away, now).failed(now)
		refused(t, l, acct, away, now)
	})
	t.Run("one_address_guessing_many_accounts_is_refused", func(t *testing.T) {
		l, now := newSigninLimits(), clocktest.New().Now()
		for i := range addrRule.burst {
			mustBegin(t, l, fmt.Sprintf("u%d@example.org", i), away, now).failed(now)
		}
		refused(t, l, "fresh@example.org", away, now)
		mustBegin(t, l, "fresh@example.org", home, now).succeeded()
		// One interval later one attempt is admitted; its success forgets
		// nothing of the address's failures on other accounts.
		later := now.Add(addrRule.every)
		mustBegin(t, l, "fresh@example.org", away, later).succeeded()
		mustBegin(t, l, "fresh@example.org", away, later).failed(later)
		refused(t, l, "u0@example.org", away, later)
	})
	t.Run("ipv6_addresses_count_by_network", func(t *testing.T) {
		l, now := newSigninLimits(), clocktest.New().Now()
		for i := range pairRule.burst {
			mustBegin(t, l, acct, fmt.Sprintf("2001:db8:1:2::%x", i+1), now).failed(now)
		}
		refused(t, l, acct, "2001:db8:1:2:ffff::1", now)
		mustBegin(t, l, acct, "2001:db8:1:3::1", now).succeeded()
		if got := addrKey("::ffff:192.0.2.1"); got != "192.0.2.1" {
			t.Fatalf("addrKey of a mapped IPv4 address = %q", got)
		}
	})
	t.Run("idle_buckets_are_dropped", func(t *testing.T) {
		clk := clocktest.New()
		l := newSigninLimits()
		held := mustBegin(t, l, acct, home, clk.Now())
		for i := range 300 {
			mustBegin(t, l, acct, fmt.Sprintf("192.0.2.%d", i%250), clk.Now()).failed(clk.Now())
		}
		if l.size() < 250 {
			t.Fatalf("size = %d before any sweep", l.size())
		}
		// Long enough for every bucket to refill, and for a sweep to be due.
		clk.Advance(time.Duration(pairRule.burst)*pairRule.every + sweepEvery)
		mustBegin(t, l, "x@example.org", away, clk.Now()).abandoned()
		// Left: the attempt in flight (two buckets) and the newest (two).
		if got := l.size(); got != 4 {
			t.Fatalf("size after a sweep = %d, want 4", got)
		}
		held.succeeded()
		clk.Advance(sweepEvery)
		mustBegin(t, l, "y@example.org", away, clk.Now()).abandoned()
		if got := l.size(); got != 2 {
			t.Fatalf("size after the attempt ended = %d, want 2", got)
		}
	})
	t.Run("a_flood_is_swept_before_the_minute_is_out", func(t *testing.T) {
		clk := clocktest.New()
		l := newSigninLimits()
		for i := range 10 * sweepSlack {
			// Attempts never answered (the server was busy) leave idle buckets.
			mustBegin(t, l, fmt.Sprintf("u%d@example.org", i), fmt.Sprintf("10.0.%d.%d", i/250, i%250), clk.Now()).abandoned()
		}
		if got := l.size(); got > 2*(2*sweepSlack+2) {
			t.Fatalf("size = %d after %d idle attempts in one instant", got, 10*sweepSlack)
		}
	})
}

func TestHashGate(t *testing.T) {
	t.Run("full_gate_answers_busy", func(t *testing.T) {
		entered, release := make(chan struct{}), make(chan struct{})
		g := newHashGate(1, time.Millisecond, nil, false)
		done := make(chan error)
		go func() {
			done <- g.do(context.Background(), func() { close(entered); <-release })
		}()
		<-entered
		err := g.do(context.Background(), func() { t.Error("ran without a slot") })
		if !drafting.IsKind(err, drafting.KindUnavailable) || RetryAfter(err) != 1 {
			t.Fatalf("err = %v, want busy with a Retry-After", err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		ran := false
		if err := g.do(context.Background(), func() { ran = true }); err != nil || !ran {
			t.Fatalf("free gate: ran=%v err=%v", ran, err)
		}
	})
	// A hash's memory is collected before its slot is given back: a burst
	// of sign-ins holds at most one hash's worth per slot, not what the
	// collector's pace would let pile up (hundreds of MiB with two slots).
	t.Run("a_hash's_memory_is_collected_with_its_slot", func(t *testing.T) {
		g := newHashGate(1, time.Second, nil, true)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		const size = 64 << 20 // argon2id's memory with the default parameters
		if err := g.do(context.Background(), func() {
			block := make([]byte, size)
			for i := range block {
				block[i] = byte(i)
			}
			// A collection while the block is in use sets the next one
			// far off, as during a real hash.
			runtime.GC()
			runtime.KeepAlive(block)
		}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > size/2 {
			t.Fatalf("the heap holds %d MiB more after the hash: its block was not collected", grown>>20)
		}
	})
	t.Run("the_default_parameters'_hashes_are_collected", func(t *testing.T) {
		now := func() time.Time { return time.Time{} }
		if s := New(Config{Now: now}); !s.hashing.collect {
			t.Error("hashes of the default parameters (64 MiB) are left to the collector's pace")
		}
		if s := New(Config{Now: now, Argon2: auth.FastArgon2}); s.hashing.collect {
			t.Error("the tests' 1 MiB hashes are collected one by one")
		}
	})
	t.Run("cancelled_request_stops_waiting", func(t *testing.T) {
		entered, release := make(chan struct{}), make(chan struct{})
		g := newHashGate(1, time.Hour, nil, false)
		go func() { _ = g.do(context.Background(), func() { close(entered); <-release }) }()
		defer close(release)
		<-entered
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := g.do(ctx, func() {}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}
