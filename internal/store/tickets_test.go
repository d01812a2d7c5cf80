package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// ticketTTL is how long a used ticket stays usable in these tests.
const ticketTTL = 30 * time.Second

func useTicket(s *store.Store, hash, gid string, now time.Time) (store.StreamTicket, error) {
	var got store.StreamTicket
	err := tryWrite(s, func(tx *store.Tx) error {
		var err error
		got, err = tx.UseStreamTicket(hash, gid, now, ticketTTL)
		return err
	})
	return got, err
}

// TestUseStreamTicket: a ticket opens its guideline's stream as often as a
// browser reconnects, until it expires; each use moves its expiry to ttl
// after that use.
func TestUseStreamTicket(t *testing.T) {
	s, clk := openStore(t)
	w := mustWorld(t, s, clk.Now())
	other := mustWorld(t, s, clk.Now())
	t0 := clk.Now()
	cases := []struct {
		name        string
		integration bool
		gid         string // the guideline asked for
		at          time.Time
		want        bool
	}{
		{name: "unused_ticket_is_used", gid: w.Guideline.ID, at: t0, want: true},
		{name: "integration_ticket_is_used", integration: true, gid: w.Guideline.ID, at: t0, want: true},
		{name: "other_guideline_is_refused", gid: other.Guideline.ID, at: t0},
		{name: "ticket_expiring_now_is_refused", gid: w.Guideline.ID, at: t0.Add(30 * time.Second)},
		{name: "expired_ticket_is_refused", gid: w.Guideline.ID, at: t0.Add(time.Hour)},
		{name: "ticket_just_before_expiry_is_used", gid: w.Guideline.ID, at: t0.Add(29 * time.Second), want: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			principal := w.Delegate.ID
			if tc.integration {
				principal = "client-" + newID()
			}
			ticket := store.StreamTicket{Hash: "t-" + newID(), Principal: principal, Integration: tc.integration,
				GuidelineID: w.Guideline.ID, ExpiresAt: t0.Add(30 * time.Second)}
			mustWrite(t, s, func(tx *store.Tx) error { return tx.CreateStreamTicket(ticket) })
			got, err := useTicket(s, ticket.Hash, tc.gid, tc.at)
			if !tc.want {
				wantKind(t, err, drafting.KindNotFound, "ticket.not_found")
				return
			}
			if err != nil {
				t.Fatalf("UseStreamTicket: %v", err)
			}
			if got.Hash != ticket.Hash || got.Principal != ticket.Principal || got.Integration != ticket.Integration ||
				got.GuidelineID != ticket.GuidelineID || !got.ExpiresAt.Equal(tc.at.Add(ticketTTL)) {
				t.Fatalf("ticket = %+v\nwant %+v expiring %v", got, ticket, tc.at.Add(ticketTTL))
			}
			// A reconnect uses it again, and moves its expiry on.
			again, err := useTicket(s, ticket.Hash, tc.gid, tc.at.Add(ticketTTL-time.Second))
			if err != nil || !again.ExpiresAt.Equal(tc.at.Add(2*ticketTTL-time.Second)) {
				t.Fatalf("second use = %+v, %v; want it usable and its expiry moved", again, err)
			}
		})
	}

	t.Run("refusal_for_another_guideline_leaves_it_usable", func(t *testing.T) {
		ticket := store.StreamTicket{Hash: "t-" + newID(), Principal: w.Delegate.ID, GuidelineID: w.Guideline.ID, ExpiresAt: t0.Add(time.Minute)}
		mustWrite(t, s, func(tx *store.Tx) error { return tx.CreateStreamTicket(ticket) })
		if _, err := useTicket(s, ticket.Hash, other.Guideline.ID, t0); !drafting.IsKind(err, drafting.KindNotFound) {
			t.Fatalf("use for another guideline = %v, want not found", err)
		}
		if _, err := useTicket(s, ticket.Hash, w.Guideline.ID, t0); err != nil {
			t.Fatalf("use for its guideline: %v", err)
		}
	})

	t.Run("unknown_ticket_is_not_found", func(t *testing.T) {
		_, err := useTicket(s, "t-"+newID(), w.Guideline.ID, t0)
		wantKind(t, err, drafting.KindNotFound, "ticket.not_found")
	})

	t.Run("concurrent_uses_all_succeed", func(t *testing.T) {
		ticket := store.StreamTicket{Hash: "t-" + newID(), Principal: w.Delegate.ID, GuidelineID: w.Guideline.ID, ExpiresAt: t0.Add(time.Minute)}
		mustWrite(t, s, func(tx *store.Tx) error { return tx.CreateStreamTicket(ticket) })
		const n = 6
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := useTicket(s, ticket.Hash, w.Guideline.ID, t0)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("use: %v", err)
			}
		}
	})
}

// A purged ticket's hash can be stored again; a kept one's cannot.
func TestPurgeStreamTickets(t *testing.T) {
	s, clk := openStore(t)
	w := mustWorld(t, s, clk.Now())
	t0 := clk.Now()
	mk := func(expires time.Time) store.StreamTicket {
		return store.StreamTicket{Hash: "t-" + newID(), Principal: w.Delegate.ID, GuidelineID: w.Guideline.ID, ExpiresAt: expires}
	}
	expired, expiringNow, spentExpired, live := mk(t0.Add(-time.Minute)), mk(t0), mk(t0.Add(-time.Second)), mk(t0.Add(time.Minute))
	mustWrite(t, s, func(tx *store.Tx) error {
		for _, tk := range []store.StreamTicket{expired, expiringNow, spentExpired, live} {
			if err := tx.CreateStreamTicket(tk); err != nil {
				return err
			}
		}
		_, err := tx.UseStreamTicket(spentExpired.Hash, w.Guideline.ID, t0.Add(-2*time.Second), time.Second)
		return err
	})
	mustWrite(t, s, func(tx *store.Tx) error { return tx.PurgeStreamTickets(t0) })
	cases := []struct {
		name   string
		ticket store.StreamTicket
		purged bool
	}{
		{"expired_is_purged", expired, true},
		{"expiring_now_is_purged", expiringNow, true},
		{"used_and_expired_is_purged", spentExpired, true},
		{"live_is_kept", live, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tryWrite(s, func(tx *store.Tx) error { return tx.CreateStreamTicket(tc.ticket) })
			if tc.purged && err != nil {
				t.Fatalf("storing the purged hash again: %v", err)
			}
			if !tc.purged && !store.IsDuplicate(err) {
				t.Fatalf("storing a kept hash again = %v, want a duplicate", err)
			}
		})
	}
}
