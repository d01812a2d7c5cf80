package service

import (
	"context"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

func requireAdmin(p auth.Principal) error {
	if !p.IsAdmin() {
		return forbidden("only admins manage accounts, countries, integrations and webhooks")
	}
	return nil
}

// CreateIntegration registers a client; the secret is returned once and only
// its hash is kept.
func (s *Service) CreateIntegration(ctx context.Context, p auth.Principal, name string) (drafting.Integration, string, error) {
	r, secret, err := s.CreateIntegrationOnce(ctx, p, name, Idempotency{})
	return r.Value, secret, err
}

// CreateIntegrationOnce is CreateIntegration honouring an Idempotency-Key.
// A replay answers the client as it is now without its secret ("", as no
// answer but the creation shows it): only the hash is kept, and the secret
// may have been rotated since.
func (s *Service) CreateIntegrationOnce(ctx context.Context, p auth.Principal, name string, idem Idempotency) (Created[drafting.Integration], string, error) {
	if err := requireAdmin(p); err != nil {
		return Created[drafting.Integration]{}, "", err
	}
	if err := checkText("name", &name); err != nil {
		return Created[drafting.Integration]{}, "", err
	}
	var errs drafting.Fields
	name = validateTitle(&errs, "name", name)
	if err := errs.Err("integration.invalid"); err != nil {
		return Created[drafting.Integration]{}, "", err
	}
	secret := auth.RandomToken(32)
	r, err := createOnce(ctx, s, p, idem, creation[drafting.Integration]{
		scope: "integration",
		create: func(u *unit) (drafting.Integration, error) {
			in := drafting.Integration{ID: s.newID(), Name: name, ClientID: "cns_" + auth.RandomToken(12), SecretHash: auth.HashToken(secret),
				Active: true, CreatedAt: u.now, UpdatedAt: u.now}
			if err := u.CreateIntegration(in); err != nil {
				return in, err
			}
			return in, u.emit(drafting.EventIntegrationCreated, "", in.ID, map[string]any{"name": name, "client_id": in.ClientID})
		},
		ref:  func(in drafting.Integration) string { return in.ID },
		load: (*store.Tx).Integration,
	})
	if err != nil || r.Replayed {
		secret = ""
	}
	return r, secret, err
}

// Integrations lists the integration clients (admin).
func (s *Service) Integrations(ctx context.Context, p auth.Principal) ([]drafting.Integration, error) {
	if err := requireAdmin(p); err != nil {
		return nil, err
	}
	var out []drafting.Integration
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Integrations()
		return err
	})
	return out, err
}

// Integration reads one integration client (admin).
func (s *Service) Integration(ctx context.Context, p auth.Principal, id string) (drafting.Integration, error) {
	if err := requireAdmin(p); err != nil {
		return drafting.Integration{}, err
	}
	var out drafting.Integration
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Integration(id)
		return err
	})
	return out, err
}

// UpdateIntegration renames, disables or re-enables a client, and rotates its
// secret when rotate is set (the new secret is returned once). A disabled
// client's tokens stop working at once.
func (s *Service) UpdateIntegration(ctx context.Context, p auth.Principal, id string, name *string, active *bool, rotate bool) (drafting.Integration, string, error) {
	if err := requireAdmin(p); err != nil {
		return drafting.Integration{}, "", err
	}
	if err := checkText("name", name); err != nil {
		return drafting.Integration{}, "", err
	}
	var in drafting.Integration
	secret := ""
	err := s.write(ctx, p.ID, func(u *unit) error {
		var err error
		if in, err = u.Integration(id); err != nil {
			return err
		}
		var errs drafting.Fields
		data := map[string]any{}
		if name != nil {
			in.Name = validateTitle(&errs, "name", *name)
			data["name"] = in.Name
		}
		if err := errs.Err("integration.invalid"); err != nil {
			return err
		}
		if active != nil {
			in.Active = *active
			data["active"] = in.Active
		}
		if rotate {
			secret = auth.RandomToken(32)
			in.SecretHash = auth.HashToken(secret)
			data["secret"] = "rotated"
		}
		in.UpdatedAt = u.now
		if err := u.UpdateIntegration(in); err != nil {
			return err
		}
		return u.emit(drafting.EventIntegrationUpdated, "", in.ID, data)
	})
	return in, secret, err
}
