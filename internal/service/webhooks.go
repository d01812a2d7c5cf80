package service

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/events"
	"github.com/rcm-iom/consenso/internal/store"
)

// Webhook limits.
const (
	MaxWebhookEvents   = 64
	MaxActiveWebhooks  = 100 // every event writes one outbox row per subscribed webhook
	webhookEventsField = "events"
	webhookSecretField = "secret"
)

// WebhookRotationWindow is how long the secret a rotation replaced keeps
// signing deliveries beside the new one: receivers have that long to switch.
const WebhookRotationWindow = 24 * time.Hour

// webhookEventTypes are the event types a webhook may subscribe to: the
// negotiation events ("*" stands for them) and the administration events,
// which only a webhook naming them receives.
var webhookEventTypes = func() map[string]bool {
	m := make(map[string]bool, len(drafting.NegotiationEvents)+len(drafting.AdministrationEvents))
	for t := range drafting.NegotiationEvents {
		m[t] = true
	}
	for t := range drafting.AdministrationEvents {
		m[t] = true
	}
	return m
}()

// SetWebhookAllowPrivate allows (or, by default, refuses) registering
// webhook targets that are plain http or a literal loopback/private
// address. Deliveries enforce the same policy again when dialling.
func (s *Service) SetWebhookAllowPrivate(allow bool) { s.webhookPrivate.Store(allow) }

func (s *Service) webhookAllowPrivate() bool { return s.webhookPrivate.Load() }

// CreateWebhook registers a receiver of events (admin). secret is a
// Standard Webhooks secret ("whsec_" and base64); when empty, one is
// generated. The returned webhook carries its secret, for the creation
// answer to show once.
func (s *Service) CreateWebhook(ctx context.Context, p auth.Principal, url string, eventTypes []string, secret string) (drafting.Webhook, error) {
	out, err := s.CreateWebhookOnce(ctx, p, url, eventTypes, secret, Idempotency{})
	return out.Value, err
}

// CreateWebhookOnce is CreateWebhook honouring an Idempotency-Key.
func (s *Service) CreateWebhookOnce(ctx context.Context, p auth.Principal, url string, eventTypes []string, secret string, idem Idempotency) (Created[drafting.Webhook], error) {
	return createOnce(ctx, s, p, idem, creation[drafting.Webhook]{
		scope:  "webhook",
		create: func(u *unit) (drafting.Webhook, error) { return s.createWebhook(u, p, url, eventTypes, secret) },
		ref:    func(w drafting.Webhook) string { return w.ID },
		load: func(tx *store.Tx, id string) (drafting.Webhook, error) {
			w, err := tx.Webhook(id)
			return s.current(w), err
		},
	})
}

func (s *Service) createWebhook(u *unit, p auth.Principal, url string, eventTypes []string, secret string) (drafting.Webhook, error) {
	if err := requireAdmin(p); err != nil {
		return drafting.Webhook{}, err
	}
	if err := checkPlain("url", url, "secret", secret); err != nil {
		return drafting.Webhook{}, err
	}
	var errs drafting.Fields
	url = strings.TrimSpace(url)
	if err := events.ValidateURL(url, s.webhookAllowPrivate()); err != nil {
		errs.Add("url", err.Error())
	}
	types := validateWebhookEvents(&errs, eventTypes)
	if secret == "" {
		secret = events.NewSecret()
	} else if err := events.ValidateSecret(secret); err != nil {
		errs.Add(webhookSecretField, err.Error())
	}
	if err := errs.Err("webhook.invalid"); err != nil {
		return drafting.Webhook{}, err
	}
	if err := checkWebhookLimit(u); err != nil {
		return drafting.Webhook{}, err
	}
	w := drafting.Webhook{ID: s.newID(), URL: url, Events: types, Secret: secret, Active: true, CreatedBy: p.ID, CreatedAt: u.now}
	if err := u.CreateWebhook(w); err != nil {
		return w, err
	}
	return w, u.emit(drafting.EventWebhookCreated, "", w.ID, map[string]any{"url": w.URL, "events": w.Events})
}

func checkWebhookLimit(u *unit) error {
	n, err := u.CountActiveWebhooks()
	if err != nil {
		return err
	}
	if n >= MaxActiveWebhooks {
		return drafting.Errorf(drafting.KindConflict, "webhook.limit_reached", "at most %d webhooks may be active; delete one first", MaxActiveWebhooks)
	}
	return nil
}

