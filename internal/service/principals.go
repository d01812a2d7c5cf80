package service

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
)

// principalCache keeps the callers read from the database, so the hot read
// paths (approved text, streams) do not pay a query per request. An entry is
// one token's view: account and sign-in (the key carries the session). It
// is exact on one replica: every change of an account, a client or a
// sign-in (sign-out, a spent refresh token replayed, a password change)
// bumps the generation when its transaction commits. Other replicas hear of
// the change through PostgreSQL NOTIFY; the short lifetime bounds the delay
// should a notification be lost.
type principalCache struct {
	gen     atomic.Uint64
	entries sync.Map // kind:id:session → principalEntry
}

type principalEntry struct {
	p auth.Principal
	// refused is the 401 the database's answer earned (unknown account,
	// disabled, sign-in ended); nil for a caller who may proceed. A
	// failure to ask the database is never an entry.
	refused error
	gen     uint64
	at      time.Time
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

// InvalidatePrincipals forgets cached accounts and sign-ins; the PostgreSQL
// listener calls it when another replica changed an account or ended a
// sign-in.
func (s *Service) InvalidatePrincipals() { s.principals.invalidate() }
