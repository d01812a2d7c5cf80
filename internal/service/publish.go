package service

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// publishBatch bounds the outbox rows one publication transaction takes.
const publishBatch = 500

// publishTimeout bounds one publication; writers waiting for it answer when
// it ends, and RunPublisher tries again.
const publishTimeout = 10 * time.Second

// publishing coalesces publications: writers that commit while one runs
// wait for it to end, and the next one publishes for all of them, so the
// event counter, the count rows and the notifications are taken once per
// batch of writes, not once per write (store.Store.Publish).
type publishing struct {
	mu sync.Mutex
	// asked counts the requests (each made after its writer committed);
	// done is the last request the publication that last succeeded began
	// after.
	asked atomic.Uint64
	done  uint64
}

// publish publishes what has committed to the outbox, and returns once
// what the caller committed before it asked is published — by this call or
// by one that began after the caller's commit. A failure is logged, not
// returned: the caller's transaction has committed, and RunPublisher
// publishes what is left.
func (s *Service) publish(ctx context.Context) {
	ticket := s.pub.asked.Add(1)
	s.pub.mu.Lock()
	defer s.pub.mu.Unlock()
	if s.pub.done >= ticket {
		return
	}
	upto := s.pub.asked.Load()
	// The caller's transaction has committed: its request ending does not
	// stop the publication, but a database that stops answering does.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	err := s.publishPending(ctx)
	if store.IsTransient(err) {
		// Once more at once: the publisher's connection may have been
		// broken while idle (the database restarted), and its pool opens
		// a new one.
		err = s.publishPending(ctx)
	}
	switch {
	case err == nil:
		s.pub.done = upto
	case store.IsTransient(err):
		s.log.WarnContext(ctx, "publish events: the database is unavailable; RunPublisher retries", "err", err)
	default:
		s.log.ErrorContext(ctx, "publish events", "err", err)
	}
}

// publishPending empties the outbox, batch by batch, and tells this
// replica's readers and live streams about each batch.
func (s *Service) publishPending(ctx context.Context) error {
	for {
		events, more, err := s.store.Publish(ctx, publishBatch)
		if err != nil {
			return err
		}
		s.published(events)
		if !more {
			return nil
		}
	}
}

// published tells the kept reads which guidelines changed, and the live
// streams what happened.
func (s *Service) published(events []drafting.Event) {
	for i, e := range events {
		if e.GuidelineID != "" && (i == 0 || events[i-1].GuidelineID != e.GuidelineID) {
			s.watch.changed(e.GuidelineID)
		}
	}
	if len(events) > 0 && s.publisher != nil {
		s.publisher.Publish(events)
	}
}

// RunPublisher publishes what is left in the outbox now and then every
// interval, until ctx is done: the rows of a writer whose publication
// failed, or of a replica that stopped between its commit and its
// publication.
func (s *Service) RunPublisher(ctx context.Context, every time.Duration) {
	runEvery(ctx, every, func() { s.publish(ctx) })
}
