package service

import (
	"context"
	"errors"
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

// publishRounds bounds the batches one publication takes, so that under a
// steady stream of writes it ends and the writers it covers answer; the
// next one publishes the rest.
const publishRounds = 4

// publishing coalesces publications: writers that commit while one runs
// wait for it to end, and the next one publishes for all of them, so the
// event counter, the count rows and the notifications are taken once per
// batch of writes, not once per write (store.Store.Publish).
type publishing struct {
	// turn is held by the publication running (a channel, so that a
	// writer whose request ends stops waiting for it).
	turn chan struct{}
	// asked counts the requests (each made after its writer committed);
	// tried is the last request the last publication began after, whether
	// it succeeded or not: a writer it covered does not try again, and
	// leaves what failed to RunPublisher.
	asked atomic.Uint64
	tried uint64
	// failed counts the publications that failed: a writer that saw one
	// fail while it waited does not try again, so no writer waits for more
	// than the attempt running when it committed and the one it makes.
	failed atomic.Uint64
}

func newPublishing() *publishing { return &publishing{turn: make(chan struct{}, 1)} }

// publish publishes what has committed to the outbox, and returns once a
// publication that began after the caller committed has ended — this call's
// or another's. A failure is logged, not returned: the caller's transaction
// has committed, and RunPublisher publishes what is left. The caller's
// request ending stops its wait, not the publication.
func (s *Service) publish(ctx context.Context) {
	ticket := s.pub.asked.Add(1)
	failed := s.pub.failed.Load()
	select {
	case s.pub.turn <- struct{}{}:
	default: // another publication runs: wait for it, or for the request's end
		select {
		case s.pub.turn <- struct{}{}:
		case <-ctx.Done():
			return
		}
	}
	defer func() { <-s.pub.turn }()
	if s.pub.tried >= ticket || s.pub.failed.Load() != failed {
		return
	}
	s.pub.tried = s.pub.asked.Load()
	ctx = context.WithoutCancel(ctx)
	err := s.publishPending(ctx)
	if store.IsTransient(err) && !errors.Is(err, context.DeadlineExceeded) {
		// Once more at once: the publisher's connection may have been
		// broken while idle (the database restarted), and its pool opens
		// a new one.
		err = s.publishPending(ctx)
	}
	if err != nil {
		s.pub.failed.Add(1)
	}
	switch {
	case err == nil:
	case store.IsTransient(err):
		s.log.WarnContext(ctx, "publish events: the database did not answer; RunPublisher retries", "err", err)
	default:
		s.log.ErrorContext(ctx, "publish events", "err", err)
	}
}

// publishPending publishes up to publishRounds batches of the outbox, each
// in a transaction of its own bounded by publishTimeout, and tells this
// replica's readers and live streams about each.
func (s *Service) publishPending(ctx context.Context) error {
	for range publishRounds {
		events, more, err := s.publishBatch(ctx)
		if err != nil {
			return err
		}
		s.published(events)
		if !more {
			return nil
		}
	}
	return nil
}

func (s *Service) publishBatch(ctx context.Context) ([]drafting.Event, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	return s.store.Publish(ctx, publishBatch)
}

// published tells the kept reads which guidelines changed, and the live
// streams what happened.
func (s *Service) published(events []drafting.Event) {
	s.forget(events)
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

// forget tells the kept reads that the guidelines of events changed.
func (s *Service) forget(events []drafting.Event) {
	for i, e := range events {
		if e.GuidelineID != "" && (i == 0 || events[i-1].GuidelineID != e.GuidelineID) {
			s.watch.changed(e.GuidelineID)
		}
	}
}
