package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

type eventView struct {
	ID          int64          `json:"id"`
	Type        string         `json:"type"`
	GuidelineID string         `json:"guideline_id"`
	ActorID     *string        `json:"actor_id"`
	SubjectID   string         `json:"subject_id"`
	Data        map[string]any `json:"data"`
	CreatedAt   time.Time      `json:"created_at"`
}

func toEventView(e drafting.Event) eventView {
	return eventView{ID: e.ID, Type: e.Type, GuidelineID: e.GuidelineID, ActorID: optional(e.ActorID), SubjectID: e.SubjectID, Data: e.Data, CreatedAt: e.CreatedAt}
}

// handleEventsGet pages the event log like every list: the cursor is the
// id of the last event of the previous page; `after` is the same position
// given as an event id (kept as an alias; a cursor wins). One more event
// than the page is read to tell whether another page exists now.
func (s *Server) handleEventsGet(c *gin.Context) (int, any, error) {
	after, err := int64Param("after", c.Query("after"))
	if err != nil {
		return 0, nil, err
	}
	page, err := pageOf(c)
	if err != nil {
		return 0, nil, err
	}
	if page.Cursor != "" {
		n, err := strconv.ParseInt(page.Cursor, 10, 64)
		if err != nil || n < 0 {
			return 0, nil, drafting.Invalid("page.invalid_cursor", drafting.FieldError{Field: "cursor", Message: "not a cursor this API returned"})
		}
		after = n
	}
	evs, err := s.svc.Events(c.Request.Context(), principal(c), c.Param("gid"), after, page.Limit+1)
	next := ""
	if len(evs) > page.Limit {
		evs = evs[:page.Limit]
		next = strconv.FormatInt(evs[len(evs)-1].ID, 10)
	}
	last := after
	if len(evs) > 0 {
		last = evs[len(evs)-1].ID
	}
	return reply(eventList{listOf(evs, next, toEventView), last}, err)
}

// eventList is a page of the log, with the id to poll after.
type eventList struct {
	listView[eventView]
	LastID int64 `json:"last_id"`
}

func int64Param(name, raw string) (int64, error) {
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return 0, drafting.Invalid("request.invalid_parameter", drafting.FieldError{Field: name, Message: "must be a whole number of 0 or more"})
	}
	return n, nil
}

func (s *Server) handleStreamTicket(c *gin.Context) (int, any, error) {
	ticket, err := s.svc.StreamTicket(c.Request.Context(), principal(c), c.Param("gid"))
	if err != nil {
		return 0, nil, err
	}
	c.Header("Cache-Control", "no-store")
	return http.StatusCreated, gin.H{"ticket": ticket, "expires_in": int(service.StreamTicketTTL.Seconds())}, nil
}

// streamRetry is the reconnection delay the stream asks of EventSource.
const streamRetry = 3 * time.Second

// streamWriteTimeout drops a stream whose client stopped reading.
const streamWriteTimeout = 30 * time.Second

// aLongTimeAgo is a write deadline already past: setting it fails a blocked
// write at once (the same device net/http uses).
var aLongTimeAgo = time.Unix(1, 0)

