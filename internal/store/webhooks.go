package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/rcm-iom/consenso/internal/drafting"
)

type webhookRow struct {
	ID        string `gorm:"primaryKey"`
	URL       string
	Events    string
	Secret    string
	Active    bool
	CreatedBy string
	CreatedAt time.Time
}

func (webhookRow) TableName() string { return "webhooks" }

func (r webhookRow) domain() drafting.Webhook {
	w := drafting.Webhook{ID: r.ID, URL: r.URL, Secret: r.Secret, Active: r.Active, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	_ = json.Unmarshal([]byte(r.Events), &w.Events)
	return w
}

// CreateWebhook inserts a webhook.
func (tx *Tx) CreateWebhook(w drafting.Webhook) error {
	ev, err := json.Marshal(w.Events)
	if err != nil {
		return err
	}
	return tx.db.Create(&webhookRow{ID: w.ID, URL: w.URL, Events: string(ev), Secret: w.Secret, Active: w.Active,
		CreatedBy: w.CreatedBy, CreatedAt: w.CreatedAt}).Error
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
	return true, tx.db.Model(&deliveryRow{}).Where("webhook_id = ? AND status = ?", id, drafting.DeliveryPending).
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

// EnqueueDeliveries writes the outbox rows for e, one per subscribed active
// webhook, in the caller's transaction.
func (tx *Tx) EnqueueDeliveries(e drafting.Event) error {
	hooks, err := tx.Webhooks()
	if err != nil {
		return err
	}
	var rows []deliveryRow
	for _, w := range hooks {
		if w.Wants(e.Type) {
			rows = append(rows, deliveryRow{ID: uuid.NewString(), WebhookID: w.ID, EventID: e.ID, Status: drafting.DeliveryPending,
				NextAttemptAt: e.CreatedAt, CreatedAt: e.CreatedAt})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if err := tx.db.Create(&rows).Error; err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}
