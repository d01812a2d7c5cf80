package store

import (
	"fmt"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
)

type actionRow struct {
	ClauseID      string `gorm:"primaryKey"`
	ClauseVersion int    `gorm:"primaryKey"`
	Responsible   string
	Timeframe     string
	Indicators    string
	Verification  string
	Clauses       string
}

func (actionRow) TableName() string { return "action_details" }

func (r actionRow) domain() (drafting.ActionDetails, error) {
	var a drafting.ActionDetails
	a.Timeframe = r.Timeframe
	for _, f := range []struct {
		s string
		v any
	}{{r.Responsible, &a.Responsible}, {r.Indicators, &a.Indicators}, {r.Verification, &a.Verification}, {r.Clauses, &a.Clauses}} {
		if err := jsonUnmarshal(f.s, f.v); err != nil {
			return a, err
		}
	}
	return a, nil
}

// InsertActionDetails records an action's details as of a clause version.
func (tx *Tx) InsertActionDetails(clauseID string, version int, a drafting.ActionDetails) error {
	return tx.db.Create(&actionRow{ClauseID: clauseID, ClauseVersion: version, Responsible: mustJSON(a.Responsible),
		Timeframe: a.Timeframe, Indicators: mustJSON(a.Indicators), Verification: mustJSON(a.Verification),
		Clauses: mustJSON(a.Clauses)}).Error
}

// ActionDetailsAt reads the details of actions at given versions (clause
// id → version): for each, the details recorded with the greatest version
// not after it. Clauses that are not actions are absent from the answer.
// One statement whatever the number of actions.
func (tx *Tx) ActionDetailsAt(versions map[string]int) (map[string]drafting.ActionDetails, error) {
	out := map[string]drafting.ActionDetails{}
	if len(versions) == 0 {
		return out, nil
	}
	ids := make([]string, 0, len(versions))
	for id := range versions {
		ids = append(ids, id)
	}
	var rows []actionRow
	if err := tx.db.Where("clause_id IN ?", ids).Order("clause_id, clause_version").Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.ClauseVersion > versions[r.ClauseID] {
			continue
		}
		a, err := r.domain()
		if err != nil {
			return nil, err
		}
		out[r.ClauseID] = a // rows ascend by version: the last kept is the greatest
	}
	return out, nil
}

type progressRow struct {
	ID          string `gorm:"primaryKey"`
	Seq         int64
	GuidelineID string
	ClauseID    string
	CountryCode string
	Status      string
	Note        string
	ReportedOn  string
	EvidenceURL string `gorm:"column:evidence_url"`
	ReportedBy  string
	CreatedAt   time.Time
}

func (progressRow) TableName() string { return "progress_reports" }

func (r progressRow) domain() drafting.ProgressReport {
	return drafting.ProgressReport{ID: r.ID, Seq: r.Seq, GuidelineID: r.GuidelineID, ActionID: r.ClauseID, Country: r.CountryCode,
		Status: drafting.ProgressStatus(r.Status), Note: r.Note, Date: r.ReportedOn, EvidenceURL: r.EvidenceURL,
		ReportedBy: r.ReportedBy, CreatedAt: r.CreatedAt}
}

// NextProgressSeq numbers a progress report: reports of one transaction
// queue on the counter row, which only progress reports take.
func (tx *Tx) NextProgressSeq() (int64, error) {
	var seq int64
	if err := tx.db.Raw("UPDATE progress_counter SET value = value + 1 WHERE id = 1 RETURNING value").Scan(&seq).Error; err != nil {
		return 0, fmt.Errorf("next progress seq: %w", err)
	}
	if seq == 0 {
		return 0, fmt.Errorf("next progress seq: counter row missing")
	}
	return seq, nil
}

// InsertProgress records a progress report.
func (tx *Tx) InsertProgress(p drafting.ProgressReport) error {
	return tx.db.Create(&progressRow{ID: p.ID, Seq: p.Seq, GuidelineID: p.GuidelineID, ClauseID: p.ActionID, CountryCode: p.Country,
		Status: string(p.Status), Note: p.Note, ReportedOn: p.Date, EvidenceURL: p.EvidenceURL, ReportedBy: p.ReportedBy,
		CreatedAt: p.CreatedAt}).Error
}

// Progress reads one progress report.
func (tx *Tx) Progress(id string) (drafting.ProgressReport, error) {
	var r progressRow
	if err := tx.db.Where("id = ?", id).Take(&r).Error; err != nil {
		return drafting.ProgressReport{}, notFound(err, "progress")
	}
	return r.domain(), nil
}

// ProgressFilter selects progress reports, newest first.
type ProgressFilter struct {
	GuidelineID string
	ActionID    string
	Country     string
	Before      int64 // keyset: reports before this seq (0: from the newest)
	Limit       int
}

// ProgressReports lists reports, newest first.
func (tx *Tx) ProgressReports(f ProgressFilter) ([]drafting.ProgressReport, error) {
	q := tx.db.Model(&progressRow{}).Order("seq DESC")
	if f.GuidelineID != "" {
		q = q.Where("guideline_id = ?", f.GuidelineID)
	}
	if f.ActionID != "" {
		q = q.Where("clause_id = ?", f.ActionID)
	}
	if f.Country != "" {
		q = q.Where("country_code = ?", f.Country)
	}
	if f.Before > 0 {
		q = q.Where("seq < ?", f.Before)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []progressRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]drafting.ProgressReport, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// LatestProgress reads the current report of every (action, country) of a
// guideline: the newest of each.
func (tx *Tx) LatestProgress(gid string) ([]drafting.ProgressReport, error) {
	var rows []progressRow
	err := tx.db.Model(&progressRow{}).Where("guideline_id = ?", gid).
		Where(`NOT EXISTS (SELECT 1 FROM progress_reports n WHERE n.clause_id = progress_reports.clause_id
			AND n.country_code = progress_reports.country_code
			AND n.seq > progress_reports.seq)`).
		Order("clause_id, country_code").Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]drafting.ProgressReport, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}
