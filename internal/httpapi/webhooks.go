package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// webhookView carries a secret only in the answer that generated it.
type webhookView struct {
	ID                      string     `json:"id"`
	URL                     string     `json:"url"`
	Events                  []string   `json:"events"`
	Active                  bool       `json:"active"`
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at"`
	CreatedAt               time.Time  `json:"created_at"`
	Secret                  string     `json:"secret,omitempty"`
}

func toWebhookView(w drafting.Webhook) webhookView {
	evs := w.Events
	if evs == nil {
		evs = []string{}
	}
	return webhookView{ID: w.ID, URL: w.URL, Events: evs, Active: w.Active, PreviousSecretExpiresAt: w.PreviousSecretExpiresAt, CreatedAt: w.CreatedAt}
}

// withSecret shows a secret Consenso generated, once: the answer must not
// be stored by any cache on the way.
func withSecret(c *gin.Context, v webhookView, secret string) webhookView {
	if secret != "" {
		v.Secret = secret
		c.Header("Cache-Control", "no-store")
	}
	return v
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
	// A secret the caller gave is not echoed, and a replay does not show
	// the generated one again (it may have been rotated since).
	view := toWebhookView(r.Value)
	if req.Secret == "" && !r.Replayed {
		view = withSecret(c, view, r.Value.Secret)
	}
	return created(c, r.Replayed, "/api/v1/webhooks/"+r.Value.ID, "", view)
}

func (s *Server) handleWebhookPatch(c *gin.Context) (int, any, error) {
	var req struct {
		Events               *[]string `json:"events"`
		Active               *bool     `json:"active"`
		Secret               *string   `json:"secret"`
		RotateSecret         bool      `json:"rotate_secret"`
		ExpirePreviousSecret bool      `json:"expire_previous_secret"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	w, secret, err := s.svc.UpdateWebhook(c.Request.Context(), principal(c), c.Param("wid"), service.WebhookChange{
		Events: req.Events, Active: req.Active, Secret: req.Secret, RotateSecret: req.RotateSecret, ExpirePreviousSecret: req.ExpirePreviousSecret})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, withSecret(c, toWebhookView(w), secret), nil
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
