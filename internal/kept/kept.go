// Package kept keeps answers in memory labelled with the revision of the
// data they were made from; the reader checks the label against the data's
// revision now before reusing an answer, so nothing is ever invalidated by
// hand.
package kept

import "sync"

// Cache holds at most max entries by key and starts afresh when full.
type Cache[V any] struct {
	mu      sync.Mutex
	entries map[string]Entry[V]
	max     int
}

// Entry is an answer and the revision it reflects.
type Entry[V any] struct {
	Revision int64
	Value    V
}

// New returns a cache of at most max entries.
func New[V any](max int) *Cache[V] {
	return &Cache[V]{entries: map[string]Entry[V]{}, max: max}
}

// Get returns the entry kept under key, whatever its revision: the caller
// compares it with the revision now.
func (c *Cache[V]) Get(key string) (Entry[V], bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	return e, ok
}

// Put keeps v as the answer at revision under key, unless a newer answer
// is kept there already.
func (c *Cache[V]) Put(key string, revision int64, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[key]; ok && old.Revision > revision {
		return
	}
	if len(c.entries) >= c.max {
		c.entries = map[string]Entry[V]{}
	}
	c.entries[key] = Entry[V]{Revision: revision, Value: v}
}
