package drafting

import "time"

// Webhook is an admin-registered receiver of events.
type Webhook struct {
	ID     string
	URL    string
	Events []string // event types, or ["*"]
	// Secret signs every delivery. It is kept in clear (an HMAC needs the
	// key itself) and shown only in the answer that created it.
	Secret string
	// PreviousSecret is the secret a rotation replaced; deliveries are
	// signed with it too until PreviousSecretExpiresAt, so receivers can
	// switch to the new one without losing a delivery.
	PreviousSecret          string
	PreviousSecretExpiresAt *time.Time
	Active                  bool
	CreatedBy               string
	CreatedAt               time.Time
}

// Rotating reports whether the previous secret still signs deliveries at now.
func (w Webhook) Rotating(now time.Time) bool {
	return w.PreviousSecret != "" && w.PreviousSecretExpiresAt != nil && now.Before(*w.PreviousSecretExpiresAt)
}

// SigningSecrets are the secrets a delivery attempted at now is signed
// with: the current one, then the previous one while a rotation lasts.
func (w Webhook) SigningSecrets(now time.Time) []string {
	if w.Rotating(now) {
		return []string{w.Secret, w.PreviousSecret}
	}
	return []string{w.Secret}
}

// Wants reports whether the webhook subscribes to an event type. "*"
// stands for the negotiation events only: account, country, integration
// and webhook events carry e-mail addresses, client ids and receiver URLs,
// and go only to webhooks that name them.
func (w Webhook) Wants(eventType string) bool {
	for _, e := range w.Events {
		if e == eventType || (e == "*" && NegotiationEvents[eventType]) {
			return true
		}
	}
	return false
}

// NegotiationEvents are what a webhook subscribed to "*" receives: the
// drafting, deliberation and publication of guidelines.
var NegotiationEvents = eventSet(
	EventGuidelineCreated, EventGuidelineUpdated, EventGuidelineTranslatorChanged,
	EventSectionCreated, EventSectionUpdated,
	EventClauseCreated, EventClauseMoved, EventClauseTextChanged, EventClauseStatusChanged, EventClauseAlignmentConfirmed, EventClauseAlternativeChosen,
	EventCommentCreated, EventCommentEdited, EventCommentWithdrawn, EventCommentResolved,
	EventPositionRecorded, EventPositionLapsed,
	EventSilenceStarted, EventSilenceBroken, EventSilenceEnded,
	EventDraftCreated, EventGuidelineAdopted,
)

// AdministrationEvents are the events a webhook receives only when it
// names them: who may sign in and how (users, integrations), countries,
// and webhooks themselves. Every event type is in exactly one of the two
// sets; a new type goes here unless it is part of a negotiation.
var AdministrationEvents = eventSet(
	EventUserCreated, EventUserUpdated, EventCountryCreated,
	EventAlternateDesignated, EventAlternateRevoked, EventHeadChanged,
	EventIntegrationCreated, EventIntegrationUpdated,
	EventWebhookCreated, EventWebhookUpdated, EventWebhookDeleted,
)

func eventSet(types ...string) map[string]bool {
	m := make(map[string]bool, len(types))
	for _, t := range types {
		m[t] = true
	}
	return m
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
