package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// IdempotencyTTL is how long a creating request's key is remembered.
const IdempotencyTTL = 24 * time.Hour

// maxIdempotencyKeyLen bounds the Idempotency-Key header.
const maxIdempotencyKeyLen = 128

// Idempotency names a creating request that the caller may retry: its
// Idempotency-Key and a fingerprint of the request (RequestHash). The zero
// value is a request without a key.
type Idempotency struct {
	Key  string
	Hash string
}

// RequestHash is the fingerprint of a request for Idempotency: the same key
// with another fingerprint is refused.
func RequestHash(method, path string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{0})
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Created is the outcome of a creating use case: what was created, and
// whether the request was a retry answered with an earlier creation
// (nothing was created this time).
type Created[T any] struct {
	Value    T
	Replayed bool
}

// creation describes a creating use case to createOnce.
type creation[T any] struct {
	scope  string                                    // the kind of resource, kept with the key
	create func(u *unit) (T, error)                  // creates it inside the transaction
	ref    func(T) string                            // what the key remembers of it
	load   func(tx *store.Tx, ref string) (T, error) // reads it again for a retry
}

var errKeyHeld = errors.New("idempotency key held by an earlier request")

func validKey(key string) bool {
	if key == "" || len(key) > maxIdempotencyKeyLen {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// createOnce runs a creating use case once per Idempotency-Key. The key row
// is inserted first in the transaction, so concurrent retries queue on it,
// and what the request created is recorded with it in the same transaction.
// A retry with the same key and request is answered with that resource as
// it is now, and changes nothing; with another request it is refused (422).
// Without a key, the use case just runs in one transaction.
func createOnce[T any](ctx context.Context, s *Service, p auth.Principal, idem Idempotency, c creation[T]) (Created[T], error) {
	var out Created[T]
	if idem.Key == "" {
		err := s.write(ctx, p.ID, func(u *unit) error {
			var err error
			out.Value, err = c.create(u)
			return err
		})
		return out, err
	}
	if !validKey(idem.Key) {
		return out, drafting.Invalid("idempotency.invalid_key",
			drafting.FieldError{Field: "Idempotency-Key", Message: "1 to 128 visible ASCII characters"})
	}
	// A held key whose holder then disappears (expired between our two
	// statements) is claimed again on the next attempt.
	for attempt := 0; attempt < 3; attempt++ {
		err := s.write(ctx, p.ID, func(u *unit) error {
			ok, err := u.ClaimIdempotencyKey(store.IdempotencyRecord{UserID: p.ID, Key: idem.Key, Scope: c.scope,
				RequestHash: idem.Hash, CreatedAt: u.now, ExpiresAt: u.now.Add(IdempotencyTTL)})
			if err != nil {
				return err
			}
			if !ok {
				return errKeyHeld
			}
			if out.Value, err = c.create(u); err != nil {
				return err
			}
			return u.SetIdempotencyResource(p.ID, idem.Key, c.ref(out.Value))
		})
		if !errors.Is(err, errKeyHeld) {
			return out, err
		}
		var rec store.IdempotencyRecord
		err = s.read(ctx, func(tx *store.Tx) error {
			var err error
			rec, err = tx.IdempotencyKey(p.ID, idem.Key)
			return err
		})
		if drafting.IsKind(err, drafting.KindNotFound) {
			continue
		}
		if err != nil {
			return Created[T]{}, err
		}
		if rec.RequestHash != idem.Hash || rec.Scope != c.scope {
			return Created[T]{}, drafting.Invalid("idempotency.key_reused", drafting.FieldError{Field: "Idempotency-Key",
				Message: "this key was used for a different request in the last 24 hours; use a new key for a new request"})
		}
		err = s.read(ctx, func(tx *store.Tx) error {
			var err error
			out.Value, err = c.load(tx, rec.Resource)
			return err
		})
		if err != nil {
			return Created[T]{}, err
		}
		out.Replayed = true
		return out, nil
	}
	return Created[T]{}, drafting.Errorf(drafting.KindConflict, "idempotency.busy", "the Idempotency-Key is in use; try again")
}
