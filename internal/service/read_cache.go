package service

import (
	"sync"
)

// revisionCache keeps answers assembled from many rows of one guideline,
// each labelled with the guideline's revision when it was read: the id of
// the guideline's newest event (store.Tx.GuidelineRevision). Every write
// that changes what such an answer shows — a clause's text, status, number
// or section, the guideline's languages — records an event in its own
// transaction, and event ids follow commit order, so an entry whose label
// equals the guideline's revision now is exactly what reading the rows
// again would give. A hit therefore costs one indexed query (the revision)
// instead of the answer's statements and decoding, and stays correct on
// every replica: nothing is invalidated by message, every use is checked
// against the database.
//
// Entries are filled by reading the revision first and the rows after it,
// so an entry is never older than its label (a write landing in between
// makes it newer, and the next read refreshes it). The cache holds at most
// max entries and starts afresh when full.
type revisionCache[V any] struct {
	mu      sync.Mutex
	entries map[string]revisionEntry[V]
	max     int
}

type revisionEntry[V any] struct {
	guideline string
	revision  int64
	value     V
}

func newRevisionCache[V any](max int) *revisionCache[V] {
	return &revisionCache[V]{entries: map[string]revisionEntry[V]{}, max: max}
}

// get returns the entry kept under key, whatever its revision; the caller
// checks the revision against the database.
func (c *revisionCache[V]) get(key string) (revisionEntry[V], bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	return e, ok
}

func (c *revisionCache[V]) put(key, guideline string, revision int64, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[key]; ok && old.revision > revision {
		return // a newer answer is already kept
	}
	if len(c.entries) >= c.max {
		c.entries = map[string]revisionEntry[V]{}
	}
	c.entries[key] = revisionEntry[V]{guideline: guideline, revision: revision, value: v}
}
