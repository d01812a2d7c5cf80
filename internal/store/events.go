package store

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
)

type eventRow struct {
	ID          int64 `gorm:"primaryKey;autoIncrement:false"`
	GuidelineID *string
	Type        string
	ActorID     *string
	SubjectID   string
	Data        string
	CreatedAt   time.Time
}

func (eventRow) TableName() string { return "events" }

func (r eventRow) domain() (drafting.Event, error) {
	e := drafting.Event{ID: r.ID, GuidelineID: deref(r.GuidelineID), Type: r.Type, ActorID: deref(r.ActorID),
		SubjectID: r.SubjectID, CreatedAt: r.CreatedAt}
	if err := json.Unmarshal([]byte(r.Data), &e.Data); err != nil {
		return e, fmt.Errorf("event %d data: %w", r.ID, err)
	}
	return e, nil
}

// EventFilter selects events of one guideline.
type EventFilter struct {
	GuidelineID string
	After       int64
	Limit       int
	Types       []string // empty: all types
}

// Events lists events in id order.
func (tx *Tx) Events(f EventFilter) ([]drafting.Event, error) {
	var rows []eventRow
	var err error
	if len(f.Types) == 0 {
		err = tx.db.Where("guideline_id = ? AND id > ?", f.GuidelineID, f.After).Order("id").Limit(f.Limit).Find(&rows).Error
	} else {
		// Each type's next events, read in id order from the
		// events_guideline_type index, then merged: the cost is the page,
		// however many events of other types lie after the cursor (one
		// scan of events_guideline filtering by type reads them all).
		//
		// The type is written into the statement, not bound: one of
		// drafting's constants, it lets PostgreSQL plan with how rare the
		// type is, also in the generic plan a statement cached on a
		// connection may get, where a bound type counts as a third of the
		// log and the seek loses to a scan in id order.
		branches := make([]string, len(f.Types))
		var args []any
		for i, typ := range f.Types {
			if !drafting.NegotiationEvents[typ] && !drafting.AdministrationEvents[typ] {
				return nil, fmt.Errorf("events: %q is not an event type", typ)
			}
			branches[i] = "SELECT * FROM (SELECT * FROM events WHERE guideline_id = ? AND type = '" + typ +
				"' AND id > ? ORDER BY id LIMIT ?) AS t" + strconv.Itoa(i)
			args = append(args, f.GuidelineID, f.After, f.Limit)
		}
		err = tx.db.Raw("SELECT * FROM ("+strings.Join(branches, " UNION ALL ")+") AS e ORDER BY id LIMIT ?",
			append(args, f.Limit)...).Find(&rows).Error
	}
	if err != nil {
		return nil, err
	}
	out := make([]drafting.Event, 0, len(rows))
	for _, r := range rows {
		e, err := r.domain()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// NotifyChannel is the PostgreSQL channel that carries new-event wake-ups.
const NotifyChannel = "consenso_events"

// Notify tells every replica (PostgreSQL LISTEN/NOTIFY) that something
// changed: a guideline id (new events) or "accounts". Sent inside the
// transaction, it is delivered only if the transaction commits. On SQLite it
// does nothing: one process serves it.
func (tx *Tx) Notify(payload string) error {
	if payload == "" || tx.db.Dialector.Name() != "postgres" {
		return nil
	}
	return tx.db.Exec("SELECT pg_notify(?, ?)", NotifyChannel, payload).Error
}

// NotifyAccounts is the payload announcing a change of who may do what: an
// account, an integration client, or a sign-in that ended.
const NotifyAccounts = "accounts"

type streamTicketRow struct {
	TicketHash  string `gorm:"primaryKey"`
	UserID      *string
	ClientID    *string
	GuidelineID string
	SessionID   *string
	ExpiresAt   time.Time
	UsedAt      *time.Time
}

func (streamTicketRow) TableName() string { return "stream_tickets" }

// StreamTicket is a stored stream ticket (hash only): one guideline's live
// stream, for one account in one sign-in, until it expires.
type StreamTicket struct {
	Hash        string
	Principal   string
	Integration bool
	// Session is the sign-in (or client secret) the ticket was issued in;
	// the stream ends with it.
	Session     string
	GuidelineID string
	ExpiresAt   time.Time
}

// CreateStreamTicket stores a ticket.
func (tx *Tx) CreateStreamTicket(t StreamTicket) error {
	r := streamTicketRow{TicketHash: t.Hash, GuidelineID: t.GuidelineID, SessionID: ptr(t.Session), ExpiresAt: t.ExpiresAt}
	if t.Integration {
		r.ClientID = &t.Principal
	} else {
		r.UserID = &t.Principal
	}
	return tx.db.Create(&r).Error
}

// UseStreamTicket records a use of a ticket that is unexpired and for gid
// — it then expires ttl after now — and returns it.
func (tx *Tx) UseStreamTicket(hash, gid string, now time.Time, ttl time.Duration) (StreamTicket, error) {
	res := tx.db.Model(&streamTicketRow{}).Where("ticket_hash = ? AND guideline_id = ? AND expires_at > ?", hash, gid, now).
		Updates(map[string]any{"used_at": now, "expires_at": now.Add(ttl)})
	if res.Error != nil {
		return StreamTicket{}, res.Error
	}
	if res.RowsAffected == 0 {
		return StreamTicket{}, drafting.NotFound("ticket")
	}
	var r streamTicketRow
	if err := tx.db.Where("ticket_hash = ?", hash).Take(&r).Error; err != nil {
		return StreamTicket{}, err
	}
	t := StreamTicket{Hash: r.TicketHash, GuidelineID: r.GuidelineID, Session: deref(r.SessionID), ExpiresAt: r.ExpiresAt}
	if r.ClientID != nil {
		t.Principal, t.Integration = *r.ClientID, true
	} else {
		t.Principal = deref(r.UserID)
	}
	return t, nil
}

// PurgeStreamTickets deletes tickets that expired (used or not).
func (tx *Tx) PurgeStreamTickets(now time.Time) error {
	return tx.db.Where("expires_at <= ?", now).Delete(&streamTicketRow{}).Error
}

// LatestEventID is the id of the guideline's newest event, 0 when it has
// none: one seek on events_guideline (guideline_id, id). A live stream
// without Last-Event-ID starts after it, and it is the guideline's revision
// for the kept reads: every write that
// changes the guideline's text, structure or clause states leaves an event
// in the outbox, which Publish numbers in the transaction that also folds in
// the comment counts, so an unchanged revision means nothing a reader of the
// clauses or the counts sees has changed since the last publication.
func (tx *Tx) LatestEventID(gid string) (int64, error) {
	var rev int64
	err := tx.db.Model(&eventRow{}).Where("guideline_id = ?", gid).Select("COALESCE(MAX(id), 0)").Scan(&rev).Error
	return rev, err
}
