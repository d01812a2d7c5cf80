package service

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
)

// principalCache keeps the callers read from the database, so the hot read
// paths (approved text, streams) do not pay a query per request. It is exact
// on one replica: every account change bumps the generation when its
// transaction commits. Other replicas hear of the change through PostgreSQL
// NOTIFY; the short lifetime bounds the delay should a notification be lost.
type principalCache struct {
	gen     atomic.Uint64
	entries sync.Map // subject kind + id → principalEntry
}

type principalEntry struct {
	p   auth.Principal
	ok  bool // false: unknown or disabled
	gen uint64
	at  time.Time
}

// principalTTL bounds how long a cached account is trusted without a change
// notification.
const principalTTL = 2 * time.Second

func (c *principalCache) get(key string, now time.Time) (principalEntry, bool) {
	v, ok := c.entries.Load(key)
	if !ok {
		return principalEntry{}, false
	}
	e := v.(principalEntry)
	if e.gen != c.gen.Load() || now.Sub(e.at) > principalTTL || now.Before(e.at) {
		return principalEntry{}, false
	}
	return e, true
}

func (c *principalCache) put(key string, e principalEntry) { c.entries.Store(key, e) }

// invalidate forgets every cached account.
func (c *principalCache) invalidate() {
	c.gen.Add(1)
	c.entries.Clear()
}

// accountEvents change who may do what.
var accountEvents = map[string]bool{
	drafting.EventUserCreated: true, drafting.EventUserUpdated: true,
	drafting.EventIntegrationCreated: true, drafting.EventIntegrationUpdated: true,
}

// InvalidatePrincipals forgets cached accounts; the PostgreSQL listener calls
// it when another replica changed an account.
func (s *Service) InvalidatePrincipals() { s.principals.invalidate() }
