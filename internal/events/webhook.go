package events

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// Webhook delivery defaults.
const (
	// DefaultWebhookTimeout bounds one delivery attempt: connect, TLS,
	// request, response headers and the (capped) body.
	DefaultWebhookTimeout = 5 * time.Second
	// MaxWebhookAttempts is how many attempts a delivery gets before it is
	// marked failed.
	MaxWebhookAttempts = 10
	// MaxWebhookResponse caps how much of a receiver's answer is read.
	MaxWebhookResponse = 64 << 10

	firstRetry = 5 * time.Second
	maxRetry   = time.Hour
)

// Backoff is the wait before the next attempt after attempt number n (1, 2,
// …) failed: 5 s, 10 s, 20 s, … doubling, at most one hour.
func Backoff(n int) time.Duration {
	d := firstRetry
	for i := 1; i < n && d < maxRetry; i++ {
		d *= 2
	}
	return min(d, maxRetry)
}

// Payload is the JSON body of a delivery: the event as the event log and
// the live stream show it (the contract's Event).
type Payload struct {
	ID          int64          `json:"id"`
	Type        string         `json:"type"`
	GuidelineID *string        `json:"guideline_id"` // null for events outside any guideline
	ActorID     *string        `json:"actor_id"`     // null for what the system did (a silence procedure ending)
	SubjectID   string         `json:"subject_id"`
	Data        map[string]any `json:"data"`
	CreatedAt   time.Time      `json:"created_at"`
}

// PayloadOf builds the delivery body of e.
func PayloadOf(e drafting.Event) Payload {
	p := Payload{ID: e.ID, Type: e.Type, SubjectID: e.SubjectID, Data: e.Data, CreatedAt: e.CreatedAt.UTC()}
	if e.GuidelineID != "" {
		gid := e.GuidelineID
		p.GuidelineID = &gid
	}
	if e.ActorID != "" {
		actor := e.ActorID
		p.ActorID = &actor
	}
	if p.Data == nil {
		p.Data = map[string]any{}
	}
	return p
}

// DelivererConfig wires a Deliverer.
type DelivererConfig struct {
	Store *store.Store
	Log   *slog.Logger
	// Now is the program's clock (required).
	Now func() time.Time
	// AllowPrivate permits plain http and loopback/private targets
	// (CONSENSO_WEBHOOK_ALLOW_PRIVATE), for local receivers and tests.
	AllowPrivate bool
	// HTTPClient replaces the guarded client (tests only: a replacement
	// skips the dial-time address check unless it brings its own).
	HTTPClient *http.Client
	// Resolver resolves target host names (the system's when nil; tests
	// inject one to play a DNS server that answers with a private address).
	Resolver *net.Resolver
	// Timeout bounds one attempt (DefaultWebhookTimeout when zero).
	Timeout time.Duration
	// Interval is how often Run polls the outbox (500 ms when zero).
	Interval time.Duration
	// ClaimFor is how long a claim keeps other workers away from a delivery
	// being sent (30 s when zero). A crashed worker's claims expire after it,
	// and their deliveries are retried. It must exceed Timeout comfortably.
	ClaimFor time.Duration
	// Batch is how many due deliveries one pass looks at (50 when zero).
	Batch int
	// Workers is how many deliveries one pass sends at once (4 when zero).
	Workers int
	// MaxAttempts before a delivery fails (MaxWebhookAttempts when zero).
	MaxAttempts int
}

// Deliverer sends the webhook outbox. Any number may run, in one process or
// in several replicas on one database: a delivery is claimed by a
// conditional UPDATE before it is sent, so each attempt is made by one
// worker, and a claim expires so nothing is lost when a worker dies
// mid-attempt (delivery is at least once; receivers de-duplicate on the
// webhook-id header). Sending happens outside any transaction.
type Deliverer struct {
	store        *store.Store
	log          *slog.Logger
	now          func() time.Time
	allowPrivate bool
	client       *http.Client
	interval     time.Duration
	claimFor     time.Duration
	batch        int
	workers      int
	maxAttempts  int
	wake         chan struct{}
}

