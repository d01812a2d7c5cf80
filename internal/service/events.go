package service

import (
	"context"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// publicationTypes are the event types integrations may read.
var publicationTypes = []string{drafting.EventGuidelineAdopted}

// Events pages a guideline's event log in id order after `after`.
// Integrations see publication events only.
func (s *Service) Events(ctx context.Context, p auth.Principal, gid string, after int64, limit int) ([]drafting.Event, error) {
	var out []drafting.Event
	err := s.read(ctx, func(tx *store.Tx) error {
		if _, err := visibleGuideline(tx, p, gid); err != nil {
			return err
		}
		f := store.EventFilter{GuidelineID: gid, After: after, Limit: limit}
		if p.IsIntegration() {
			f.Types = publicationTypes
		}
		var err error
		out, err = tx.Events(f)
		return err
	})
	return out, err
}

// LatestEventID is the id of a guideline's newest event (0: none); a stream
// without Last-Event-ID starts after it.
func (s *Service) LatestEventID(ctx context.Context, gid string) (int64, error) {
	var id int64
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		id, err = tx.LatestEventID(gid)
		return err
	})
	return id, err
}

// StreamTicketTTL is how long a stream ticket may wait before use.
const StreamTicketTTL = time.Minute

// StreamTicket issues a single-use ticket for one guideline's event stream,
// for browsers whose EventSource cannot send an Authorization header.
func (s *Service) StreamTicket(ctx context.Context, p auth.Principal, gid string) (string, error) {
	ticket := auth.RandomToken(24)
	err := s.write(ctx, p.ID, func(u *unit) error {
		if _, err := visibleGuideline(u.Tx, p, gid); err != nil {
			return err
		}
		return u.CreateStreamTicket(store.StreamTicket{Hash: auth.HashToken(ticket), Principal: p.ID, Integration: p.IsIntegration(),
			Session: p.Session, GuidelineID: gid, ExpiresAt: u.now.Add(StreamTicketTTL)})
	})
	return ticket, err
}

// RedeemStreamTicket spends a ticket and returns who it was issued to.
func (s *Service) RedeemStreamTicket(ctx context.Context, ticket, gid string) (auth.Principal, error) {
	bad := drafting.Errorf(drafting.KindUnauthenticated, "auth.invalid_ticket", "the stream ticket is unknown, used, expired or for another guideline")
	var t store.StreamTicket
	err := s.write(ctx, "", func(u *unit) error {
		var err error
		t, err = u.SpendStreamTicket(auth.HashToken(ticket), gid, u.now)
		if err != nil && drafting.IsKind(err, drafting.KindNotFound) {
			return bad
		}
		return err
	})
	if err != nil {
		return auth.Principal{}, err
	}
	kind := "user"
	if t.Integration {
		kind = "client"
	}
	p, err := s.account(ctx, kind, t.Principal, t.Session)
	if drafting.IsKind(err, drafting.KindUnauthenticated) {
		return p, bad
	}
	return p, err
}
