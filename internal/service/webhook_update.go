package service

import (
	"context"
	"slices"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/events"
)

// WebhookChange is what UpdateWebhook changes; the zero value changes
// nothing.
type WebhookChange struct {
	Events *[]string // the new subscription
	// Active false stops deliveries as DeleteWebhook does; true resumes a
	// deleted webhook for the events recorded from then on.
	Active *bool
	// RotateSecret replaces the secret with a generated one, Secret with
	// the one given ("whsec_" and base64). Either starts a rotation: the
	// replaced secret signs deliveries too for WebhookRotationWindow.
	RotateSecret bool
	Secret       *string
	// ExpirePreviousSecret ends a rotation now: only the current secret
	// signs from then on. With a new secret, it rotates with no overlap
	// (for a secret that leaked, or one whose creation answer was lost).
	ExpirePreviousSecret bool
}

// UpdateWebhook changes a webhook's subscription, state or secret (admin).
// It returns the webhook and the secret RotateSecret generated ("" when
// none was), to be shown once. A rotation during a rotation drops the
// oldest secret: at most two sign a delivery.
func (s *Service) UpdateWebhook(ctx context.Context, p auth.Principal, id string, ch WebhookChange) (drafting.Webhook, string, error) {
	if err := requireAdmin(p); err != nil {
		return drafting.Webhook{}, "", err
	}
	var errs drafting.Fields
	var types []string
	if ch.Events != nil {
		types = validateWebhookEvents(&errs, *ch.Events)
	}
	newSecret, generated := "", ""
	switch {
	case ch.RotateSecret && ch.Secret != nil:
		errs.Add(webhookSecretField, "give either a new secret or rotate_secret, not both")
	case ch.RotateSecret:
		newSecret = events.NewSecret()
		generated = newSecret
	case ch.Secret != nil:
		if err := events.ValidateSecret(*ch.Secret); err != nil {
			errs.Add(webhookSecretField, err.Error())
		}
		newSecret = *ch.Secret
	}
	if err := errs.Err("webhook.invalid"); err != nil {
		return drafting.Webhook{}, "", err
	}
	var w drafting.Webhook
	err := s.write(ctx, p.ID, func(u *unit) error {
		var err error
		if w, err = u.Webhook(id); err != nil {
			return err
		}
		read := w.Secret
		data := map[string]any{}
		if ch.Events != nil && !slices.Equal(types, w.Events) {
			w.Events = types
			data["events"] = types
		}
		deactivated := false
		if ch.Active != nil && *ch.Active != w.Active {
			if *ch.Active {
				if err := events.ValidateURL(w.URL, s.webhookAllowPrivate()); err != nil {
					return drafting.Errorf(drafting.KindConflict, "webhook.url_refused", "the webhook's URL is no longer allowed (%s); register a new webhook", err)
				}
				if err := checkWebhookLimit(u); err != nil {
					return err
				}
			}
			w.Active = *ch.Active
			deactivated = !w.Active
			data["active"] = w.Active
		}
		if newSecret != "" {
			if newSecret == w.Secret {
				return drafting.Invalid("webhook.invalid", drafting.FieldError{Field: webhookSecretField, Message: "must differ from the current secret"})
			}
			expires := u.now.Add(WebhookRotationWindow)
			w.Secret, w.PreviousSecret, w.PreviousSecretExpiresAt = newSecret, w.Secret, &expires
			data["secret"] = "rotated"
		}
		if ch.ExpirePreviousSecret && w.Rotating(u.now) {
			data["previous_secret"] = "expired"
		}
		if ch.ExpirePreviousSecret || !w.Rotating(u.now) {
			// A previous secret that no longer signs is dropped, not kept.
			w.PreviousSecret, w.PreviousSecretExpiresAt = "", nil
		}
		if len(data) == 0 {
			return nil
		}
		ok, err := u.UpdateWebhook(w, read)
		if err != nil {
			return err
		}
		if !ok {
			return drafting.Errorf(drafting.KindConflict, "webhook.changed", "the webhook's secret changed meanwhile; read the webhook again and retry")
		}
		if deactivated {
			if err := u.FailPendingDeliveries(w.ID); err != nil {
				return err
			}
		}
		return u.emit(drafting.EventWebhookUpdated, "", w.ID, data)
	})
	if err != nil {
		return drafting.Webhook{}, "", err
	}
	return w, generated, nil
}

// current drops a previous secret that no longer signs, so answers show a
// rotation only while it lasts (the row keeps it until the next change;
// deliveries check the expiry themselves).
func (s *Service) current(w drafting.Webhook) drafting.Webhook {
	if !w.Rotating(s.clock()) {
		w.PreviousSecret, w.PreviousSecretExpiresAt = "", nil
	}
	return w
}
