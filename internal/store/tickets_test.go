package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

func spendTicket(s *store.Store, hash, gid string, now time.Time) (store.StreamTicket, error) {
	var got store.StreamTicket
	err := tryWrite(s, func(tx *store.Tx) error {
		var err error
		got, err = tx.SpendStreamTicket(hash, gid, now)
		return err
	})
	return got, err
}

func TestSpendStreamTicket(t *testing.T) {
	s, clk := openStore(t)
	w := mustWorld(t, s, clk.Now())
	other := mustWorld(t, s, clk.Now())
	t0 := clk.Now()
	cases := []struct {
		name        string
		integration bool
		before      func(hash string) error // a spend attempted first
		gid         string                  // the guideline asked for
		at          time.Time
		want        bool
	}{
		{name: "unused_ticket_is_spent", gid: w.Guideline.ID, at: t0, want: true},
		{name: "integration_ticket_is_spent", integration: true, gid: w.Guideline.ID, at: t0, want: true},
		{name: "spent_ticket_is_refused", gid: w.Guideline.ID, at: t0,
			before: func(h string) error { _, err := spendTicket(s, h, w.Guideline.ID, t0); return err }},
		{name: "other_guideline_is_refused", gid: other.Guideline.ID, at: t0},
		{name: "ticket_expiring_now_is_refused", gid: w.Guideline.ID, at: t0.Add(30 * time.Second)},
		{name: "expired_ticket_is_refused", gid: w.Guideline.ID, at: t0.Add(time.Hour)},
		{name: "ticket_just_before_expiry_is_spent", gid: w.Guideline.ID, at: t0.Add(29 * time.Second), want: true},
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
			if tc.before != nil {
				if err := tc.before(ticket.Hash); err != nil {
					t.Fatalf("first spend: %v", err)
				}
			}
			got, err := spendTicket(s, ticket.Hash, tc.gid, tc.at)
			if !tc.want {
				wantKind(t, err, drafting.KindNotFound, "ticket.not_found")
				return
			}
			if err != nil {
				t.Fatalf("SpendStreamTicket: %v", err)
			}
			if got.Hash != ticket.Hash || got.Principal != ticket.Principal || got.Integration != ticket.Integration ||
				got.GuidelineID != ticket.GuidelineID || !got.ExpiresAt.Equal(ticket.ExpiresAt) {
				t.Fatalf("ticket = %+v\nwant %+v", got, ticket)
			}
			if _, err := spendTicket(s, ticket.Hash, tc.gid, tc.at); !drafting.IsKind(err, drafting.KindNotFound) {
				t.Fatalf("second spend = %v, want not found", err)
			}
		})
	}

	t.Run("refusal_for_another_guideline_leaves_it_spendable", func(t *testing.T) {
		ticket := store.StreamTicket{Hash: "t-" + newID(), Principal: w.Delegate.ID, GuidelineID: w.Guideline.ID, ExpiresAt: t0.Add(time.Minute)}
		mustWrite(t, s, func(tx *store.Tx) error { return tx.CreateStreamTicket(ticket) })
		if _, err := spendTicket(s, ticket.Hash, other.Guideline.ID, t0); !drafting.IsKind(err, drafting.KindNotFound) {
			t.Fatalf("spend for another guideline = %v, want not found", err)
		}
		if _, err := spendTicket(s, ticket.Hash, w.Guideline.ID, t0); err != nil {
			t.Fatalf("spend for its guideline: %v", err)
		}
	})

	t.Run("unknown_ticket_is_not_found", func(t *testing.T) {
		_, err := spendTicket(s, "t-"+newID(), w.Guideline.ID, t0)
		wantKind(t, err, drafting.KindNotFound, "ticket.not_found")
	})

	t.Run("concurrent_spends_succeed_once", func(t *testing.T) {
		ticket := store.StreamTicket{Hash: "t-" + newID(), Principal: w.Delegate.ID, GuidelineID: w.Guideline.ID, ExpiresAt: t0.Add(time.Minute)}
		mustWrite(t, s, func(tx *store.Tx) error { return tx.CreateStreamTicket(ticket) })
		const n = 6
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := spendTicket(s, ticket.Hash, w.Guideline.ID, t0)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		spent := 0
		for err := range errs {
			switch {
			case err == nil:
				spent++
			case !drafting.IsKind(err, drafting.KindNotFound):
				t.Fatalf("spend: %v", err)
			}
		}
		if spent != 1 {
			t.Fatalf("%d spends succeeded, want exactly 1", spent)
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
		_, err := tx.SpendStreamTicket(spentExpired.Hash, w.Guideline.ID, t0.Add(-2*time.Second))
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
		{"spent_and_expired_is_purged", spentExpired, true},
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
