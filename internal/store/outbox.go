package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// A writing transaction does not number its events. It leaves them in the
// outbox, in its last statement, with the comment counts it changed; after
// it commits, Publish gives them event ids, folds the counts in, queues the
// webhook deliveries and notifies the other replicas, for every transaction
// that committed since, in one transaction. Writers so share no row: the
// event counter, a busy clause's count row and PostgreSQL's notification
// queue are taken once per batch, by the publisher, not once per write.
//
// Ids still follow the order in which writes could see each other: an
// outbox row's seq is assigned when it is inserted, at the end of its
// transaction, so a transaction that waited for another's rows, or read
// what another committed, has the greater seq; Publish numbers in seq order,
// and only what has committed.

// countKey names one comment count (comment_counts).
type countKey struct {
	GuidelineID string `json:"g"`
	ClauseID    string `json:"c"`
	Speaker     string `json:"s"`
	Status      string `json:"st"`
}

// countDelta is a change of one count, as the outbox carries it.
type countDelta struct {
	countKey
	N int `json:"n"`
}

// outboxEvent is an event as the outbox carries it, before it has an id.
type outboxEvent struct {
	GuidelineID string          `json:"g,omitempty"`
	Type        string          `json:"t"`
	ActorID     string          `json:"a,omitempty"`
	SubjectID   string          `json:"s"`
	Data        json.RawMessage `json:"d"`
	CreatedAt   time.Time       `json:"at"`
}

// countComments records that n comments (negative: fewer) of one speaker on
// one clause are in one status; the transaction's outbox row carries it.
func (tx *Tx) countComments(k countKey, n int) {
	if n == 0 {
		return
	}
	if tx.counts == nil {
		tx.counts = map[countKey]int{}
	}
	tx.counts[k] += n
}

// Outbox leaves events, and the comment counts the transaction changed, for
// Publish: the last statement of a writing transaction. It reports whether
// it left anything.
func (tx *Tx) Outbox(events []drafting.Event) (bool, error) {
	var deltas []countDelta
	for k, n := range tx.counts {
		if n != 0 {
			deltas = append(deltas, countDelta{k, n})
		}
	}
	if len(events) == 0 && len(deltas) == 0 {
		return false, nil
	}
	out := make([]outboxEvent, len(events))
	for i, e := range events {
		data := e.Data
		if data == nil {
			data = map[string]any{}
		}
		raw, err := json.Marshal(data)
		if err != nil {
			return false, fmt.Errorf("outbox event data: %w", err)
		}
		out[i] = outboxEvent{GuidelineID: e.GuidelineID, Type: e.Type, ActorID: e.ActorID, SubjectID: e.SubjectID,
			Data: raw, CreatedAt: e.CreatedAt}
	}
	evs, err := json.Marshal(out)
	if err != nil {
		return false, fmt.Errorf("outbox events: %w", err)
	}
	counts, err := json.Marshal(deltas)
	if err != nil {
		return false, fmt.Errorf("outbox counts: %w", err)
	}
	if err := tx.db.Exec("INSERT INTO outbox (events, counts) VALUES (?, ?)", string(evs), string(counts)).Error; err != nil {
		return false, fmt.Errorf("outbox: %w", err)
	}
	return true, nil
}

type outboxRow struct {
	Seq    int64
	Events string
	Counts string
}

// Pending reports whether the outbox holds anything to publish.
func (s *Store) Pending(ctx context.Context) (bool, error) {
	var seqs []int64
	err := s.pub.WithContext(ctx).Raw("SELECT seq FROM outbox ORDER BY seq LIMIT 1").Scan(&seqs).Error
	return len(seqs) > 0, err
}