// validateWebhookEvents checks the subscribed types and returns them without
// duplicates. "*" stands for every negotiation event: with it, the list
// keeps only "*" and the administration events named beside it.
func validateWebhookEvents(errs *drafting.Fields, in []string) []string {
	if len(in) == 0 {
		errs.Add(webhookEventsField, "at least one event type, or \"*\" for the negotiation events")
		return nil
	}
	if len(in) > MaxWebhookEvents {
		errs.Add(webhookEventsField, "at most 64 event types")
		return nil
	}
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	wildcard := slices.Contains(in, "*")
	if wildcard {
		out = append(out, "*")
	}
	for _, t := range in {
		switch {
		case t == "*":
		case !webhookEventTypes[t]:
			errs.Add(webhookEventsField, "unknown event type "+quoteEventType(t))
		case seen[t], wildcard && drafting.NegotiationEvents[t]:
		default:
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

func quoteEventType(s string) string {
	if utf8.RuneCountInString(s) > 64 {
		s = string([]rune(s)[:64]) + "…"
	}
	return `"` + s + `"`
}

// WebhookList asks for one page of webhooks.
type WebhookList struct {
	Page
	// IncludeInactive lists deleted webhooks too (their logs stay readable).
	IncludeInactive bool
}

type webhookCursor struct {
	T  time.Time `json:"t"`
	ID string    `json:"id"`
}

// Webhooks lists webhooks oldest first (admin).
func (s *Service) Webhooks(ctx context.Context, p auth.Principal, q WebhookList) ([]drafting.Webhook, string, error) {
	if err := requireAdmin(p); err != nil {
		return nil, "", err
	}
	sp := store.WebhookPage{IncludeInactive: q.IncludeInactive, Limit: q.Limit + 1}
	if q.Cursor != "" {
		var c webhookCursor
		if err := q.decode(&c); err != nil || c.ID == "" {
			return nil, "", errBadCursor
		}
		sp.AfterTime, sp.AfterID = &c.T, c.ID
	}
	var hooks []drafting.Webhook
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		hooks, err = tx.WebhookList(sp)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(hooks) > q.Limit {
		hooks = hooks[:q.Limit]
		last := hooks[len(hooks)-1]
		next = encodeCursor(webhookCursor{T: last.CreatedAt, ID: last.ID})
	}
	for i := range hooks {
		hooks[i] = s.current(hooks[i])
	}
	return hooks, next, nil
}

// Webhook reads one webhook, deleted or not (admin).
func (s *Service) Webhook(ctx context.Context, p auth.Principal, id string) (drafting.Webhook, error) {
	if err := requireAdmin(p); err != nil {
		return drafting.Webhook{}, err
	}
	var w drafting.Webhook
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		w, err = tx.Webhook(id)
		return err
	})
	return s.current(w), err
}

// DeleteWebhook stops deliveries to a webhook (admin): it becomes inactive,
// its pending deliveries are marked failed, and its log is kept. Deleting a
// deleted webhook changes nothing.
func (s *Service) DeleteWebhook(ctx context.Context, p auth.Principal, id string) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	return s.write(ctx, p.ID, func(u *unit) error {
		w, err := u.Webhook(id)
		if err != nil {
			return err
		}
		changed, err := u.DeactivateWebhook(id)
		if err != nil || !changed {
			return err
		}
		return u.emit(drafting.EventWebhookDeleted, "", id, map[string]any{"url": w.URL})
	})
}

// DeliveryList asks for one page of a webhook's delivery log.
type DeliveryList struct {
	Page
	Status string // pending, delivered, failed; empty: all
}

// DeliveryRecord is one entry of a webhook's delivery log.
type DeliveryRecord struct {
	drafting.Delivery
	EventType string
}

// Deliveries pages a webhook's delivery log, newest first (admin).
func (s *Service) Deliveries(ctx context.Context, p auth.Principal, webhookID string, q DeliveryList) ([]DeliveryRecord, string, error) {
	if err := requireAdmin(p); err != nil {
		return nil, "", err
	}
	switch q.Status {
	case "", drafting.DeliveryPending, drafting.DeliveryDelivered, drafting.DeliveryFailed:
	default:
		return nil, "", drafting.Invalid("delivery.invalid_status", drafting.FieldError{Field: "status", Message: "must be pending, delivered or failed"})
	}
	sp := store.DeliveryPage{WebhookID: webhookID, Status: q.Status, Limit: q.Limit + 1}
	if q.Cursor != "" {
		var c webhookCursor
		if err := q.decode(&c); err != nil || c.ID == "" {
			return nil, "", errBadCursor
		}
		sp.BeforeTime, sp.BeforeID = &c.T, c.ID
	}
	var log []store.DeliveryLogEntry
	err := s.read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Webhook(webhookID); err != nil {
			return err
		}
		var err error
		log, err = tx.DeliveryLog(sp)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(log) > q.Limit {
		log = log[:q.Limit]
		last := log[len(log)-1]
		next = encodeCursor(webhookCursor{T: last.CreatedAt, ID: last.ID})
	}
	out := make([]DeliveryRecord, len(log))
	for i, e := range log {
		out[i] = DeliveryRecord{Delivery: e.Delivery, EventType: e.EventType}
	}
	return out, next, nil
}
