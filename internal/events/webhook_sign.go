package events

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Deliveries are signed as the Standard Webhooks specification says
// (standardwebhooks.com), so receivers can verify them with its published
// libraries: three headers, an HMAC-SHA256 over "{id}.{timestamp}.{body}",
// and secrets serialized as "whsec_" followed by base64.
const (
	// HeaderWebhookID is the delivery's id: the same on every retry, the
	// receiver's idempotency key.
	HeaderWebhookID = "webhook-id"
	// HeaderWebhookTimestamp is the attempt's time, integer Unix seconds:
	// receivers refuse one too far from their clock (replays).
	HeaderWebhookTimestamp = "webhook-timestamp"
	// HeaderWebhookSignature is one "v1,<base64 HMAC-SHA256>" per signing
	// secret, separated by spaces (two during a secret rotation).
	HeaderWebhookSignature = "webhook-signature"

	// SecretPrefix starts every webhook secret Consenso accepts or issues.
	SecretPrefix = "whsec_"
	// MinSecretBytes and MaxSecretBytes bound a secret's key (the base64
	// after the prefix, decoded): the specification asks for 24 to 64 bytes.
	MinSecretBytes = 24
	MaxSecretBytes = 64
	// generatedSecretBytes is the key length of the secrets Consenso issues.
	generatedSecretBytes = 32

	// legacyPrefix marks, in the database, a secret registered before
	// Standard Webhooks: any 16 to 256 characters, whose UTF-8 bytes were the
	// HMAC key. The migration that brought Standard Webhooks marked them; they
	// keep signing with the same key, so receivers keep their copy (see
	// docs/integrations.md).
	legacyPrefix = "raw:"
)

// NewSecret returns a fresh secret: "whsec_" and the base64 of 32 random
// bytes.
func NewSecret() string {
	key := make([]byte, generatedSecretBytes)
	if _, err := rand.Read(key); err != nil {
		panic("crypto/rand: " + err.Error()) // never fails on supported platforms
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// ValidateSecret checks a secret given by an admin: "whsec_" and the
// standard (padded) base64 of 24 to 64 bytes, the form every Standard
// Webhooks library reads. The error says what is wrong, for a 422.
func ValidateSecret(s string) error {
	_, err := secretKey(s)
	return err
}

func secretKey(s string) ([]byte, error) {
	enc, ok := strings.CutPrefix(s, SecretPrefix)
	if !ok {
		return nil, errors.New(`must start with "whsec_" followed by base64 (or be left out: Consenso then generates one)`)
	}
	key, err := base64.StdEncoding.Strict().DecodeString(enc)
	if err != nil {
		return nil, errors.New(`must be "whsec_" followed by standard base64 (with padding)`)
	}
	if len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
		return nil, fmt.Errorf("the base64 after \"whsec_\" must decode to %d to %d bytes, not %d", MinSecretBytes, MaxSecretBytes, len(key))
	}
	return key, nil
}

// SigningKey returns the HMAC key of a stored secret: the decoded bytes of a
// "whsec_" secret, or the bytes of a secret registered before Standard
// Webhooks (stored as "raw:" and the secret as it was given).
func SigningKey(stored string) ([]byte, error) {
	if raw, ok := strings.CutPrefix(stored, legacyPrefix); ok {
		return []byte(raw), nil
	}
	key, err := secretKey(stored)
	if err != nil {
		return nil, fmt.Errorf("stored webhook secret: %w", err)
	}
	return key, nil
}

// LegacySignature is the deprecated X-Consenso-Signature value: "sha256="
// and the hex HMAC-SHA256 of the body alone with the current key. It proves
// the sender but not the moment, so a captured delivery verifies for ever;
// receivers should move to webhook-signature.
func LegacySignature(body, key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Sign returns the webhook-signature header value for a delivery: for each
// key in turn, "v1," and the base64 HMAC-SHA256 of "{id}.{timestamp}.{body}",
// separated by spaces.
func Sign(id string, timestamp time.Time, body []byte, keys ...[]byte) string {
	ts := strconv.FormatInt(timestamp.Unix(), 10)
	sigs := make([]string, len(keys))
	for i, key := range keys {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(id))
		m.Write([]byte{'.'})
		m.Write([]byte(ts))
		m.Write([]byte{'.'})
		m.Write(body)
		sigs[i] = "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	return strings.Join(sigs, " ")
}
