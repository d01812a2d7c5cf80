package events_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/events"
	"github.com/rcm-iom/consenso/internal/service"
	"github.com/rcm-iom/consenso/internal/store"
)

// The test vector of the Standard Webhooks reference libraries
// (libraries/go/webhook_test.go, TestWebhookSign, in
// github.com/standard-webhooks/standard-webhooks).
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

// standardSignature is the specification's signature written again from
// its text, sharing nothing with package events: HMAC-SHA256 keyed with the
// bytes the secret's base64 (after "whsec_") stands for, over
// "{id}.{timestamp}.{body}", base64-encoded behind "v1,".
func standardSignature(t *testing.T, secret, id, timestamp string, body []byte) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatalf("secret %q: %v", secret, err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// verifyStandard checks a delivery as a receiver following the
// specification would, at its own clock's now: the three headers present,
// the timestamp within five minutes, and then, for each entry of
// webhook-signature in order, whether it is secret's signature (compared in
// constant time).
func verifyStandard(t *testing.T, r whRequest, now time.Time, secret string) []bool {
	t.Helper()
	id, ts, sig := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature")
	if id == "" || ts == "" || sig == "" {
		t.Fatalf("Standard Webhooks headers missing: id %q, timestamp %q, signature %q", id, ts, sig)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		t.Fatalf("webhook-timestamp %q is not integer seconds", ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		t.Fatalf("webhook-timestamp %s is %v away from the receiver's clock", ts, d)
	}
	want := standardSignature(t, secret, id, ts, r.Body)
	var out []bool
	for _, entry := range strings.Split(sig, " ") {
		if !strings.HasPrefix(entry, "v1,") {
			t.Fatalf("signature entry %q is not v1", entry)
		}
		out = append(out, hmac.Equal([]byte(entry), []byte(want)))
	}
	return out
}

func TestSignKnownVector(t *testing.T) {
	t.Parallel()
	// The independent implementation agrees with the reference libraries…
	if got := standardSignature(t, vectorSecret, vectorID, strconv.Itoa(vectorTimestamp), []byte(vectorBody)); got != vectorSignature {
		t.Fatalf("the test's own implementation gives %s, the reference %s", got, vectorSignature)
	}
	// …and so does Consenso's.
	key, err := events.SigningKey(vectorSecret)
	if err != nil {
		t.Fatal(err)
	}
	if got := events.Sign(vectorID, time.Unix(vectorTimestamp, 0), []byte(vectorBody), key); got != vectorSignature {
		t.Errorf("Sign = %s, want %s", got, vectorSignature)
	}
	other, _ := events.SigningKey(events.NewSecret())
	both := events.Sign(vectorID, time.Unix(vectorTimestamp, 0), []byte(vectorBody), key, other)
	if parts := strings.Split(both, " "); len(parts) != 2 || parts[0] != vectorSignature || !strings.HasPrefix(parts[1], "v1,") || parts[1] == parts[0] {
		t.Errorf("two keys sign as %q, want two space-separated v1 entries, the first key's first", both)
	}
}

func TestValidateSecret(t *testing.T) {
	t.Parallel()
	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	cases := []struct {
		secret string
		ok     bool
	}{
		{vectorSecret, true},
		{"whsec_" + b64(24), true},
		{"whsec_" + b64(32), true},
		{"whsec_" + b64(64), true},
		{"whsec_" + b64(23), false},                         // too short a key
		{"whsec_" + b64(65), false},                         // too long
		{strings.TrimPrefix(vectorSecret, "whsec_"), false}, // no prefix
		{"whsec_" + strings.TrimRight(b64(32), "="), false}, // unpadded
		{"whsec_" + base64.URLEncoding.EncodeToString([]byte(strings.Repeat("\xfb\xff", 16))), false}, // URL alphabet
		{"whsec_ " + b64(32), false},
		{"s3cret-s3cret-s3cret", false}, // a secret of the old kind
		{"", false},
	}
	for _, c := range cases {
		if err := events.ValidateSecret(c.secret); (err == nil) != c.ok {
			t.Errorf("ValidateSecret(%q) = %v, want ok %v", c.secret, err, c.ok)
		}
	}
}

func TestNewSecret(t *testing.T) {
	t.Parallel()
	a, b := events.NewSecret(), events.NewSecret()
	if a == b {
		t.Fatal("two generated secrets are equal")
	}
	for _, s := range []string{a, b} {
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		if !strings.HasPrefix(s, "whsec_") || err != nil || len(key) != 32 || events.ValidateSecret(s) != nil {
			t.Errorf("generated secret %q: want whsec_ and the base64 of 32 bytes", s)
		}
	}
}

// TestWebhookLegacySecretSigns: a secret registered before Standard
// Webhooks (any string, its bytes the key) was marked "raw:" by the
// migration and signs with the same key, which a receiver can use with the
// libraries as "whsec_" + base64(secret).
func TestWebhookLegacySecretSigns(t *testing.T) {
	t.Parallel()
	f := newWhFixture(t)
	rc := newWhReceiver(t, nil)
	w := f.mustWebhook(t, rc.URL)
	const legacy = "s3cret-s3cret-s3cret"
	if err := f.st.DB().Exec("UPDATE webhooks SET secret = ? WHERE id = ?", "raw:"+legacy, w.ID).Error; err != nil {
		t.Fatal(err)
	}
	mustDeliver(t, f.deliverer(events.DelivererConfig{AllowPrivate: true}), 1)
	equivalent := "whsec_" + base64.StdEncoding.EncodeToString([]byte(legacy))
	if sigs := verifyStandard(t, rc.requests()[0], f.clk.Now(), equivalent); len(sigs) != 1 || !sigs[0] {
		t.Errorf("signatures = %v, want one made with the legacy secret's bytes", sigs)
	}
}

// TestWebhookRotation: after a rotation every delivery carries the new
// signature and the previous one, for 24 hours or until the rotation is
// ended; then the new one alone.
func TestWebhookRotation(t *testing.T) {
	t.Parallel()
	f := newWhFixture(t)
	var failing atomic.Bool
	rc := newWhReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		if failing.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	ctx := context.Background()
	w := f.mustWebhook(t, rc.URL, "*", "country.created")
	d := f.deliverer(events.DelivererConfig{AllowPrivate: true})
	country := func(code string) {
		t.Helper()
		if _, err := f.svc.CreateCountry(ctx, f.admin, drafting.Country{Code: code, Name: "Country " + code, Language: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	country("QZ")
	mustDeliver(t, d, 1) // before any rotation: one signature
	if sigs := verifyStandard(t, rc.requests()[0], f.clk.Now(), whSecret); len(sigs) != 1 || !sigs[0] {
		t.Fatalf("before the rotation: %v", sigs)
	}

	rotated, secret, err := f.svc.UpdateWebhook(ctx, f.admin, w.ID, service.WebhookChange{RotateSecret: true})
	if err != nil {
		t.Fatal(err)
	}
	if events.ValidateSecret(secret) != nil || secret == whSecret || rotated.Secret != secret {
		t.Fatalf("rotation gave secret %q", secret)
	}
	if exp := rotated.PreviousSecretExpiresAt; exp == nil || !exp.Equal(f.clk.Now().Add(service.WebhookRotationWindow)) {
		t.Fatalf("previous secret expires at %v, want now + 24 h", exp)
	}
	last := func() whRequest { r := rc.requests(); return r[len(r)-1] }

	// During the window: v1,<new> v1,<previous>.
	f.clk.Advance(service.WebhookRotationWindow - time.Second)
	country("QA")
	mustDeliver(t, d, 1)
	if got := verifyStandard(t, last(), f.clk.Now(), secret); len(got) != 2 || !got[0] || got[1] {
		t.Errorf("during the rotation, matching the new secret: %v, want [true false]", got)
	}
	if got := verifyStandard(t, last(), f.clk.Now(), whSecret); len(got) != 2 || got[0] || !got[1] {
		t.Errorf("during the rotation, matching the previous secret: %v, want [false true]", got)
	}

	// A retry after the window is signed for its own time: one signature.
	failing.Store(true)
	country("QB")
	mustDeliver(t, d, 1) // fails, retried in 5 s
	if got := verifyStandard(t, last(), f.clk.Now(), secret); len(got) != 2 {
		t.Fatalf("first attempt inside the window: %v", got)
	}
	f.clk.Advance(5 * time.Second) // the window has ended
	failing.Store(false)
	mustDeliver(t, d, 1)
	if got := verifyStandard(t, last(), f.clk.Now(), secret); len(got) != 1 || !got[0] {
		t.Errorf("after the window: %v, want the new secret's signature alone", got)
	}
	if hook, err := f.svc.Webhook(ctx, f.admin, w.ID); err != nil || hook.PreviousSecretExpiresAt != nil {
		t.Errorf("after the window the webhook shows a rotation: %+v, %v", hook.PreviousSecretExpiresAt, err)
	}

	// A second rotation, ended early: one signature again at once.
	_, third, err := f.svc.UpdateWebhook(ctx, f.admin, w.ID, service.WebhookChange{RotateSecret: true})
	if err != nil {
		t.Fatal(err)
	}
	country("QC")
	mustDeliver(t, d, 1)
	if got := verifyStandard(t, last(), f.clk.Now(), third); len(got) != 2 || !got[0] {
		t.Errorf("second rotation: %v", got)
	}
	if got := verifyStandard(t, last(), f.clk.Now(), secret); len(got) != 2 || !got[1] {
		t.Errorf("second rotation, previous secret: %v", got)
	}
	if _, shown, err := f.svc.UpdateWebhook(ctx, f.admin, w.ID, service.WebhookChange{ExpirePreviousSecret: true}); err != nil || shown != "" {
		t.Fatalf("ending the rotation: %q, %v", shown, err)
	}
	country("QD")
	mustDeliver(t, d, 1)
	if got := verifyStandard(t, last(), f.clk.Now(), third); len(got) != 1 || !got[0] {
		t.Errorf("after ending the rotation: %v", got)
	}
}

// TestWebhookConcurrentRotations: two rotations at once never lose a secret
// they returned — each one returned still signs (as the current or the
// previous secret), or the rotation was refused (409) and returned none.
func TestWebhookConcurrentRotations(t *testing.T) {
	t.Parallel()
	f := newWhFixture(t)
	w := f.mustWebhook(t, "http://127.0.0.1:9/unreachable")
	ctx := context.Background()
	for round := range 5 {
		var wg sync.WaitGroup
		secrets := make([]string, 2)
		errs := make([]error, 2)
		start := make(chan struct{})
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, secrets[i], errs[i] = f.svc.UpdateWebhook(ctx, f.admin, w.ID, service.WebhookChange{RotateSecret: true})
			}()
		}
		close(start)
		wg.Wait()
		var stored drafting.Webhook
		if err := f.st.Read(ctx, func(tx *store.Tx) error {
			var err error
			stored, err = tx.Webhook(w.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			switch {
			case errs[i] != nil && !drafting.IsKind(errs[i], drafting.KindConflict):
				t.Fatalf("round %d: rotation %d: %v", round, i, errs[i])
			case errs[i] == nil && secrets[i] != stored.Secret && secrets[i] != stored.PreviousSecret:
				t.Fatalf("round %d: the secret rotation %d returned signs no more", round, i)
			}
		}
	}
}
