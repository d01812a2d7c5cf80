package store

import (
	"encoding/json"
	"fmt"
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

// AppendEvent assigns the next event id and inserts e. The counter row is
// updated first, so concurrent writers queue on it and ids become visible in
// commit order.
func (tx *Tx) AppendEvent(e *drafting.Event) error {
	var id int64
	if err := tx.db.Raw("UPDATE event_counter SET value = value + 1 WHERE id = 1 RETURNING value").Scan(&id).Error; err != nil {
		return fmt.Errorf("next event id: %w", err)
	}
	if id == 0 {
		return fmt.Errorf("next event id: counter row missing")
	}
	data := e.Data
	if data == nil {
		data = map[string]any{}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("event data: %w", err)
	}
	e.ID = id
	return tx.db.Create(&eventRow{ID: id, GuidelineID: ptr(e.GuidelineID), Type: e.Type, ActorID: ptr(e.ActorID),
		SubjectID: e.SubjectID, Data: string(raw), CreatedAt: e.CreatedAt}).Error
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
	q := tx.db.Where("guideline_id = ? AND id > ?", f.GuidelineID, f.After).Order("id").Limit(f.Limit)
	if len(f.Types) > 0 {
		q = q.Where("type IN ?", f.Types)
	}
	if err := q.Find(&rows).Error; err != nil {
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

// EventsByType lists every event of the given type for a subject, oldest first.
func (tx *Tx) EventsBySubject(subjectID string, types ...string) ([]drafting.Event, error) {
	var rows []eventRow
	q := tx.db.Where("subject_id = ?", subjectID).Order("id")
	if len(types) > 0 {
		q = q.Where("type IN ?", types)
	}
	if err := q.Find(&rows).Error; err != nil {
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
