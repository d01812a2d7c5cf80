package store_test

import (
	"context"
	"testing"

	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/events"
	"github.com/rcm-iom/consenso/internal/store"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// TestMigrateWebhookSecrets: a secret registered before Standard Webhooks
// keeps signing with the same key bytes after the migration (it is marked
// raw, never read as base64), and migrating down gives it back unchanged.
func TestMigrateWebhookSecrets(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.URL(t), nil, clocktest.Epoch)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	// "whsec_…" was a legal secret of the old kind too, used as its own bytes.
	legacy := map[string]string{"w1": "s3cret-s3cret-s3cret", "w2": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
	now := clocktest.Epoch()
	err = st.MigrateAround(ctx, "webhook_secret_rotation", func() error {
		db := st.DB()
		if err := db.Exec(`INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at)
			VALUES ('u1', 'admin@example.org', 'Admin', 'x', 'admin', ?, ?)`, now, now).Error; err != nil {
			return err
		}
		for id, secret := range legacy {
			if err := db.Exec(`INSERT INTO webhooks (id, url, events, secret, active, created_by, created_at)
				VALUES (?, 'https://hooks.example.org/', '["*"]', ?, TRUE, 'u1', ?)`, id, secret, now).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	for id, secret := range legacy {
		var key []byte
		err := st.Read(ctx, func(tx *store.Tx) error {
			w, err := tx.Webhook(id)
			if err != nil {
				return err
			}
			if w.PreviousSecret != "" || w.PreviousSecretExpiresAt != nil {
				t.Errorf("%s: a rotation out of nowhere: %+v", id, w)
			}
			key, err = events.SigningKey(w.Secret)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if string(key) != secret {
			t.Errorf("%s signs with %q, want the bytes of %q as before", id, key, secret)
		}
	}

	if err := st.MigrateDownBefore(ctx, "webhook_secret_rotation"); err != nil {
		t.Fatalf("migrate down: %v", err)
	}
	for id, secret := range legacy {
		var got string
		if err := st.DB().Raw("SELECT secret FROM webhooks WHERE id = ?", id).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if got != secret {
			t.Errorf("%s after migrating down: %q, want %q", id, got, secret)
		}
	}
}