// NewDeliverer returns a Deliverer; call Run to start it.
func NewDeliverer(cfg DelivererConfig) *Deliverer {
	d := &Deliverer{
		store: cfg.Store, log: cfg.Log, now: cfg.Now, allowPrivate: cfg.AllowPrivate, client: cfg.HTTPClient,
		interval: cfg.Interval, claimFor: cfg.ClaimFor, batch: cfg.Batch, workers: cfg.Workers, maxAttempts: cfg.MaxAttempts,
		wake: make(chan struct{}, 1),
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.now == nil {
		panic("events.NewDeliverer: DelivererConfig.Now is required: the program's clock is wired in run")
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultWebhookTimeout
	}
	if d.client == nil {
		d.client = newWebhookClient(d.allowPrivate, timeout, cfg.Resolver)
	}
	if d.interval <= 0 {
		d.interval = 500 * time.Millisecond
	}
	if d.claimFor <= 0 {
		d.claimFor = 30 * time.Second
	}
	// A claim must outlast the attempt, or another worker could send the
	// same delivery while this one is still waiting for an answer.
	d.claimFor = max(d.claimFor, 3*timeout)
	if d.batch <= 0 {
		d.batch = 50
	}
	if d.workers <= 0 {
		d.workers = 4
	}
	if d.maxAttempts <= 0 {
		d.maxAttempts = MaxWebhookAttempts
	}
	return d
}

// Run sends due deliveries until ctx ends: every Interval, and at once after
// Wake.
func (d *Deliverer) Run(ctx context.Context) {
	t := time.NewTicker(d.interval)
	defer t.Stop()
	for {
		for ctx.Err() == nil {
			n, err := d.DeliverDue(ctx)
			if err != nil && ctx.Err() == nil {
				d.log.Error("webhook deliveries", "err", err)
			}
			if err != nil || n < d.batch {
				break // a full batch means more may be due: go again at once
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.wake:
		}
	}
}

// Wake makes Run look at the outbox now (e.g. after a commit that recorded
// events) instead of at its next tick. It never blocks.
func (d *Deliverer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Publish wakes the deliverer for new events, so it can sit beside the live
// stream hub as a service publisher.
func (d *Deliverer) Publish([]drafting.Event) { d.Wake() }

// clock returns now as stored: UTC, microsecond precision.
func (d *Deliverer) clock() time.Time { return d.now().UTC().Truncate(time.Microsecond) }

// DeliverDue makes one pass over the outbox: it claims each due delivery it
// can and makes one attempt at it, and reports how many attempts it made.
// Deliveries another worker holds are skipped.
func (d *Deliverer) DeliverDue(ctx context.Context) (int, error) {
	var ids []string
	now := d.clock()
	err := d.store.Read(ctx, func(tx *store.Tx) error {
		var err error
		ids, err = tx.DueDeliveries(now, d.batch)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("due webhook deliveries: %w", err)
	}
	var (
		mu       sync.Mutex
		sent     int
		firstErr error
		wg       sync.WaitGroup
		slots    = make(chan struct{}, d.workers)
	)
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			ok, err := d.attempt(ctx, id)
			mu.Lock()
			defer mu.Unlock()
			if ok {
				sent++
			}
			if err != nil && firstErr == nil {
				firstErr = err
			}
		}()
	}
	wg.Wait()
	return sent, firstErr
}

// attempt claims one delivery and, if the claim is won, sends it and
// records the outcome. sent reports whether this worker made the attempt.
func (d *Deliverer) attempt(ctx context.Context, id string) (sent bool, err error) {
	now := d.clock()
	until := now.Add(d.claimFor)
	var job store.DeliveryJob
	var claimed bool
	err = d.store.Write(ctx, func(tx *store.Tx) error {
		ok, err := tx.ClaimDelivery(id, now, until)
		if err != nil || !ok {
			return err
		}
		claimed = true
		job, err = tx.DeliveryJob(id)
		return err
	})
	if err != nil || !claimed {
		return false, err
	}

	code, sendErr := d.send(ctx, job)
	if sendErr != nil && ctx.Err() != nil {
		// Shutting down: leave the claim to expire; the attempt is made
		// again then, here or on another replica.
		return true, nil
	}
	out := d.outcome(job, code, sendErr)
	var recorded bool
	// The attempt was made: record it even if shutdown began meanwhile.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err = d.store.Write(rctx, func(tx *store.Tx) error {
		var err error
		recorded, err = tx.RecordDeliveryOutcome(id, until, out)
		return err
	})
	if err != nil {
		return true, err
	}
	attrs := []any{"delivery_id", id, "webhook_id", job.Webhook.ID, "event_id", job.Event.ID,
		"event_type", job.Event.Type, "attempt", job.Delivery.Attempts, "status_code", code, "outcome", out.Status}
	switch {
	case !recorded:
		d.log.Info("webhook attempt outcome not recorded: the webhook was deleted or the claim expired", attrs...)
	case out.Status == drafting.DeliveryDelivered:
		d.log.Debug("webhook delivered", attrs...)
	case out.Status == drafting.DeliveryFailed:
		d.log.Warn("webhook delivery failed for good", append(attrs, "err", out.Error)...)
	default:
		d.log.Info("webhook attempt failed; will retry", append(attrs, "err", out.Error, "next_attempt_at", out.NextAttemptAt)...)
	}
	return true, nil
}

