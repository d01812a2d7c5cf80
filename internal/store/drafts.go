package store

import (
	"strings"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
)

type draftRow struct {
	GuidelineID string `gorm:"primaryKey"`
	Number      int    `gorm:"primaryKey"`
	Label       string
	CreatedBy   string
	CreatedAt   time.Time
}

func (draftRow) TableName() string { return "drafts" }

type draftClauseRow struct {
	GuidelineID     string
	DraftNumber     int
	ClauseID        string
	ClauseVersion   int
	SectionID       string
	SectionTitle    string // JSON object language -> title
	SectionPosition int
	Position        int
	Number          string
	Status          string
	Text            string // joined from clause_versions
	// HasAlternatives: the version carries alternatives (joined).
	HasAlternatives bool
}

// NextDraftNumber returns one more than the highest draft number.
func (tx *Tx) NextDraftNumber(gid string) (int, error) {
	var n *int
	if err := tx.db.Model(&draftRow{}).Where("guideline_id = ?", gid).Select("MAX(number)").Scan(&n).Error; err != nil {
		return 0, err
	}
	if n == nil {
		return 1, nil
	}
	return *n + 1, nil
}

// CreateDraft freezes which version of every clause stands where, in two
// statements whatever the size of the guideline.
func (tx *Tx) CreateDraft(d drafting.Draft) error {
	if err := tx.db.Create(&draftRow{GuidelineID: d.GuidelineID, Number: d.Number, Label: d.Label, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt}).Error; err != nil {
		return err
	}
	return tx.db.Exec(`INSERT INTO draft_clauses
		(guideline_id, draft_number, clause_id, clause_version, section_id, section_title, section_position, position, number, status)
		SELECT c.guideline_id, ?, c.id, c.version, c.section_id, s.title, s.position, c.position, c.number, c.status
		FROM clauses c JOIN sections s ON s.id = c.section_id
		WHERE c.guideline_id = ?`, d.Number, d.GuidelineID).Error
}

// Drafts lists a guideline's drafts, newest first, before a number (0: all).
func (tx *Tx) Drafts(gid string, before, limit int) ([]drafting.Draft, error) {
	var rows []draftRow
	q := tx.db.Where("guideline_id = ?", gid).Order("number DESC").Limit(limit)
	if before > 0 {
		q = q.Where("number < ?", before)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]drafting.Draft, len(rows))
	for i, r := range rows {
		out[i] = drafting.Draft{GuidelineID: r.GuidelineID, Number: r.Number, Label: r.Label, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// Draft reads a draft header (withClauses=false) or the whole draft with
// clause texts, in document order, in two statements.
func (tx *Tx) Draft(gid string, number int, withClauses bool) (drafting.Draft, error) {
	var r draftRow
	if err := tx.db.Where("guideline_id = ? AND number = ?", gid, number).Take(&r).Error; err != nil {
		return drafting.Draft{}, notFound(err, "draft")
	}
	d := drafting.Draft{GuidelineID: r.GuidelineID, Number: r.Number, Label: r.Label, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	if !withClauses {
		return d, nil
	}
	var rows []draftClauseRow
	err := tx.db.Table("draft_clauses d").
		Select("d.*, v.text AS text, v.alternatives IS NOT NULL AS has_alternatives").
		Joins("JOIN clause_versions v ON v.clause_id = d.clause_id AND v.number = d.clause_version").
		Where("d.guideline_id = ? AND d.draft_number = ?", gid, number).
		Order("d.section_position, d.position").Scan(&rows).Error
	if err != nil {
		return d, err
	}
	d.Clauses = make([]drafting.DraftClause, len(rows))
	for i, x := range rows {
		dc := drafting.DraftClause{ClauseID: x.ClauseID, Version: x.ClauseVersion, SectionID: x.SectionID,
			SectionPosition: x.SectionPosition, Position: x.Position, Number: x.Number, Status: drafting.Status(x.Status),
			Alternatives: x.HasAlternatives}
		if err := jsonUnmarshal(x.Text, &dc.Text); err != nil {
			return d, err
		}
		if err := jsonUnmarshal(x.SectionTitle, &dc.SectionTitle); err != nil {
			return d, err
		}
		d.Clauses[i] = dc
	}
	return d, nil
}

// DraftReservations lists the standing reservations on the clause versions a
// draft holds, of the countries taking part in the guideline now (a country
// taken off the participants no longer counts, its reservation included), in
// one statement.
func (tx *Tx) DraftReservations(gid string, number int) ([]drafting.Reservation, error) {
	var out []drafting.Reservation
	err := tx.db.Table("positions p").
		Select("p.clause_id AS clause_id, p.clause_version AS clause_version, p.country_code AS country, p.reservation AS text").
		Joins("JOIN draft_clauses d ON d.clause_id = p.clause_id AND d.clause_version = p.clause_version").
		Joins("JOIN guideline_participants gp ON gp.guideline_id = d.guideline_id AND gp.country_code = p.country_code").
		Where("d.guideline_id = ? AND d.draft_number = ? AND p.stance = ? AND p.superseded = ?", gid, number, "agree_with_reservation", false).
		Order("p.country_code").Scan(&out).Error
	return out, err
}

// DraftUnaligned lists, by clause id, the languages pending alignment of
// the clauses whose current version is the one a draft holds, in one
// statement.
func (tx *Tx) DraftUnaligned(gid string, number int) (map[string][]string, error) {
	var rows []struct {
		ClauseID         string
		AlignmentPending string
	}
	err := tx.db.Table("draft_clauses d").Select("d.clause_id AS clause_id, c.alignment_pending AS alignment_pending").
		Joins("JOIN clauses c ON c.id = d.clause_id AND c.version = d.clause_version").
		Where("d.guideline_id = ? AND d.draft_number = ? AND c.alignment_pending <> ''", gid, number).Scan(&rows).Error
	out := make(map[string][]string, len(rows))
	for _, r := range rows {
		out[r.ClauseID] = strings.Split(r.AlignmentPending, ",")
	}
	return out, err
}
