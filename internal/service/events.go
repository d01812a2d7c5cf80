package service

import (
	"context"
	"strconv"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// publicationTypes are the event types integrations may read: adoption,
// and the progress reported on what was adopted.
var publicationTypes = []string{drafting.EventGuidelineAdopted, drafting.EventProgressReported}

// eventAudience is which part of the log p may read: its name, and the event
// types it is limited to (nil: every type). Callers who share an audience
// see the same events.
func eventAudience(p auth.Principal) (string, []string) {
	if p.IsIntegration() {
		return "publication", publicationTypes
	}
	return "participants", nil
}

// Events pages a guideline's event log in id order after `after`.
// Integrations see publication events only.
func (s *Service) Events(ctx context.Context, p auth.Principal, gid string, after int64, limit int) ([]drafting.Event, error) {
	var out []drafting.Event
	err := s.read(ctx, func(tx *store.Tx) error {
		if _, err := visibleGuideline(tx, p, gid); err != nil {
			return err
		}
		_, types := eventAudience(p)
		var err error
		out, err = tx.Events(store.EventFilter{GuidelineID: gid, After: after, Limit: limit, Types: types})
		return err
	})
	return out, err
}

// StreamBatch bounds how many events one read of a stream sends.
const StreamBatch = 200

// StreamEvents reads the log for a woken live stream: up to StreamBatch
// events after `after`. Streams woken by the same event ask the same
// question, so concurrent identical reads by callers of one audience share
// one query: a thousand streams cost one read of the log, not a thousand.
// The caller is authorized by the read itself.
func (s *Service) StreamEvents(ctx context.Context, p auth.Principal, gid string, after int64) ([]drafting.Event, error) {
	audience, _ := eventAudience(p)
	key := gid + "|" + strconv.FormatInt(after, 10) + "|" + audience
	v, err, _ := s.streamReads.Do(key, func() (any, error) {
		return s.Events(context.WithoutCancel(ctx), p, gid, after, StreamBatch)
	})
	if err != nil {
		return nil, err
	}
	return v.([]drafting.Event), nil
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

// StreamTicketTTL is how long a stream ticket lives after it was issued or
// last used; a stream opened with it uses it again every third of that
// (StreamTicketRenew), so it lives as long as the stream and its
// reconnects, and dies soon after the page that held it is closed.
const StreamTicketTTL = 15 * time.Minute

// StreamTicketRenew is how often an open stream renews its ticket.
const StreamTicketRenew = StreamTicketTTL / 3

// StreamTicket issues a ticket for one guideline's live stream, for
// browsers whose EventSource can send no Authorization header. It is bound
// to the caller, the guideline and the caller's sign-in (session), and may
// be used again — EventSource reconnects by itself with the same URL —
// until StreamTicketTTL after its last use or the end of the sign-in,
// whichever comes first.
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

// RedeemStreamTicket uses a ticket — which lives StreamTicketTTL from now
// on — and returns who it was issued to; a ticket whose sign-in ended, or
// whose account is disabled, is refused.
func (s *Service) RedeemStreamTicket(ctx context.Context, ticket, gid string) (auth.Principal, error) {
	bad := drafting.Errorf(drafting.KindUnauthenticated, "auth.invalid_ticket", "the stream ticket is unknown, expired, of a sign-in that ended, or for another guideline")
	var t store.StreamTicket
	err := s.write(ctx, "", func(u *unit) error {
		var err error
		t, err = u.UseStreamTicket(auth.HashToken(ticket), gid, u.now, StreamTicketTTL)
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
