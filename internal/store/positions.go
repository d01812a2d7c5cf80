package store

import (
	"database/sql"
	"strings"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
)

type positionRow struct {
	ID            string `gorm:"primaryKey"`
	ClauseID      string
	CountryCode   string
	ClauseVersion int
	Stance        string
	Reservation   string
	Reason        string
	RecordedBy    *string
	RecordedAs    *string
	Deemed        bool
	Superseded    bool
	AdReferendum  bool
	ConfirmBy     *time.Time
	LapsedAt      *time.Time
	Acceptable    string // comma-separated alternative labels
	CreatedAt     time.Time
}

func (positionRow) TableName() string { return "positions" }

func (r positionRow) domain() drafting.Position {
	return drafting.Position{ID: r.ID, ClauseID: r.ClauseID, Country: r.CountryCode, ClauseVersion: r.ClauseVersion,
		Stance: drafting.Stance(r.Stance), Reservation: r.Reservation, Reason: r.Reason, RecordedBy: deref(r.RecordedBy),
		RecordedAs: deref(r.RecordedAs), Deemed: r.Deemed, AdReferendum: r.AdReferendum, ConfirmBy: utcPtr(r.ConfirmBy), Acceptable: splitLabels(r.Acceptable), CreatedAt: r.CreatedAt}
}

