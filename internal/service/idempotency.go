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

// IdempotencyTTL is how long the first answer to a creating request is kept
// for replay.
const IdempotencyTTL = 24 * time.Hour

// maxIdempotencyKeyLen bounds the Idempotency-Key header.
const maxIdempotencyKeyLen = 128

// Idempotency names a creating request that the caller may retry: the
// Idempotency-Key, the route it is for, and a hash of the request.
type Idempotency struct {
	Key   string // empty: the request is not idempotent
	Scope string // the route template, e.g. "POST /api/v1/clauses/{cid}/comments"
	Hash  string // hex SHA-256 of method, path and body (RequestHash)
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

// Response is the answer to a creating request: HTTP status and body bytes,
// produced once and replayed as-is for a retry (Replayed).
type Response struct {
	Status   int
	Body     []byte
	Replayed bool
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

// writeOnce runs a creating use case once per Idempotency-Key. The key row is
// inserted first in the transaction, so concurrent retries queue on it; the
// answer fn produces is stored in the same transaction as the change. A
// retry with the same key and request replays the stored answer and changes
// nothing; with another request it is refused (422). Without a key, fn just
// runs in one transaction.
func (s *Service) writeOnce(ctx context.Context, p auth.Principal, idem Idempotency, fn func(u *unit) (int, []byte, error)) (Response, error) {
	var out Response
	if idem.Key == "" {
		err := s.write(ctx, p.ID, func(u *unit) error {
			var err error
			out.Status, out.Body, err = fn(u)
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
			ok, err := u.ClaimIdempotencyKey(store.IdempotencyRecord{UserID: p.ID, Key: idem.Key, Scope: idem.Scope,
				RequestHash: idem.Hash, CreatedAt: u.now, ExpiresAt: u.now.Add(IdempotencyTTL)})
			if err != nil {
				return err
			}
			if !ok {
				return errKeyHeld
			}
			if out.Status, out.Body, err = fn(u); err != nil {
				return err
			}
			return u.SaveIdempotentResponse(p.ID, idem.Key, out.Status, out.Body)
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
			return Response{}, err
		}
		if rec.RequestHash != idem.Hash {
			return Response{}, drafting.Invalid("idempotency.key_reused", drafting.FieldError{Field: "Idempotency-Key",
				Message: "this key was used for a different request in the last 24 hours; use a new key for a new request"})
		}
		return Response{Status: rec.Status, Body: rec.Body, Replayed: true}, nil
	}
	return Response{}, drafting.Errorf(drafting.KindConflict, "idempotency.busy", "the Idempotency-Key is in use; try again")
}
