package store

import (
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
)

type inputRow struct {
	ID          string `gorm:"primaryKey"`
	GuidelineID string
	CountryCode string
	Area        string
	Kind        string
	Version     int
	Revision    int
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (inputRow) TableName() string { return "national_inputs" }

type inputVersionRow struct {
	InputID   string `gorm:"primaryKey"`
	Number    int    `gorm:"primaryKey"`
	Area      string
	Kind      string
	Text      string
	Source    string
	AuthorID  string
	CreatedAt time.Time
}

func (inputVersionRow) TableName() string { return "national_input_versions" }

func (r inputVersionRow) domain() (drafting.InputVersion, error) {
	v := drafting.InputVersion{InputID: r.InputID, Number: r.Number, Area: r.Area, Kind: drafting.InputKind(r.Kind),
		Source: r.Source, AuthorID: r.AuthorID, CreatedAt: r.CreatedAt}
	return v, jsonUnmarshal(r.Text, &v.Text)
}

// inputJoined is an input row with its current version's text and source.
type inputJoined struct {
	ID          string
	GuidelineID string
	CountryCode string
	Area        string
	Kind        string
	Version     int
	Revision    int
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Text        string
	Source      string
}

func (r inputJoined) domain() (drafting.NationalInput, error) {
	in := drafting.NationalInput{ID: r.ID, GuidelineID: r.GuidelineID, Country: r.CountryCode, Area: r.Area,
		Kind: drafting.InputKind(r.Kind), Source: r.Source, Version: r.Version, Revision: r.Revision,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	return in, jsonUnmarshal(r.Text, &in.Text)
}

const inputSelect = "national_inputs.*, v.text AS text, v.source AS source"
const inputJoin = "JOIN national_input_versions v ON v.input_id = national_inputs.id AND v.number = national_inputs.version"

// InsertInput inserts a national input and its first version.
func (tx *Tx) InsertInput(in drafting.NationalInput) error {
	if err := tx.db.Create(&inputRow{ID: in.ID, GuidelineID: in.GuidelineID, CountryCode: in.Country, Area: in.Area,
		Kind: string(in.Kind), Version: in.Version, Revision: in.Revision, CreatedBy: in.CreatedBy,
		CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt}).Error; err != nil {
		return err
	}
	return tx.InsertInputVersion(drafting.InputVersion{InputID: in.ID, Number: in.Version, Area: in.Area, Kind: in.Kind,
		Text: in.Text, Source: in.Source, AuthorID: in.CreatedBy, CreatedAt: in.CreatedAt})
}

// InsertInputVersion appends an immutable version of a national input.
func (tx *Tx) InsertInputVersion(v drafting.InputVersion) error {
	return tx.db.Create(&inputVersionRow{InputID: v.InputID, Number: v.Number, Area: v.Area, Kind: string(v.Kind),
		Text: mustJSON(v.Text), Source: v.Source, AuthorID: v.AuthorID, CreatedAt: v.CreatedAt}).Error
}

// SaveInput writes a new current version of an input, only if the input
// is still at revision rev (the input's optimistic-concurrency guard);
// ErrConflict otherwise.
func (tx *Tx) SaveInput(in drafting.NationalInput, rev int) error {
	res := tx.db.Model(&inputRow{}).Where("id = ? AND revision = ?", in.ID, rev).Updates(map[string]any{
		"area": in.Area, "kind": string(in.Kind), "version": in.Version, "revision": in.Revision, "updated_at": in.UpdatedAt,
	})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrConflict
	}
	return nil
}

// Input reads one national input at its current version.
func (tx *Tx) Input(id string) (drafting.NationalInput, error) {
	var r inputJoined
	if err := tx.db.Model(&inputRow{}).Select(inputSelect).Joins(inputJoin).Where("national_inputs.id = ?", id).Take(&r).Error; err != nil {
		return drafting.NationalInput{}, notFound(err, "input")
	}
	return r.domain()
}

// InputCursor is the keyset position in a list of inputs.
type InputCursor struct {
	CreatedAt time.Time `json:"t"`
	ID        string    `json:"i"`
}

// InputFilter selects national inputs of a guideline.
type InputFilter struct {
	GuidelineID string
	Country     string
	Area        string
	Kind        string
	// Unaddressed keeps the inputs no clause cites as a source.
	Unaddressed bool
	// IDs keeps only these inputs (nil: any).
	IDs   []string
	After *InputCursor
	Limit int // 0: all
}

// Inputs lists national inputs in (created_at, id) order.
func (tx *Tx) Inputs(f InputFilter) ([]drafting.NationalInput, error) {
	q := tx.db.Model(&inputRow{}).Select(inputSelect).Joins(inputJoin).
		Where("national_inputs.guideline_id = ?", f.GuidelineID).Order("national_inputs.created_at, national_inputs.id")
	if f.Country != "" {
		q = q.Where("national_inputs.country_code = ?", f.Country)
	}
	if f.Area != "" {
		q = q.Where("national_inputs.area = ?", f.Area)
	}
	if f.Kind != "" {
		q = q.Where("national_inputs.kind = ?", f.Kind)
	}
	if f.Unaddressed {
		q = q.Where("NOT EXISTS (SELECT 1 FROM clause_sources cs WHERE cs.input_id = national_inputs.id)")
	}
	if f.IDs != nil {
		q = q.Where("national_inputs.id IN ?", f.IDs)
	}
	if f.After != nil {
		q = q.Where(keysetAfter("national_inputs."), f.After.CreatedAt, f.After.ID)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []inputJoined
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	return domainsOf[drafting.NationalInput](rows)
}

// InputVersions lists an input's versions, newest first, before version
// before (0: from the newest), at most limit.
func (tx *Tx) InputVersions(id string, before, limit int) ([]drafting.InputVersion, error) {
	q := tx.db.Where("input_id = ?", id).Order("number DESC").Limit(limit)
	if before > 0 {
		q = q.Where("number < ?", before)
	}
	var rows []inputVersionRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	return domainsOf[drafting.InputVersion](rows)
}

type clauseSourceRow struct {
	ClauseID string `gorm:"primaryKey"`
	InputID  string `gorm:"primaryKey"`
}

func (clauseSourceRow) TableName() string { return "clause_sources" }

// SetClauseSources replaces the inputs a clause cites.
func (tx *Tx) SetClauseSources(clauseID string, inputIDs []string) error {
	if err := tx.db.Where("clause_id = ?", clauseID).Delete(&clauseSourceRow{}).Error; err != nil {
		return err
	}
	if len(inputIDs) == 0 {
		return nil
	}
	rows := make([]clauseSourceRow, len(inputIDs))
	for i, id := range inputIDs {
		rows[i] = clauseSourceRow{ClauseID: clauseID, InputID: id}
	}
	return tx.db.Create(&rows).Error
}

// ClauseSources lists the ids of the inputs each of the clauses cites
// (clause id → input ids, sorted), for every clause of the guideline.
func (tx *Tx) ClauseSources(gid string) (map[string][]string, error) {
	var rows []clauseSourceRow
	if err := tx.db.Model(&clauseSourceRow{}).Select("clause_sources.clause_id, clause_sources.input_id").
		Joins("JOIN clauses c ON c.id = clause_sources.clause_id").Where("c.guideline_id = ?", gid).
		Order("clause_sources.clause_id, clause_sources.input_id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.ClauseID] = append(out[r.ClauseID], r.InputID)
	}
	return out, nil
}

// SourcesOf lists the ids of the inputs one clause cites.
func (tx *Tx) SourcesOf(clauseID string) ([]string, error) {
	var ids []string
	err := tx.db.Model(&clauseSourceRow{}).Where("clause_id = ?", clauseID).Order("input_id").Pluck("input_id", &ids).Error
	return ids, err
}
