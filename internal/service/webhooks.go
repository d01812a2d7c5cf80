package service

import (
	"context"
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
	MinWebhookSecret   = 16
	MaxWebhookSecret   = 256
	MaxWebhookEvents   = 64
	MaxActiveWebhooks  = 100 // every event writes one outbox row per subscribed webhook
	webhookEventsField = "events"
)

// webhookEventTypes are the event types a webhook may subscribe to ("*":
// all of them).
var webhookEventTypes = eventTypeSet(
	drafting.EventUserCreated, drafting.EventUserUpdated, drafting.EventCountryCreated,
	drafting.EventAlternateDesignated, drafting.EventAlternateRevoked,
	drafting.EventGuidelineCreated, drafting.EventGuidelineUpdated,
	drafting.EventSectionCreated, drafting.EventSectionUpdated,
	drafting.EventClauseCreated, drafting.EventClauseMoved, drafting.EventClauseTextChanged, drafting.EventClauseStatusChanged,
	drafting.EventCommentCreated, drafting.EventCommentEdited, drafting.EventCommentWithdrawn, drafting.EventCommentResolved,
	drafting.EventPositionRecorded,
	drafting.EventSilenceStarted, drafting.EventSilenceBroken, drafting.EventSilenceEnded,
	drafting.EventDraftCreated, drafting.EventGuidelineAdopted,
	drafting.EventIntegrationCreated, drafting.EventIntegrationUpdated,
	drafting.EventWebhookCreated, drafting.EventWebhookDeleted,
)

func eventTypeSet(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, it := range items {
		m[it] = true
	}
	return m
}

// SetWebhookAllowPrivate allows (or, by default, refuses) registering
// webhook targets that are plain http or a literal loopback/private
// address. Deliveries enforce the same policy again when dialling.
func (s *Service) SetWebhookAllowPrivate(allow bool) { s.webhookPrivate.Store(allow) }

func (s *Service) webhookAllowPrivate() bool { return s.webhookPrivate.Load() }

// CreateWebhook registers a receiver of events (admin). The secret signs
// every delivery and is never returned.
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
		load:   (*store.Tx).Webhook,
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
	switch n := utf8.RuneCountInString(secret); {
	case secret == "":
		errs.Add("secret", "required")
	case n < MinWebhookSecret:
		errs.Add("secret", "at least 16 characters")
	case n > MaxWebhookSecret:
		errs.Add("secret", "at most 256 characters")
	}
	if err := errs.Err("webhook.invalid"); err != nil {
		return drafting.Webhook{}, err
	}
	var w drafting.Webhook
	n, err := u.CountActiveWebhooks()
	if err != nil {
		return w, err
	}
	if n >= MaxActiveWebhooks {
		return w, drafting.Errorf(drafting.KindConflict, "webhook.limit_reached", "at most %d webhooks may be active; delete one first", MaxActiveWebhooks)
	}
	w = drafting.Webhook{ID: s.newID(), URL: url, Events: types, Secret: secret, Active: true, CreatedBy: p.ID, CreatedAt: u.now}
	if err := u.CreateWebhook(w); err != nil {
		return w, err
	}
	return w, u.emit(drafting.EventWebhookCreated, "", w.ID, map[string]any{"url": w.URL, "events": w.Events})

}

// validateWebhookEvents checks the subscribed types and returns them without
// duplicates; "*" alone stands for every type.
func validateWebhookEvents(errs *drafting.Fields, in []string) []string {
	if len(in) == 0 {
		errs.Add(webhookEventsField, "at least one event type, or \"*\" for all")
		return nil
	}
	if len(in) > MaxWebhookEvents {
		errs.Add(webhookEventsField, "at most 64 event types")
		return nil
	}
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, t := range in {
		switch {
		case t == "*":
			return []string{"*"}
		case !webhookEventTypes[t]:
			errs.Add(webhookEventsField, "unknown event type "+quoteEventType(t))
		case !seen[t]:
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
	return w, err
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
