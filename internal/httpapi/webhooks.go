package httpapi

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// webhookView never carries the secret.
type webhookView struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

func toWebhookView(w drafting.Webhook) webhookView {
	evs := w.Events
	if evs == nil {
		evs = []string{}
	}
	return webhookView{ID: w.ID, URL: w.URL, Events: evs, Active: w.Active, CreatedAt: w.CreatedAt}
}

type deliveryView struct {
	ID             string     `json:"id"`
	WebhookID      string     `json:"webhook_id"`
	EventID        int64      `json:"event_id"`
	EventType      string     `json:"event_type"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	NextAttemptAt  *time.Time `json:"next_attempt_at"`
	LastStatusCode *int       `json:"last_status_code"`
	LastError      *string    `json:"last_error"`
	CreatedAt      time.Time  `json:"created_at"`
	DeliveredAt    *time.Time `json:"delivered_at"`
}

func toDeliveryView(d service.DeliveryRecord) deliveryView {
	v := deliveryView{ID: d.ID, WebhookID: d.WebhookID, EventID: d.EventID, EventType: d.EventType, Status: d.Status,
		Attempts: d.Attempts, LastError: optional(d.LastError), CreatedAt: d.CreatedAt, DeliveredAt: d.DeliveredAt}
	if d.Status == drafting.DeliveryPending {
		next := d.NextAttemptAt
		v.NextAttemptAt = &next
	}
	if d.LastStatusCode != 0 {
		code := d.LastStatusCode
		v.LastStatusCode = &code
	}
	return v
}

func (s *Server) handleWebhooksPost(c *gin.Context) (int, any, error) {
	var req struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
		Secret string   `json:"secret"`
	}
	idem, err := decodeCreate(c, &req)
	if err != nil {
		return 0, nil, err
	}
	r, err := s.svc.CreateWebhookOnce(c.Request.Context(), principal(c), req.URL, req.Events, req.Secret, idem)
	if err != nil {
		return 0, nil, err
	}
	return created(c, r.Replayed, "/api/v1/webhooks/"+r.Value.ID, "", toWebhookView(r.Value))
}

func (s *Server) handleWebhooksGet(c *gin.Context) (int, any, error) {
	page, err := pageOf(c)
	if err != nil {
		return 0, nil, err
	}
	q := service.WebhookList{Page: page}
	switch c.Query("include_inactive") {
	case "", "false":
	case "true":
		q.IncludeInactive = true
	default:
		return 0, nil, drafting.Invalid("webhook.invalid_filter", drafting.FieldError{Field: "include_inactive", Message: "must be true or false"})
	}
	hooks, next, err := s.svc.Webhooks(c.Request.Context(), principal(c), q)
	return reply(listOf(hooks, next, toWebhookView), err)
}

func (s *Server) handleWebhookGet(c *gin.Context) (int, any, error) {
	w, err := s.svc.Webhook(c.Request.Context(), principal(c), c.Param("wid"))
	return reply(toWebhookView(w), err)
}

func (s *Server) handleWebhookDelete(c *gin.Context) (int, any, error) {
	return noContent(s.svc.DeleteWebhook(c.Request.Context(), principal(c), c.Param("wid")))
}

func (s *Server) handleWebhookDeliveriesGet(c *gin.Context) (int, any, error) {
	page, err := pageOf(c)
	if err != nil {
		return 0, nil, err
	}
	log, next, err := s.svc.Deliveries(c.Request.Context(), principal(c), c.Param("wid"), service.DeliveryList{Page: page, Status: c.Query("status")})
	return reply(listOf(log, next, toDeliveryView), err)
}