// outcome turns an attempt's result into the row's next state.
func (d *Deliverer) outcome(job store.DeliveryJob, code int, err error) store.DeliveryOutcome {
	now := d.clock()
	if err == nil && code >= 200 && code < 300 {
		return store.DeliveryOutcome{Status: drafting.DeliveryDelivered, StatusCode: code, NextAttemptAt: job.Delivery.NextAttemptAt, DeliveredAt: &now}
	}
	msg := ""
	switch {
	case err != nil:
		msg = describe(err)
	case code >= 300 && code < 400:
		msg = "redirect not followed: HTTP " + strconv.Itoa(code)
	default:
		msg = "HTTP " + strconv.Itoa(code)
	}
	n := job.Delivery.Attempts // already counts this attempt
	if n >= d.maxAttempts {
		return store.DeliveryOutcome{Status: drafting.DeliveryFailed, StatusCode: code, Error: msg, NextAttemptAt: job.Delivery.NextAttemptAt}
	}
	return store.DeliveryOutcome{Status: drafting.DeliveryPending, StatusCode: code, Error: msg, NextAttemptAt: now.Add(Backoff(n))}
}

// send POSTs the signed event and returns the receiver's status code.
func (d *Deliverer) send(ctx context.Context, job store.DeliveryJob) (int, error) {
	if !job.Webhook.Active {
		return 0, errors.New("webhook deleted")
	}
	if err := ValidateURL(job.Webhook.URL, d.allowPrivate); err != nil {
		return 0, fmt.Errorf("target URL %w", err)
	}
	body, err := json.Marshal(PayloadOf(job.Event))
	if err != nil {
		return 0, fmt.Errorf("encode event: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, job.Webhook.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	// Signed now, at the attempt: a retry carries the same webhook-id and
	// body with a fresh timestamp, so receivers can refuse old replays.
	at := d.clock()
	var keys [][]byte
	for _, secret := range job.Webhook.SigningSecrets(at) {
		key, err := SigningKey(secret)
		if err != nil {
			return 0, err
		}
		keys = append(keys, key)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Consenso-Webhook/1")
	req.Header.Set(HeaderWebhookID, job.Delivery.ID)
	req.Header.Set(HeaderWebhookTimestamp, strconv.FormatInt(at.Unix(), 10))
	req.Header.Set(HeaderWebhookSignature, Sign(job.Delivery.ID, at, body, keys...))
	req.Header.Set("X-Consenso-Event", job.Event.Type)
	// The signature of the first contract (API.md), kept so existing
	// receivers go on working: deprecated, body only, no replay protection.
	req.Header.Set("X-Consenso-Delivery", job.Delivery.ID)
	if len(keys) > 0 {
		req.Header.Set("X-Consenso-Signature", LegacySignature(body, keys[0]))
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	// The answer is read (so the connection can be reused) up to a cap, and
	// discarded: a receiver cannot make us hold or store more.
	_, _ = drain(resp.Body)
	return resp.StatusCode, nil
}

// drain reads and discards at most MaxWebhookResponse bytes of r.
func drain(r io.Reader) (int64, error) {
	return io.Copy(io.Discard, io.LimitReader(r, MaxWebhookResponse))
}

// describe keeps an attempt's error short and free of the target URL (which
// may carry a token in its query).
func describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	return msg
}
