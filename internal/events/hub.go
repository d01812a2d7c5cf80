package events

import (
	"sync"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// Hub wakes live-stream subscribers when a guideline has new events. It
// carries no payloads: a woken stream reads the log after its last id, so
// live delivery and catch-up after a reconnect are the same code path, and
// a slow client can never make the hub block or lose an event.
type Hub struct {
	mu      sync.Mutex
	subs    map[string]map[*Subscription]struct{} // by guideline id
	perUser map[string]int
	limit   int
	closed  chan struct{}
	once    sync.Once
}

// Subscription is one live stream's wake-up channel.
type Subscription struct {
	guideline string
	user      string
	// C receives a value whenever there may be new events.
	C chan struct{}
}

// NewHub returns a hub that allows at most perUserLimit concurrent streams
// per user (or integration).
func NewHub(perUserLimit int) *Hub {
	return &Hub{subs: map[string]map[*Subscription]struct{}{}, perUser: map[string]int{}, limit: perUserLimit, closed: make(chan struct{})}
}

// Subscribe registers a stream; ok is false when the user already holds the
// maximum number of streams.
func (h *Hub) Subscribe(guidelineID, userID string) (sub *Subscription, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.perUser[userID] >= h.limit {
		return nil, false
	}
	h.perUser[userID]++
	sub = &Subscription{guideline: guidelineID, user: userID, C: make(chan struct{}, 1)}
	if h.subs[guidelineID] == nil {
		h.subs[guidelineID] = map[*Subscription]struct{}{}
	}
	h.subs[guidelineID][sub] = struct{}{}
	return sub, true
}

// Unsubscribe removes a stream.
func (h *Hub) Unsubscribe(sub *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[sub.guideline][sub]; !ok {
		return
	}
	delete(h.subs[sub.guideline], sub)
	if len(h.subs[sub.guideline]) == 0 {
		delete(h.subs, sub.guideline)
	}
	if h.perUser[sub.user]--; h.perUser[sub.user] <= 0 {
		delete(h.perUser, sub.user)
	}
}

// Wake signals every stream of a guideline (empty: of all guidelines).
func (h *Hub) Wake(guidelineID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	wake := func(m map[*Subscription]struct{}) {
		for s := range m {
			select {
			case s.C <- struct{}{}:
			default: // already signalled; one read catches up everything
			}
		}
	}
	if guidelineID == "" {
		for _, m := range h.subs {
			wake(m)
		}
		return
	}
	wake(h.subs[guidelineID])
}

// Publish wakes the streams of the guidelines the events belong to; the
// service calls it after a commit (on SQLite, where there is one process).
func (h *Hub) Publish(evs []drafting.Event) {
	seen := map[string]bool{}
	for _, e := range evs {
		if e.GuidelineID != "" && !seen[e.GuidelineID] {
			seen[e.GuidelineID] = true
			h.Wake(e.GuidelineID)
		}
	}
}

// Close ends every stream (on shutdown).
func (h *Hub) Close() { h.once.Do(func() { close(h.closed) }) }

// Closed is closed when the server shuts down.
func (h *Hub) Closed() <-chan struct{} { return h.closed }

// Streams reports how many streams are open.
func (h *Hub) Streams() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, m := range h.subs {
		n += len(m)
	}
	return n
}