// handleEventStream serves Server-Sent Events: every new event of the
// guideline within a second, replay after Last-Event-ID, heartbeats, and a
// clean end on shutdown. Each wake-up reads the log after the last id sent.
// The first frame names, in its id, the event the stream starts after, so
// a client that reconnects before any event arrived loses none in between.
// Problems before the stream starts are answered as problem+json; once it
// has started, the stream writes its own answer.
func (s *Server) handleEventStream(c *gin.Context) (int, any, error) {
	ctx := c.Request.Context()
	gid := c.Param("gid")
	var p auth.Principal
	var expires time.Time // zero: the stream was opened with a ticket
	var err error
	ticket := c.Query("ticket")
	if ticket != "" {
		p, err = s.svc.RedeemStreamTicket(ctx, ticket, gid)
	} else {
		scheme, token, _ := strings.Cut(c.GetHeader("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			err = drafting.Errorf(drafting.KindUnauthenticated, "auth.token_missing", "a bearer token or a stream ticket is required")
		} else {
			p, expires, err = s.svc.AuthenticateUntil(ctx, strings.TrimSpace(token))
		}
	}
	if err != nil {
		return 0, nil, err
	}
	lastRaw := c.GetHeader("Last-Event-ID")
	if lastRaw == "" {
		lastRaw = c.Query("last_event_id")
	}
	last, err := int64Param("Last-Event-ID", lastRaw)
	if err != nil {
		return 0, nil, err
	}
	// Checks the guideline exists and the caller may read its events.
	if _, err := s.svc.Events(ctx, p, gid, 0, 1); err != nil {
		return 0, nil, err
	}
	// Without Last-Event-ID the stream starts after the newest event; with
	// one beyond it (a database restored from a backup, a stale or made-up
	// id) too, or it would wait for ids that may never come and deliver
	// nothing. The first frame says where it starts.
	latest, err := s.svc.LatestEventID(ctx, gid)
	if err != nil {
		return 0, nil, err
	}
	if lastRaw == "" || last > latest {
		last = latest
	}
	sub, ok := s.hub.Subscribe(gid, p.ID)
	if !ok {
		e := drafting.Errorf(drafting.KindRateLimited, "stream.too_many", "too many open streams for this account; close one first")
		e.Data = map[string]any{"retry_after": 5}
		c.Header("Retry-After", "5")
		return 0, nil, e
	}
	defer s.hub.Unsubscribe(sub)

	w := c.Writer
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// The server's write time-out would end every stream, so the stream
	// clears it and guards each write with a watchdog of its own instead:
	// a client that stops reading is still dropped, by a deadline already
	// past. Timers need no wall clock, so the program's clock stays the
	// only one that decides anything.
	var (
		watchMu  sync.Mutex
		writeSeq int
	)
	write := func(b []byte) bool {
		watchMu.Lock()
		writeSeq++
		seq := writeSeq
		_ = rc.SetWriteDeadline(time.Time{})
		watchMu.Unlock()
		watchdog := time.AfterFunc(streamWriteTimeout, func() {
			watchMu.Lock()
			defer watchMu.Unlock()
			if writeSeq == seq {
				_ = rc.SetWriteDeadline(aLongTimeAgo)
			}
		})
		defer watchdog.Stop()
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write(fmt.Appendf(nil, "retry: %d\nid: %d\nevent: connected\ndata: {\"last_event_id\":%d}\n\n", streamRetry.Milliseconds(), last, last)) {
		return 0, nil, nil
	}
	renewTicket := s.svc.Now().Add(service.StreamTicketRenew)
	heartbeat, stopHeartbeat := s.heartbeats()
	defer stopHeartbeat()
	for {
		for {
			evs, err := s.svc.StreamEvents(ctx, p, gid, last)
			if err != nil {
				return 0, nil, nil
			}
			var buf []byte
			for _, e := range evs {
				data, _ := json.Marshal(toEventView(e))
				buf = fmt.Appendf(buf, "id: %d\nevent: %s\ndata: %s\n\n", e.ID, e.Type, data)
				last = e.ID
			}
			if len(buf) > 0 && !write(buf) {
				return 0, nil, nil
			}
			if len(evs) < service.StreamBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return 0, nil, nil
		case <-s.hub.Closed():
			write([]byte("event: shutdown\ndata: {}\n\n"))
			return 0, nil, nil
		case <-heartbeat:
			if !write([]byte(": heartbeat\n\n")) {
				return 0, nil, nil
			}
		case <-sub.C:
		}
		// The caller is checked again at every wake-up: a disabled or
		// changed account, or an expired token, ends the stream (the
		// client reconnects with fresh credentials and Last-Event-ID).
		if (!expires.IsZero() && s.svc.Now().After(expires)) || !s.svc.StillAllowed(ctx, p) {
			write([]byte("event: reauthenticate\ndata: {}\n\n"))
			return 0, nil, nil
		}
		// A ticket lives while its stream does, so that the browser's
		// reconnect, whenever it comes, still opens one.
		if ticket != "" && !s.svc.Now().Before(renewTicket) {
			_, err := s.svc.RedeemStreamTicket(ctx, ticket, gid)
			if drafting.IsKind(err, drafting.KindUnauthenticated) {
				write([]byte("event: reauthenticate\ndata: {}\n\n"))
				return 0, nil, nil
			}
			if err == nil { // a database that did not answer is asked again at the next wake-up
				renewTicket = s.svc.Now().Add(service.StreamTicketRenew)
			}
		}
	}
}