// splitLabels reads a comma-separated list ("" is none).
func splitLabels(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func positionToRow(p drafting.Position) positionRow {
	return positionRow{ID: p.ID, ClauseID: p.ClauseID, CountryCode: p.Country, ClauseVersion: p.ClauseVersion,
		Stance: string(p.Stance), Reservation: p.Reservation, Reason: p.Reason, RecordedBy: ptr(p.RecordedBy),
		RecordedAs: ptr(p.RecordedAs), Deemed: p.Deemed, AdReferendum: p.AdReferendum, ConfirmBy: p.ConfirmBy, Acceptable: strings.Join(p.Acceptable, ","), CreatedAt: p.CreatedAt}
}

func positionsOf(rows []positionRow) []drafting.Position {
	out := make([]drafting.Position, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out
}

// InsertPositions records new current positions on one clause: the current
// position of each of their countries is marked superseded (kept as
// history), then the new rows are inserted — two statements whatever the
// number. The caller holds the clause's claim, so no other writer records a
// position on it meanwhile.
func (tx *Tx) InsertPositions(clauseID string, ps []drafting.Position) error {
	if len(ps) == 0 {
		return nil
	}
	countries := make([]string, len(ps))
	rows := make([]positionRow, len(ps))
	for i, p := range ps {
		countries[i] = p.Country
		rows[i] = positionToRow(p)
		rows[i].ClauseID = clauseID
	}
	if err := tx.db.Model(&positionRow{}).
		Where("clause_id = ? AND country_code IN ? AND superseded = FALSE", clauseID, countries).
		Update("superseded", true).Error; err != nil {
		return err
	}
	return tx.db.Create(&rows).Error
}

// CurrentPositions lists the current position of every country that has
// one on a clause (on any version: compare with the clause's version to tell
// stale ones), by country.
func (tx *Tx) CurrentPositions(clauseID string) ([]drafting.Position, error) {
	var rows []positionRow
	err := tx.db.Where("clause_id = ? AND superseded = FALSE", clauseID).Order("country_code").Find(&rows).Error
	return positionsOf(rows), err
}

// GuidelineStances lists the current position on every clause of a
// guideline in one statement, for the consensus matrix: only clause,
// country, version, stance, reservation, reason and deemed are filled. Rows
// are scanned by hand, since for a large guideline the generic row mapping
// costs more than the query.
func (tx *Tx) GuidelineStances(gid string) ([]drafting.Position, error) {
	rows, err := tx.db.Raw(`SELECT p.clause_id, p.country_code, p.clause_version, p.stance, p.reservation, p.reason, p.deemed,
		p.ad_referendum, p.confirm_by, p.acceptable
		FROM positions p JOIN clauses c ON c.id = p.clause_id
		WHERE c.guideline_id = ? AND p.superseded = FALSE`, gid).Rows()
	if err != nil {
		return nil, err
	}
	return scanCurrentPositions(rows)
}

// PositionCursor is the keyset position in a position history.
type PositionCursor struct {
	CreatedAt time.Time `json:"t"`
	ID        string    `json:"i"`
}

// PositionRecord is a position as kept, with whether a later one on the
// same clause and country replaced it.
type PositionRecord struct {
	drafting.Position
	Superseded bool
	// LapsedAt is when an agreement ad referendum lapsed unconfirmed.
	LapsedAt *time.Time
}

// PositionHistory lists every position ever recorded on a clause, newest
// first, after the cursor.
func (tx *Tx) PositionHistory(clauseID string, after *PositionCursor, limit int) ([]PositionRecord, error) {
	var rows []positionRow
	q := tx.db.Where("clause_id = ?", clauseID).Order("created_at DESC, id DESC").Limit(limit)
	if after != nil {
		q = q.Where(keysetBefore(""), after.CreatedAt, after.ID)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]PositionRecord, len(rows))
	for i, r := range rows {
		out[i] = PositionRecord{Position: r.domain(), Superseded: r.Superseded, LapsedAt: utcPtr(r.LapsedAt)}
	}
	return out, nil
}

// ClauseStates lists a guideline's clauses in document order without their
// texts, in one statement (for the consensus matrix).
func (tx *Tx) ClauseStates(gid string) ([]drafting.Clause, error) {
	var rows []clauseRow
	err := tx.db.Model(&clauseRow{}).Select("clauses.*").
		Joins("JOIN sections ON sections.id = clauses.section_id").
		Where("clauses.guideline_id = ?", gid).Order("sections.position, clauses.position").Find(&rows).Error
	out := make([]drafting.Clause, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, err
}

// SilenceDue lists the clauses whose silence procedure ended at or before
// now, in one statement.
func (tx *Tx) SilenceDue(now time.Time) ([]string, error) {
	var ids []string
	err := tx.db.Model(&clauseRow{}).Where("status = ? AND silence_deadline <= ?", string(drafting.StatusSilence), now).
		Order("silence_deadline, id").Pluck("id", &ids).Error
	return ids, err
}

// scanCurrentPositions reads the rows of a current-positions query
// (clause_id, country_code, clause_version, stance, reservation, reason,
// deemed, ad_referendum, confirm_by, acceptable) and closes them.
func scanCurrentPositions(rows *sql.Rows) ([]drafting.Position, error) {
	defer rows.Close()
	var out []drafting.Position
	for rows.Next() {
		var p drafting.Position
		var stance string
		var confirmBy sql.NullTime
		var acceptable string
		if err := rows.Scan(&p.ClauseID, &p.Country, &p.ClauseVersion, &stance, &p.Reservation, &p.Reason, &p.Deemed,
			&p.AdReferendum, &confirmBy, &acceptable); err != nil {
			return nil, err
		}
		p.Acceptable = splitLabels(acceptable)
		p.Stance = drafting.Stance(stance)
		if confirmBy.Valid {
			t := confirmBy.Time.UTC()
			p.ConfirmBy = &t
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// AdReferendumDue lists the clauses holding a current agreement ad
// referendum whose confirmation deadline is at or before now, in one
// statement.
func (tx *Tx) AdReferendumDue(now time.Time) ([]string, error) {
	var ids []string
	err := tx.db.Model(&positionRow{}).Distinct("clause_id").
		Where("ad_referendum = ? AND superseded = ? AND confirm_by <= ?", true, false, now).
		Order("clause_id").Pluck("clause_id", &ids).Error
	return ids, err
}

// LapsePositions ends the given current positions of a clause with no
// successor, at now: their countries are pending again. The caller holds
// the clause's claim.
func (tx *Tx) LapsePositions(clauseID string, ids []string, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return tx.db.Model(&positionRow{}).Where("clause_id = ? AND id IN ? AND superseded = ?", clauseID, ids, false).
		Updates(map[string]any{"superseded": true, "lapsed_at": now}).Error
}

// DraftAdReferendum lists the current agreements ad referendum on the
// clause versions of a draft (clause, country; Text is empty), by country,
// of the countries taking part in the guideline now.
func (tx *Tx) DraftAdReferendum(gid string, number int) ([]drafting.Reservation, error) {
	var out []drafting.Reservation
	err := tx.db.Table("positions p").
		Select("p.clause_id AS clause_id, p.clause_version AS clause_version, p.country_code AS country").
		Joins("JOIN draft_clauses d ON d.clause_id = p.clause_id AND d.clause_version = p.clause_version").
		Joins("JOIN guideline_participants gp ON gp.guideline_id = d.guideline_id AND gp.country_code = p.country_code").
		Where("d.guideline_id = ? AND d.draft_number = ? AND p.ad_referendum = ? AND p.superseded = ?", gid, number, true, false).
		Order("p.country_code").Scan(&out).Error
	return out, err
}

// utcPtr is t in UTC (nil stays nil): a database may hand back times in
// its session's zone.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
