package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// webhookRoutes registers the admin's webhook endpoints.
func (s *Server) webhookRoutes(a *gin.RouterGroup) {
	a.POST("/webhooks", s.handleWebhooksPost)
	a.GET("/webhooks", s.handleWebhooksGet)
	a.GET("/webhooks/:wid", s.handleWebhookGet)
	a.DELETE("/webhooks/:wid", s.handleWebhookDelete)
	a.GET("/webhooks/:wid/deliveries", s.handleWebhookDeliveriesGet)
}

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

func (s *Server) handleWebhooksPost(c *gin.Context) {
	var req struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
		Secret string   `json:"secret"`
	}
	raw, err := decodeKeepingBody(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.svc.CreateWebhookOnce(c.Request.Context(), principal(c), req.URL, req.Events, req.Secret, idempotency(c, raw),
		func(w drafting.Webhook) (int, []byte, error) { return jsonAnswer(http.StatusCreated, toWebhookView(w)) })
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeCreated(c, res, "/api/v1/webhooks/")
}

func (s *Server) handleWebhooksGet(c *gin.Context) {
	page, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	q := service.WebhookList{Page: page}
	switch c.Query("include_inactive") {
	case "", "false":
	case "true":
		q.IncludeInactive = true
	default:
		s.fail(c, drafting.Invalid("webhook.invalid_filter", drafting.FieldError{Field: "include_inactive", Message: "must be true or false"}))
		return
	}
	hooks, next, err := s.svc.Webhooks(c.Request.Context(), principal(c), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]webhookView, len(hooks))
	for i, w := range hooks {
		items[i] = toWebhookView(w)
	}
	c.JSON(http.StatusOK, listView[webhookView]{Items: items, NextCursor: optional(next)})
}

func (s *Server) handleWebhookGet(c *gin.Context) {
	w, err := s.svc.Webhook(c.Request.Context(), principal(c), c.Param("wid"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toWebhookView(w))
}

func (s *Server) handleWebhookDelete(c *gin.Context) {
	if err := s.svc.DeleteWebhook(c.Request.Context(), principal(c), c.Param("wid")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) handleWebhookDeliveriesGet(c *gin.Context) {
	page, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	log, next, err := s.svc.Deliveries(c.Request.Context(), principal(c), c.Param("wid"), service.DeliveryList{Page: page, Status: c.Query("status")})
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]deliveryView, len(log))
	for i, d := range log {
		items[i] = toDeliveryView(d)
	}
	c.JSON(http.StatusOK, listView[deliveryView]{Items: items, NextCursor: optional(next)})
}