// Publish publishes up to limit outbox rows, oldest first, in one
// transaction: their events get the next ids of the event counter (one id
// per event, gap-free, in seq order), their comment counts are added up,
// one webhook delivery is queued per event and subscribed webhook, and each
// guideline that has new events is notified once (PostgreSQL). It returns
// the events published, with their ids, and whether rows were left over.
//
// The counter row is taken first, so publishers on several replicas run in
// turn and each sees what the one before it published; a reader never sees
// an id before the ids below it.
func (s *Store) Publish(ctx context.Context, limit int) ([]drafting.Event, bool, error) {
	if pending, err := s.Pending(ctx); err != nil || !pending {
		return nil, false, err
	}
	var published []drafting.Event
	var more bool
	err := s.pub.WithContext(ctx).Transaction(func(db *gorm.DB) error {
		tx := &Tx{db: db}
		published, more = nil, false
		var last int64
		if err := tx.db.Raw("UPDATE event_counter SET value = value WHERE id = 1 RETURNING value").Scan(&last).Error; err != nil {
			return fmt.Errorf("take the event counter: %w", err)
		}
		var rows []outboxRow
		if err := tx.db.Raw("SELECT seq, events, counts FROM outbox ORDER BY seq LIMIT ?", limit+1).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) > limit {
			rows, more = rows[:limit], true
		}
		if len(rows) == 0 {
			return errNothingToPublish // another publisher took them: leave the counter row as it was
		}
		seqs := make([]int64, len(rows))
		counts := map[countKey]int{}
		var events []eventRow
		for i, r := range rows {
			seqs[i] = r.Seq
			var evs []outboxEvent
			if err := json.Unmarshal([]byte(r.Events), &evs); err != nil {
				return fmt.Errorf("outbox row %d events: %w", r.Seq, err)
			}
			var deltas []countDelta
			if err := json.Unmarshal([]byte(r.Counts), &deltas); err != nil {
				return fmt.Errorf("outbox row %d counts: %w", r.Seq, err)
			}
			for _, d := range deltas {
				counts[d.countKey] += d.N
			}
			for _, e := range evs {
				last++
				row := eventRow{ID: last, GuidelineID: ptr(e.GuidelineID), Type: e.Type, ActorID: ptr(e.ActorID),
					SubjectID: e.SubjectID, Data: string(e.Data), CreatedAt: e.CreatedAt.UTC()}
				pe, err := row.domain() // as a reader of the log will see it
				if err != nil {
					return fmt.Errorf("outbox row %d: %w", r.Seq, err)
				}
				events, published = append(events, row), append(published, pe)
			}
		}
		if len(events) > 0 {
			if err := tx.db.CreateInBatches(events, 200).Error; err != nil {
				return fmt.Errorf("events: %w", err)
			}
			if err := tx.db.Exec("UPDATE event_counter SET value = ? WHERE id = 1", last).Error; err != nil {
				return err
			}
		}
		if err := tx.db.Exec("DELETE FROM outbox WHERE seq IN ?", seqs).Error; err != nil {
			return err
		}
		if err := tx.foldCounts(counts); err != nil {
			return err
		}
		if err := tx.enqueueDeliveries(published); err != nil {
			return err
		}
		return tx.notifyGuidelines(published)
	})
	if err != nil && !errors.Is(err, errNothingToPublish) {
		return nil, false, err
	}
	return published, more, nil
}

var errNothingToPublish = errors.New("nothing to publish")

// foldCounts adds the counts' changes to comment_counts, in key order.
func (tx *Tx) foldCounts(counts map[countKey]int) error {
	keys := make([]countKey, 0, len(counts))
	for k, n := range counts {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b countKey) int {
		return cmp.Or(strings.Compare(a.ClauseID, b.ClauseID), strings.Compare(a.Speaker, b.Speaker), strings.Compare(a.Status, b.Status))
	})
	for _, k := range keys {
		if n := counts[k]; n < 0 {
			// Never below zero: counts that drifted from the comments (a
			// hand-made repair, say) must not stop the publication of
			// every later event; RecountCommentsSQL makes them afresh.
			if err := tx.db.Model(&commentCountRow{}).Where("clause_id = ? AND speaker = ? AND status = ?", k.ClauseID, k.Speaker, k.Status).
				Update("n", gorm.Expr("CASE WHEN n > ? THEN n - ? ELSE 0 END", -n, -n)).Error; err != nil {
				return fmt.Errorf("comment counts: %w", err)
			}
			continue
		}
		err := tx.db.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "clause_id"}, {Name: "speaker"}, {Name: "status"}},
			DoUpdates: clause.Assignments(map[string]any{"n": gormExpr("comment_counts.n + excluded.n")}),
		}).Create(&commentCountRow{GuidelineID: k.GuidelineID, ClauseID: k.ClauseID, Speaker: k.Speaker, Status: k.Status, N: counts[k]}).Error
		if err != nil {
			return fmt.Errorf("comment counts: %w", err)
		}
	}
	return nil
}

// notifyGuidelines notifies each guideline of events once, in one statement.
func (tx *Tx) notifyGuidelines(events []drafting.Event) error {
	if tx.db.Dialector.Name() != "postgres" {
		return nil
	}
	var calls []string
	var args []any
	seen := map[string]bool{}
	for _, e := range events {
		if e.GuidelineID == "" || seen[e.GuidelineID] {
			continue
		}
		seen[e.GuidelineID] = true
		calls = append(calls, "pg_notify(?, ?)")
		args = append(args, NotifyChannel, e.GuidelineID)
	}
	if len(calls) == 0 {
		return nil
	}
	return tx.db.Exec("SELECT "+strings.Join(calls, ", "), args...).Error
}
