package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

const keyTTL = 24 * time.Hour

// keyRecord is a claim of key by user at now, living a day.
func keyRecord(user, key, hash string, now time.Time) store.IdempotencyRecord {
	return store.IdempotencyRecord{UserID: user, Key: key, Scope: "comment", RequestHash: hash, CreatedAt: now, ExpiresAt: now.Add(keyTTL)}
}

func claimKey(t *testing.T, s *store.Store, r store.IdempotencyRecord) bool {
	t.Helper()
	var ok bool
	mustWrite(t, s, func(tx *store.Tx) error {
		var err error
		ok, err = tx.ClaimIdempotencyKey(r)
		return err
	})
	return ok
}

func readKey(t *testing.T, s *store.Store, user, key string) store.IdempotencyRecord {
	t.Helper()
	return read(t, s, func(tx *store.Tx) (store.IdempotencyRecord, error) { return tx.IdempotencyKey(user, key) })
}

func TestClaimIdempotencyKey(t *testing.T) {
	s, clk := openStore(t)
	t0 := clk.Now()
	cases := []struct {
		name     string
		first    func(user, key string) store.IdempotencyRecord // claimed beforehand; nil: none
		second   func(user, key string) store.IdempotencyRecord
		want     bool
		wantHash string // the request hash held afterwards
	}{
		{name: "fresh_key_is_claimed",
			second: func(u, k string) store.IdempotencyRecord { return keyRecord(u, k, "h2", t0) },
			want:   true, wantHash: "h2"},
		{name: "live_key_is_refused",
			first:  func(u, k string) store.IdempotencyRecord { return keyRecord(u, k, "h1", t0) },
			second: func(u, k string) store.IdempotencyRecord { return keyRecord(u, k, "h2", t0.Add(keyTTL-time.Second)) },
			want:   false, wantHash: "h1"},
		{name: "key_expiring_now_is_claimed_again",
			first:  func(u, k string) store.IdempotencyRecord { return keyRecord(u, k, "h1", t0) },
			second: func(u, k string) store.IdempotencyRecord { return keyRecord(u, k, "h2", t0.Add(keyTTL)) },
			want:   true, wantHash: "h2"},
		{name: "expired_key_is_claimed_again",
			first:  func(u, k string) store.IdempotencyRecord { return keyRecord(u, k, "h1", t0) },
			second: func(u, k string) store.IdempotencyRecord { return keyRecord(u, k, "h2", t0.Add(48*time.Hour)) },
			want:   true, wantHash: "h2"},
		{name: "same_key_of_another_user_is_separate",
			first:  func(u, k string) store.IdempotencyRecord { return keyRecord("other-"+u, k, "h1", t0) },
			second: func(u, k string) store.IdempotencyRecord { return keyRecord(u, k, "h2", t0) },
			want:   true, wantHash: "h2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			user, key := newID(), "key-"+newID()
			if tc.first != nil && !claimKey(t, s, tc.first(user, key)) {
				t.Fatal("first claim refused")
			}
			second := tc.second(user, key)
			if got := claimKey(t, s, second); got != tc.want {
				t.Fatalf("ClaimIdempotencyKey = %v, want %v", got, tc.want)
			}
			rec := readKey(t, s, user, key)
			if rec.RequestHash != tc.wantHash {
				t.Fatalf("held request hash = %q, want %q", rec.RequestHash, tc.wantHash)
			}
			if tc.want && (!rec.CreatedAt.Equal(second.CreatedAt) || !rec.ExpiresAt.Equal(second.ExpiresAt) ||
				rec.Scope != second.Scope || rec.Resource != "") {
				t.Fatalf("record = %+v, want %+v", rec, second)
			}
		})
	}

	t.Run("claim_rolled_back_leaves_no_key", func(t *testing.T) {
		user, key := newID(), "key-"+newID()
		err := tryWrite(s, func(tx *store.Tx) error {
			if ok, err := tx.ClaimIdempotencyKey(keyRecord(user, key, "h1", t0)); err != nil || !ok {
				t.Fatalf("claim = %v, %v", ok, err)
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("Write = %v", err)
		}
		_, err = tryRead(s, func(tx *store.Tx) (store.IdempotencyRecord, error) { return tx.IdempotencyKey(user, key) })
		wantKind(t, err, drafting.KindNotFound, "idempotency_key.not_found")
		if !claimKey(t, s, keyRecord(user, key, "h2", t0)) {
			t.Fatal("key of a rolled-back claim is still held")
		}
	})

	// Retries racing with one key: exactly one claims it; in PostgreSQL the
	// others wait for its commit, then insert nothing.
	t.Run("concurrent_claims_succeed_once", func(t *testing.T) {
		user, key := newID(), "key-"+newID()
		wins := raceWrites(t, s, 6, func(tx *store.Tx) (bool, error) {
			ok, err := tx.ClaimIdempotencyKey(keyRecord(user, key, "h", t0))
			if err != nil || !ok {
				return ok, err
			}
			return true, tx.SetIdempotencyResource(user, key, "created-by-winner")
		})
		if wins != 1 {
			t.Fatalf("%d claims won, want exactly 1", wins)
		}
		if rec := readKey(t, s, user, key); rec.Resource != "created-by-winner" {
			t.Fatalf("resource = %q, want the winner's", rec.Resource)
		}
	})
}

func TestSetIdempotencyResource(t *testing.T) {
	s, clk := openStore(t)
	t.Run("resource_is_recorded_with_the_claim", func(t *testing.T) {
		user, key := newID(), "key-"+newID()
		mustWrite(t, s, func(tx *store.Tx) error {
			if ok, err := tx.ClaimIdempotencyKey(keyRecord(user, key, "h", clk.Now())); err != nil || !ok {
				t.Fatalf("claim = %v, %v", ok, err)
			}
			return tx.SetIdempotencyResource(user, key, "res-1")
		})
		rec := readKey(t, s, user, key)
		want := keyRecord(user, key, "h", clk.Now())
		want.Resource = "res-1"
		if rec.UserID != want.UserID || rec.Key != want.Key || rec.Scope != want.Scope || rec.RequestHash != want.RequestHash ||
			rec.Resource != want.Resource || !rec.CreatedAt.Equal(want.CreatedAt) || !rec.ExpiresAt.Equal(want.ExpiresAt) {
			t.Fatalf("record = %+v\nwant %+v", rec, want)
		}
	})
	t.Run("other_users_key_is_untouched", func(t *testing.T) {
		user, key := newID(), "key-"+newID()
		claimKey(t, s, keyRecord(user, key, "h", clk.Now()))
		claimKey(t, s, keyRecord("other-"+user, key, "h", clk.Now()))
		mustWrite(t, s, func(tx *store.Tx) error { return tx.SetIdempotencyResource(user, key, "mine") })
		if rec := readKey(t, s, "other-"+user, key); rec.Resource != "" {
			t.Fatalf("other user's resource = %q, want none", rec.Resource)
		}
	})
	t.Run("unknown_key_is_not_found", func(t *testing.T) {
		_, err := tryRead(s, func(tx *store.Tx) (store.IdempotencyRecord, error) { return tx.IdempotencyKey(newID(), "nope") })
		wantKind(t, err, drafting.KindNotFound, "idempotency_key.not_found")
	})
}

func TestPurgeIdempotencyKeys(t *testing.T) {
	s, clk := openStore(t)
	t0 := clk.Now()
	user := newID()
	// Keys created an hour apart, each living a day.
	keys := []string{"k0", "k1", "k2", "k3"}
	for i, k := range keys {
		claimKey(t, s, keyRecord(user, k, "h", t0.Add(time.Duration(i)*time.Hour)))
	}
	purge := func(t *testing.T, at time.Time) int64 {
		t.Helper()
		var n int64
		mustWrite(t, s, func(tx *store.Tx) error {
			var err error
			n, err = tx.PurgeIdempotencyKeys(at)
			return err
		})
		return n
	}
	steps := []struct {
		name  string
		at    time.Time
		want  int64
		alive []string
	}{
		{name: "nothing_expired_keeps_all", at: t0.Add(keyTTL - time.Second), want: 0, alive: []string{"k0", "k1", "k2", "k3"}},
		{name: "expiring_at_now_is_purged", at: t0.Add(keyTTL), want: 1, alive: []string{"k1", "k2", "k3"}},
		{name: "expired_are_purged_live_kept", at: t0.Add(keyTTL + 2*time.Hour + time.Minute), want: 2, alive: []string{"k3"}},
		{name: "purging_again_removes_nothing", at: t0.Add(keyTTL + 2*time.Hour + time.Minute), want: 0, alive: []string{"k3"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if n := purge(t, st.at); n != st.want {
				t.Fatalf("purged %d, want %d", n, st.want)
			}
			var alive []string
			for _, k := range keys {
				_, err := tryRead(s, func(tx *store.Tx) (store.IdempotencyRecord, error) { return tx.IdempotencyKey(user, k) })
				switch {
				case err == nil:
					alive = append(alive, k)
				case !drafting.IsKind(err, drafting.KindNotFound):
					t.Fatalf("read %s: %v", k, err)
				}
			}
			sameIDs(t, "keys alive", alive, st.alive)
		})
	}
}
