package store

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/rcm-iom/consenso/internal/drafting"
)

type clauseRow struct {
	ID              string `gorm:"primaryKey"`
	GuidelineID     string
	SectionID       string
	Position        int
	Number          string
	Status          string
	Version         int
	Revision        int
	SilenceDeadline *time.Time
	// AlignmentPending is comma-separated, sorted.
	AlignmentPending string
	Alternatives     int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (clauseRow) TableName() string { return "clauses" }

func (r clauseRow) domain() drafting.Clause {
	c := drafting.Clause{ID: r.ID, GuidelineID: r.GuidelineID, SectionID: r.SectionID, Position: r.Position,
		Number: r.Number, Status: drafting.Status(r.Status), Version: r.Version, Revision: r.Revision,
		SilenceDeadline: r.SilenceDeadline, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	c.AlternativeCount = r.Alternatives
	if r.AlignmentPending != "" {
		c.AlignmentPending = strings.Split(r.AlignmentPending, ",")
	}
	if c.SilenceDeadline != nil {
		t := c.SilenceDeadline.UTC()
		c.SilenceDeadline = &t
	}
	return c
}

type versionRow struct {
	ClauseID     string `gorm:"primaryKey"`
	Number       int    `gorm:"primaryKey"`
	Text         string
	Note         string
	Incorporates string
	AuthorID     string
	// Alternatives is a JSON array of texts, or NULL.
	Alternatives *string
	CreatedAt    time.Time
}

func (versionRow) TableName() string { return "clause_versions" }

func (r versionRow) domain() (drafting.Version, error) {
	v := drafting.Version{ClauseID: r.ClauseID, Number: r.Number, Note: r.Note, AuthorID: r.AuthorID, CreatedAt: r.CreatedAt}
	if err := json.Unmarshal([]byte(r.Text), &v.Text); err != nil {
		return v, fmt.Errorf("clause %s version %d text: %w", r.ClauseID, r.Number, err)
	}
	if err := json.Unmarshal([]byte(r.Incorporates), &v.Incorporates); err != nil {
		return v, fmt.Errorf("clause %s version %d incorporates: %w", r.ClauseID, r.Number, err)
	}
	if r.Alternatives != nil {
		if err := json.Unmarshal([]byte(*r.Alternatives), &v.Alternatives); err != nil {
			return v, fmt.Errorf("clause %s version %d alternatives: %w", r.ClauseID, r.Number, err)
		}
	}
	return v, nil
}

// InsertClause makes room at c.Position in its section and inserts the clause
// row (its first version is inserted with InsertVersion).
func (tx *Tx) InsertClause(c drafting.Clause) error {
	if err := tx.db.Model(&clauseRow{}).Where("section_id = ? AND position >= ?", c.SectionID, c.Position).
		Update("position", gormExpr("position + 1")).Error; err != nil {
		return err
	}
	return tx.db.Create(&clauseRow{ID: c.ID, GuidelineID: c.GuidelineID, SectionID: c.SectionID, Position: c.Position,
		Number: c.Number, Status: string(c.Status), Version: c.Version, Revision: c.Revision,
		SilenceDeadline: c.SilenceDeadline, AlignmentPending: strings.Join(c.AlignmentPending, ","), Alternatives: c.AlternativeCount,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}).Error
}

// InsertVersion appends an immutable clause version.
func (tx *Tx) InsertVersion(v drafting.Version) error {
	inc := v.Incorporates
	if inc == nil {
		inc = []string{}
	}
	var alts *string
	if len(v.Alternatives) > 0 {
		j := mustJSON(v.Alternatives)
		alts = &j
	}
	return tx.db.Create(&versionRow{ClauseID: v.ClauseID, Number: v.Number, Text: mustJSON(v.Text), Note: v.Note,
		Incorporates: mustJSON(inc), AuthorID: v.AuthorID, Alternatives: alts, CreatedAt: v.CreatedAt}).Error
}

// Clause reads one clause with its current text.
func (tx *Tx) Clause(id string) (drafting.Clause, error) {
	var rows []clauseWithText
	if err := tx.db.Raw(`SELECT c.*, v.text AS version_text, v.alternatives AS version_alternatives
FROM clauses c JOIN clause_versions v ON v.clause_id = c.id AND v.number = c.version WHERE c.id = ?`, id).Scan(&rows).Error; err != nil {
		return drafting.Clause{}, err
	}
	if len(rows) == 0 {
		return drafting.Clause{}, drafting.NotFound("clause")
	}
	r := rows[0]
	c := r.Row.domain()
	v, err := versionRow{ClauseID: c.ID, Number: c.Version, Text: r.VersionText, Incorporates: "[]", Alternatives: r.VersionAlternatives}.domain()
	if err != nil {
		return c, err
	}
	c.Text, c.Alternatives = v.Text, v.Alternatives
	return c, nil
}

// clauseWithText is a clause row read with its current version's text, in
// one statement.
type clauseWithText struct {
	Row                 clauseRow `gorm:"embedded"`
	VersionText         string
	VersionAlternatives *string
}

// ClaimClause is the optimistic-concurrency guard of every clause change:
// it bumps the revision only if it is still rev. false means another
// writer changed the clause first (in PostgreSQL the statement waits for
// that writer's commit, then matches nothing).
func (tx *Tx) ClaimClause(id string, rev int, now time.Time) (bool, error) {
	res := tx.db.Model(&clauseRow{}).Where("id = ? AND revision = ?", id, rev).
		Updates(map[string]any{"revision": rev + 1, "updated_at": now})
	return res.RowsAffected == 1, res.Error
}

// SaveClause writes a claimed clause's state; ErrConflict when the clause
// is no longer at the claimed revision (it was not claimed by the caller).
func (tx *Tx) SaveClause(c drafting.Clause) error {
	res := tx.db.Model(&clauseRow{}).Where("id = ? AND revision = ?", c.ID, c.Revision).Updates(map[string]any{
		"status": string(c.Status), "version": c.Version, "silence_deadline": c.SilenceDeadline,
		"alignment_pending": strings.Join(c.AlignmentPending, ","), "alternatives": c.AlternativeCount,
		"section_id": c.SectionID, "position": c.Position, "number": c.Number, "updated_at": c.UpdatedAt,
	})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrConflict
	}
	return nil
}

// ClauseFilter narrows a clause list.
type ClauseFilter struct {
	GuidelineID string
	SectionID   string
	Status      string
	// NeedsPosition, a country code, keeps the clauses in one of
	// PositionStatuses on which that country has no position on the
	// current version, leaving out silence procedures whose deadline is
	// at or before SilenceOver (they are over).
	NeedsPosition    string
	PositionStatuses []string
	SilenceOver      time.Time
	// SectionKind keeps the clauses of sections of this kind
	// (drafting.SectionPlan: the plan's actions).
	SectionKind string
}

// ClauseKey is a clause's place in document order: its section's position,
// its position in the section and its id (the tie-breaker). It is the
// keyset of the paged clause lists.
type ClauseKey struct {
	SectionPosition int    `json:"s"`
	Position        int    `json:"p"`
	ID              string `json:"i"`
}

// keyedClauseRow is a clause row with its section's position (the
// clause row is an exported, embedded field so GORM fills it).
type keyedClauseRow struct {
	Row             clauseRow `gorm:"embedded"`
	SectionPosition int
	// AnyClause and AnyOpen tell whether the guideline has a clause, and a
	// clause not agreed, when the page was read with them.
	AnyClause bool
	AnyOpen   bool
}

func (r keyedClauseRow) key() ClauseKey {
	return ClauseKey{SectionPosition: r.SectionPosition, Position: r.Row.Position, ID: r.Row.ID}
}

// clausePage reads the clauses f selects in document order after the key
// (nil: from the first), at most limit of them (0: all), in one statement.
// The keyset is a row-value comparison on (section position, clause
// position, id), portable to SQLite and PostgreSQL.
func (tx *Tx) clausePage(f ClauseFilter, after *ClauseKey, limit int, counts bool) ([]keyedClauseRow, error) {
	var rows []keyedClauseRow
	q := tx.db.Model(&clauseRow{})
	if counts {
		// Uncorrelated EXISTS subqueries: both databases evaluate them
		// once per statement, not once per row, and stop at the first row.
		q = q.Select(`clauses.*, sections.position AS section_position,
			EXISTS (SELECT 1 FROM clauses a WHERE a.guideline_id = ?) AS any_clause,
			EXISTS (SELECT 1 FROM clauses b WHERE b.guideline_id = ? AND b.status <> ?) AS any_open`,
			f.GuidelineID, f.GuidelineID, string(drafting.StatusAgreed))
	} else {
		q = q.Select("clauses.*, sections.position AS section_position")
	}
	// sections.guideline_id is implied by the join, and stated so that
	// PostgreSQL walks the guideline's sections in order on
	// sections_guideline and each one's clauses on clauses_guideline (a
	// nested loop and an incremental sort, stopping at the limit) instead
	// of sorting every clause of the guideline for each page.
	q = q.
		Joins("JOIN sections ON sections.id = clauses.section_id").
		Where("clauses.guideline_id = ? AND sections.guideline_id = ?", f.GuidelineID, f.GuidelineID).
		Order("sections.position, clauses.position, clauses.id")
	if after != nil {
		q = q.Where("(sections.position, clauses.position, clauses.id) > (?, ?, ?)", after.SectionPosition, after.Position, after.ID)
	}
	if limit > 0 {
		q = q.Limit(limit)
	}
	if f.SectionID != "" {
		q = q.Where("clauses.section_id = ?", f.SectionID)
	}
	if f.Status != "" {
		q = q.Where("clauses.status = ?", f.Status)
	}
	if f.SectionKind != "" {
		q = q.Where("sections.kind = ?", f.SectionKind)
	}
	if f.NeedsPosition != "" {
		q = q.Where("clauses.status IN ?", f.PositionStatuses).
			Where("NOT (clauses.status = ? AND clauses.silence_deadline <= ?)", string(drafting.StatusSilence), f.SilenceOver).
			Where(`NOT EXISTS (SELECT 1 FROM positions p WHERE p.clause_id = clauses.id AND p.country_code = ?
				AND p.superseded = FALSE AND p.clause_version = clauses.version)`, f.NeedsPosition)
	}
	err := q.Find(&rows).Error
	return rows, err
}

// Clauses lists a guideline's clauses in document order with current texts,
// after the key (nil: from the first), at most limit (0: all), with the key
// of each: two statements whatever the number of clauses.
func (tx *Tx) Clauses(f ClauseFilter, after *ClauseKey, limit int) ([]drafting.Clause, []ClauseKey, error) {
	rows, err := tx.clausePage(f, after, limit, false)
	if err != nil || len(rows) == 0 {
		return nil, nil, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.Row.ID
	}
	var vrows []versionRow
	err = tx.db.Model(&versionRow{}).Select("clause_versions.*").
		Joins("JOIN clauses ON clauses.id = clause_versions.clause_id AND clauses.version = clause_versions.number").
		Where("clause_versions.clause_id IN ?", ids).Find(&vrows).Error
	if err != nil {
		return nil, nil, err
	}
	texts := make(map[string]drafting.Text, len(vrows))
	alts := make(map[string][]drafting.Text)
	for _, v := range vrows {
		d, err := v.domain()
		if err != nil {
			return nil, nil, err
		}
		texts[v.ClauseID] = d.Text
		if len(d.Alternatives) > 0 {
			alts[v.ClauseID] = d.Alternatives
		}
	}
	out := make([]drafting.Clause, len(rows))
	keys := make([]ClauseKey, len(rows))
	for i, r := range rows {
		out[i] = r.Row.domain()
		out[i].Text, out[i].Alternatives = texts[r.Row.ID], alts[r.Row.ID]
		keys[i] = r.key()
	}
	return out, keys, nil
}

// ClauseStatesAfter lists the clauses f selects (guideline and section
// only) in document order without their texts, after the key, at most limit
// (0: all), with the key of each: one statement, and no count of the whole
// guideline (see ClauseStatesPage).
func (tx *Tx) ClauseStatesAfter(f ClauseFilter, after *ClauseKey, limit int) ([]drafting.Clause, []ClauseKey, error) {
	rows, err := tx.clausePage(ClauseFilter{GuidelineID: f.GuidelineID, SectionID: f.SectionID}, after, limit, false)
	if err != nil {
		return nil, nil, err
	}
	cs := make([]drafting.Clause, len(rows))
	keys := make([]ClauseKey, len(rows))
	for i, r := range rows {
		cs[i] = r.Row.domain()
		keys[i] = r.key()
	}
	return cs, keys, nil
}

// ClauseStatesPage lists the clauses f selects (guideline and section only)
// in document order without their texts, after the key, at most limit (0:
// all), with the key of each, and tells whether the whole guideline has a
// clause and a clause not agreed (EXISTS, which stops at the first found):
// one statement (two when the page is empty), for the consensus matrix.
func (tx *Tx) ClauseStatesPage(f ClauseFilter, after *ClauseKey, limit int) (cs []drafting.Clause, keys []ClauseKey, anyClause, anyOpen bool, err error) {
	rows, err := tx.clausePage(ClauseFilter{GuidelineID: f.GuidelineID, SectionID: f.SectionID}, after, limit, true)
	if err != nil {
		return nil, nil, false, false, err
	}
	if len(rows) == 0 {
		total, notAgreed, err := tx.ClauseCounts(f.GuidelineID)
		return nil, nil, total > 0, notAgreed > 0, err
	}
	cs = make([]drafting.Clause, len(rows))
	keys = make([]ClauseKey, len(rows))
	for i, r := range rows {
		cs[i] = r.Row.domain()
		keys[i] = r.key()
	}
	return cs, keys, rows[0].AnyClause, rows[0].AnyOpen, nil
}

// ClauseStances lists the current position on each of the given clauses
// in one statement (for a page of the consensus matrix), filled as by
// GuidelineStances.
func (tx *Tx) ClauseStances(ids []string) ([]drafting.Position, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := tx.db.Raw(`SELECT p.clause_id, p.country_code, p.clause_version, p.stance, p.reservation, p.reason, p.deemed,
		p.ad_referendum, p.confirm_by, p.acceptable
		FROM positions p WHERE p.clause_id IN ? AND p.superseded = FALSE`, ids).Rows()
	if err != nil {
		return nil, err
	}
	return scanCurrentPositions(rows)
}

// ClauseCounts returns how many clauses a guideline has and how many of
// them are not agreed, in one statement (whether it is ready for adoption,
// without loading its clauses).
func (tx *Tx) ClauseCounts(gid string) (total, notAgreed int, err error) {
	var r struct {
		Total     int64
		NotAgreed int64
	}
	err = tx.db.Model(&clauseRow{}).
		Select("COUNT(*) AS total, COALESCE(SUM(CASE WHEN status <> ? THEN 1 ELSE 0 END), 0) AS not_agreed", string(drafting.StatusAgreed)).
		Where("guideline_id = ?", gid).Scan(&r).Error
	return int(r.Total), int(r.NotAgreed), err
}

// CountClauses returns how many clauses a section holds.
func (tx *Tx) CountClauses(sectionID string) (int, error) {
	var n int64
	err := tx.db.Model(&clauseRow{}).Where("section_id = ?", sectionID).Count(&n).Error
	return int(n), err
}

// CloseGap shifts clauses after position up by one in a section (after a
// clause left it).
func (tx *Tx) CloseGap(sectionID string, position int) error {
	return tx.db.Model(&clauseRow{}).Where("section_id = ? AND position > ?", sectionID, position).
		Update("position", gormExpr("position - 1")).Error
}

// OpenGap shifts clauses at or after position down by one in a section,
// leaving out the clause being moved.
func (tx *Tx) OpenGap(sectionID string, position int, except string) error {
	return tx.db.Model(&clauseRow{}).Where("section_id = ? AND position >= ? AND id <> ?", sectionID, position, except).
		Update("position", gormExpr("position + 1")).Error
}

// Version reads one clause version.
func (tx *Tx) Version(clauseID string, n int) (drafting.Version, error) {
	var r versionRow
	if err := tx.db.Where("clause_id = ? AND number = ?", clauseID, n).Take(&r).Error; err != nil {
		return drafting.Version{}, notFound(err, "version")
	}
	return r.domain()
}

// Versions lists a clause's versions, newest first, before the given number
// (0: from the newest).
func (tx *Tx) Versions(clauseID string, before, limit int) ([]drafting.Version, error) {
	var rows []versionRow
	q := tx.db.Where("clause_id = ?", clauseID).Order("number DESC").Limit(limit)
	if before > 0 {
		q = q.Where("number < ?", before)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]drafting.Version, 0, len(rows))
	for _, r := range rows {
		v, err := r.domain()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// LockClause reads a clause and holds its row until the transaction ends
// (PostgreSQL; SQLite's write transactions are serial already), for
// changes beside the clause that must not interleave (its sources).
func (tx *Tx) LockClause(id string) (drafting.Clause, error) {
	var r clauseRow
	if err := tx.db.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Where("id = ?", id).Take(&r).Error; err != nil {
		return drafting.Clause{}, notFound(err, "clause")
	}
	return r.domain(), nil
}
