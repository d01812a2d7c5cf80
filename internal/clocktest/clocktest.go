// Package clocktest gives tests a clock that moves only when told, starting
// at the suite's epoch, so that no test depends on the date it runs on.
//
// The epoch is CONSENSO_TEST_EPOCH (RFC 3339) when set, 2026-11-27T09:00:00Z
// otherwise; CI runs the suite with epochs far in the past and far in the
// future.
package clocktest

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// EpochEnv names the environment variable that moves every test clock.
const EpochEnv = "CONSENSO_TEST_EPOCH"

var defaultEpoch = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// Epoch returns the time test clocks start at.
func Epoch() time.Time {
	raw := os.Getenv(EpochEnv)
	if raw == "" {
		return defaultEpoch
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		panic(fmt.Sprintf("%s=%q: want an RFC 3339 time such as 2049-06-01T12:00:00Z", EpochEnv, raw))
	}
	return t.UTC()
}

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a clock standing at the epoch.
func New() *Clock { return &Clock{now: Epoch()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
