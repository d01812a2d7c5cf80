package drafting

import "time"

// Webhook is an admin-registered receiver of events.
type Webhook struct {
	ID        string
	URL       string
	Events    []string // event types, or ["*"]
	Secret    string
	Active    bool
	CreatedBy string
	CreatedAt time.Time
}

// Wants reports whether the webhook subscribes to an event type.
func (w Webhook) Wants(eventType string) bool {
	for _, e := range w.Events {
		if e == "*" || e == eventType {
			return true
		}
	}
	return false
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Delivery is one event sent (or to be sent) to one webhook.
type Delivery struct {
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
}
