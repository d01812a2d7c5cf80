package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// webhookRow keeps secrets in clear: an HMAC is computed with the key
// itself, so a hash would be useless. They never leave the service but in
// the answer that created them.
type webhookRow struct {
	ID                      string `gorm:"primaryKey"`
	URL                     string
	Events                  string
	Secret                  string
	PreviousSecret          string
	PreviousSecretExpiresAt *time.Time
	Active                  bool
	CreatedBy               string
	CreatedAt               time.Time
}

func (webhookRow) TableName() string { return "webhooks" }

func (r webhookRow) domain() drafting.Webhook {
	w := drafting.Webhook{ID: r.ID, URL: r.URL, Secret: r.Secret, PreviousSecret: r.PreviousSecret,
		PreviousSecretExpiresAt: r.PreviousSecretExpiresAt, Active: r.Active, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	_ = json.Unmarshal([]byte(r.Events), &w.Events)
	return w
}

func toWebhookRow(w drafting.Webhook) (webhookRow, error) {
	ev, err := json.Marshal(w.Events)
	if err != nil {
		return webhookRow{}, err
	}
	return webhookRow{ID: w.ID, URL: w.URL, Events: string(ev), Secret: w.Secret, PreviousSecret: w.PreviousSecret,
		PreviousSecretExpiresAt: w.PreviousSecretExpiresAt, Active: w.Active, CreatedBy: w.CreatedBy, CreatedAt: w.CreatedAt}, nil
}

// CreateWebhook inserts a webhook.
func (tx *Tx) CreateWebhook(w drafting.Webhook) error {
	r, err := toWebhookRow(w)
	if err != nil {
		return err
	}
	return tx.db.Create(&r).Error
}

// UpdateWebhook stores w's events, active flag and secrets, provided the
// stored secret is still secretRead (the one the caller read): two
// rotations racing on PostgreSQL must not both succeed, or the secret the
// first one returned would be lost without a trace. ok is false, and
// nothing is written, when another change came first.
func (tx *Tx) UpdateWebhook(w drafting.Webhook, secretRead string) (ok bool, err error) {
	r, err := toWebhookRow(w)
	if err != nil {
		return false, err
	}
	res := tx.db.Model(&webhookRow{}).Where("id = ? AND secret = ?", w.ID, secretRead).Updates(map[string]any{
		"events": r.Events, "active": r.Active, "secret": r.Secret,
		"previous_secret": r.PreviousSecret, "previous_secret_expires_at": r.PreviousSecretExpiresAt,
	})
	if res.Error != nil {
		return false, fmt.Errorf("update webhook %s: %w", w.ID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// Webhooks lists the active webhooks by creation.
func (tx *Tx) Webhooks() ([]drafting.Webhook, error) {
	var rows []webhookRow
	if err := tx.db.Where("active = ?", true).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]drafting.Webhook, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// Webhook reads one webhook.
func (tx *Tx) Webhook(id string) (drafting.Webhook, error) {
	var r webhookRow
	if err := tx.db.Where("id = ?", id).Take(&r).Error; err != nil {
		return drafting.Webhook{}, notFound(err, "webhook")
	}
	return r.domain(), nil
}

// DeactivateWebhook stops deliveries to a webhook; its log is kept.
func (tx *Tx) DeactivateWebhook(id string) (bool, error) {
	res := tx.db.Model(&webhookRow{}).Where("id = ? AND active = ?", id, true).Update("active", false)
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	return true, tx.FailPendingDeliveries(id)
}

// FailPendingDeliveries gives up the pending deliveries of a webhook that
// was deleted (made inactive).
func (tx *Tx) FailPendingDeliveries(webhookID string) error {
	return tx.db.Model(&deliveryRow{}).Where("webhook_id = ? AND status = ?", webhookID, drafting.DeliveryPending).
		Updates(map[string]any{"status": drafting.DeliveryFailed, "last_error": "webhook deleted"}).Error
}

type deliveryRow struct {
	ID             string `gorm:"primaryKey"`
	WebhookID      string
	EventID        int64
	Status         string
	Attempts       int
	NextAttemptAt  time.Time
	ClaimedUntil   *time.Time
	LastStatusCode int
	LastError      string
	CreatedAt      time.Time
	DeliveredAt    *time.Time
}

func (deliveryRow) TableName() string { return "webhook_deliveries" }

func (r deliveryRow) domain() drafting.Delivery {
	return drafting.Delivery{ID: r.ID, WebhookID: r.WebhookID, EventID: r.EventID, Status: r.Status, Attempts: r.Attempts,
		NextAttemptAt: r.NextAttemptAt, LastStatusCode: r.LastStatusCode, LastError: r.LastError,
		CreatedAt: r.CreatedAt, DeliveredAt: r.DeliveredAt}
}

// enqueueDeliveries queues one delivery per published event and active
// webhook subscribed to its type. The webhooks are those active when the
// event is published: one created a moment after an event was written, and
// before it was published, receives it too (comparing the writers' and the
// creator's clocks instead would lose events to clock skew between
// replicas).
func (tx *Tx) enqueueDeliveries(events []drafting.Event) error {
	if len(events) == 0 {
		return nil
	}
	hooks, err := tx.Webhooks()
	if err != nil {
		return err
	}
	var rows []deliveryRow
	for _, e := range events {
		for _, w := range hooks {
			if w.Wants(e.Type) {
				rows = append(rows, deliveryRow{ID: uuid.NewString(), WebhookID: w.ID, EventID: e.ID, Status: drafting.DeliveryPending,
					NextAttemptAt: e.CreatedAt, CreatedAt: e.CreatedAt})
			}
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if err := tx.db.CreateInBatches(rows, 200).Error; err != nil {
		return fmt.Errorf("webhook deliveries: %w", err)
	}
	return nil
}

// WebhookPage selects one page of webhooks in creation order.
type WebhookPage struct {
	IncludeInactive bool
	// After is the (created_at, id) of the last webhook of the previous page.
	AfterTime *time.Time
	AfterID   string
	Limit     int
}

// WebhookList lists webhooks oldest first; deleted (inactive) ones only when
// asked, since their delivery logs stay readable.
func (tx *Tx) WebhookList(p WebhookPage) ([]drafting.Webhook, error) {
	var rows []webhookRow
	q := tx.db.Order("created_at, id").Limit(p.Limit)
	if !p.IncludeInactive {
		q = q.Where("active = ?", true)
	}
	if p.AfterTime != nil {
		q = q.Where(keysetAfter(""), *p.AfterTime, p.AfterID)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]drafting.Webhook, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// CountActiveWebhooks returns how many webhooks receive deliveries.
func (tx *Tx) CountActiveWebhooks() (int64, error) {
	var n int64
	err := tx.db.Model(&webhookRow{}).Where("active = ?", true).Count(&n).Error
	return n, err
}

// DueDeliveries returns the ids of pending deliveries whose next attempt is
// due at now and that no worker holds (or whose holder's claim has expired,
// as after a crash), oldest first.
func (tx *Tx) DueDeliveries(now time.Time, limit int) ([]string, error) {
	var ids []string
	err := tx.db.Model(&deliveryRow{}).
		Where("status = ? AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)", drafting.DeliveryPending, now, now).
		Order("next_attempt_at, id").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}

// ClaimDelivery takes a due delivery for one attempt until `until` and counts
// the attempt. It is one conditional UPDATE, so when several workers (or
// replicas) race for a delivery exactly one wins; ok is false for the others
// and when the delivery is no longer due.
func (tx *Tx) ClaimDelivery(id string, now, until time.Time) (ok bool, err error) {
	res := tx.db.Exec("UPDATE webhook_deliveries SET claimed_until = ?, attempts = attempts + 1 "+
		"WHERE id = ? AND status = ? AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)",
		until, id, drafting.DeliveryPending, now, now)
	if res.Error != nil {
		return false, fmt.Errorf("claim delivery %s: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// DeliveryJob is what a worker needs to send one claimed delivery.
type DeliveryJob struct {
	Delivery drafting.Delivery
	Webhook  drafting.Webhook
	Event    drafting.Event
	// ClaimedUntil fences the worker's claim: its outcome is recorded only
	// while the claim is still the one it took.
	ClaimedUntil time.Time
}

// DeliveryJob reads a delivery with its webhook and event.
func (tx *Tx) DeliveryJob(id string) (DeliveryJob, error) {
	var d deliveryRow
	if err := tx.db.Where("id = ?", id).Take(&d).Error; err != nil {
		return DeliveryJob{}, notFound(err, "delivery")
	}
	var w webhookRow
	if err := tx.db.Where("id = ?", d.WebhookID).Take(&w).Error; err != nil {
		return DeliveryJob{}, fmt.Errorf("webhook of delivery %s: %w", id, err)
	}
	var er eventRow
	if err := tx.db.Where("id = ?", d.EventID).Take(&er).Error; err != nil {
		return DeliveryJob{}, fmt.Errorf("event of delivery %s: %w", id, err)
	}
	e, err := er.domain()
	if err != nil {
		return DeliveryJob{}, err
	}
	job := DeliveryJob{Delivery: d.domain(), Webhook: w.domain(), Event: e}
	if d.ClaimedUntil != nil {
		job.ClaimedUntil = *d.ClaimedUntil
	}
	return job, nil
}

// DeliveryOutcome is the result of one attempt.
type DeliveryOutcome struct {
	Status        string // delivered, pending (retry at NextAttemptAt) or failed
	StatusCode    int    // the receiver's HTTP status; 0 when there was no response
	Error         string // why the attempt failed; empty when delivered
	NextAttemptAt time.Time
	DeliveredAt   *time.Time
}

// RecordDeliveryOutcome stores the result of an attempt and releases the
// claim, provided the delivery is still pending under the claim the worker
// took (claimedUntil). ok is false when it is not — the webhook was deleted
// meanwhile, or the claim expired and another worker took over — and then
// nothing is written.
func (tx *Tx) RecordDeliveryOutcome(id string, claimedUntil time.Time, o DeliveryOutcome) (ok bool, err error) {
	res := tx.db.Model(&deliveryRow{}).
		Where("id = ? AND status = ? AND claimed_until = ?", id, drafting.DeliveryPending, claimedUntil).
		Updates(map[string]any{
			"status": o.Status, "last_status_code": o.StatusCode, "last_error": o.Error,
			"next_attempt_at": o.NextAttemptAt, "delivered_at": o.DeliveredAt, "claimed_until": nil,
		})
	if res.Error != nil {
		return false, fmt.Errorf("record delivery %s: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// DeliveryLogEntry is a delivery as the admin's log shows it.
type DeliveryLogEntry struct {
	drafting.Delivery
	EventType string
}

// DeliveryPage selects one page of a webhook's delivery log, newest first.
type DeliveryPage struct {
	WebhookID string
	Status    string // empty: any
	// Before is the (created_at, id) of the last entry of the previous page.
	BeforeTime *time.Time
	BeforeID   string
	Limit      int
}

// DeliveryLog lists a webhook's deliveries, newest first.
func (tx *Tx) DeliveryLog(p DeliveryPage) ([]DeliveryLogEntry, error) {
	type logRow struct {
		ID             string
		WebhookID      string
		EventID        int64
		Status         string
		Attempts       int
		NextAttemptAt  time.Time
		LastStatusCode int
		LastError      string
		CreatedAt      time.Time
		DeliveredAt    *time.Time
		EventType      string
	}
	var rows []logRow
	q := tx.db.Table("webhook_deliveries AS d").
		Select("d.id, d.webhook_id, d.event_id, d.status, d.attempts, d.next_attempt_at, d.last_status_code, d.last_error, d.created_at, d.delivered_at, e.type AS event_type").
		Joins("JOIN events e ON e.id = d.event_id").
		Where("d.webhook_id = ?", p.WebhookID).
		Order("d.created_at DESC, d.id DESC").Limit(p.Limit)
	if p.Status != "" {
		q = q.Where("d.status = ?", p.Status)
	}
	if p.BeforeTime != nil {
		q = q.Where(keysetBefore("d."), *p.BeforeTime, p.BeforeID)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]DeliveryLogEntry, len(rows))
	for i, r := range rows {
		out[i] = DeliveryLogEntry{EventType: r.EventType, Delivery: drafting.Delivery{ID: r.ID, WebhookID: r.WebhookID,
			EventID: r.EventID, Status: r.Status, Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt,
			LastStatusCode: r.LastStatusCode, LastError: r.LastError, CreatedAt: r.CreatedAt, DeliveredAt: r.DeliveredAt}}
	}
	return out, nil
}
