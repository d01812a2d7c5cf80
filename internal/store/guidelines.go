package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
)

type guidelineRow struct {
	ID        string `gorm:"primaryKey"`
	Title     string // JSON object language -> title
	Slug      string
	Languages string
	Status    string
	Revision  int
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (guidelineRow) TableName() string { return "guidelines" }

type participantRow struct {
	GuidelineID string `gorm:"primaryKey"`
	CountryCode string `gorm:"primaryKey"`
}

func (participantRow) TableName() string { return "guideline_participants" }

func (r guidelineRow) domain(participants []string) (drafting.Guideline, error) {
	g := drafting.Guideline{ID: r.ID, Slug: r.Slug, Status: drafting.GuidelineStatus(r.Status),
		Revision: r.Revision, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Participants: participants}
	if err := json.Unmarshal([]byte(r.Languages), &g.Languages); err != nil {
		return g, fmt.Errorf("guideline %s: languages column: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.Title), &g.Title); err != nil {
		return g, fmt.Errorf("guideline %s: title column: %w", r.ID, err)
	}
	if g.Participants == nil {
		g.Participants = []string{}
	}
	return g, nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with plain maps and slices
	}
	return string(b)
}

// CreateGuideline inserts a guideline and its participants.
func (tx *Tx) CreateGuideline(g drafting.Guideline) error {
	if err := tx.db.Create(&guidelineRow{ID: g.ID, Title: mustJSON(g.Title), Slug: g.Slug, Languages: mustJSON(g.Languages),
		Status: string(g.Status), Revision: g.Revision, CreatedBy: g.CreatedBy, CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}).Error; err != nil {
		return err
	}
	return tx.setParticipants(g.ID, g.Participants)
}

func (tx *Tx) setParticipants(gid string, codes []string) error {
	if err := tx.db.Where("guideline_id = ?", gid).Delete(&participantRow{}).Error; err != nil {
		return err
	}
	if len(codes) == 0 {
		return nil
	}
	rows := make([]participantRow, len(codes))
	for i, c := range codes {
		rows[i] = participantRow{GuidelineID: gid, CountryCode: c}
	}
	return tx.db.Create(&rows).Error
}

// SlugsLike lists the guidelines' slugs that are base or base followed by
// a hyphen and more ("base-2"), for a new guideline to pick a free one.
func (tx *Tx) SlugsLike(base string) (map[string]bool, error) {
	var slugs []string
	err := tx.db.Model(&guidelineRow{}).Where("slug = ? OR slug LIKE ?", base, base+"-%").Pluck("slug", &slugs).Error
	taken := make(map[string]bool, len(slugs))
	for _, s := range slugs {
		taken[s] = true
	}
	return taken, err
}

// UpdateGuideline writes title, slug, participants and status if the
// revision is still g.Revision-1 (the caller increments it).
func (tx *Tx) UpdateGuideline(g drafting.Guideline) error {
	res := tx.db.Model(&guidelineRow{}).Where("id = ? AND revision = ?", g.ID, g.Revision-1).Updates(map[string]any{
		"title": mustJSON(g.Title), "slug": g.Slug, "status": string(g.Status), "revision": g.Revision, "updated_at": g.UpdatedAt,
	})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrConflict
	}
	return tx.setParticipants(g.ID, g.Participants)
}

// ClaimGuideline bumps the guideline's revision, serializing writers that
// change the guideline's structure (drafts, adoption) in PostgreSQL too.
func (tx *Tx) ClaimGuideline(id string, now time.Time) error {
	res := tx.db.Model(&guidelineRow{}).Where("id = ?", id).
		Updates(map[string]any{"revision": gormExpr("revision + 1"), "updated_at": now})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return drafting.NotFound("guideline")
	}
	return nil
}

// Guideline reads one guideline with its participants.
func (tx *Tx) Guideline(id string) (drafting.Guideline, error) {
	var rows []guidelineWithParticipant
	if err := tx.db.Raw(`SELECT g.*, p.country_code AS participant FROM guidelines g
LEFT JOIN guideline_participants p ON p.guideline_id = g.id WHERE g.id = ? ORDER BY p.country_code`, id).Scan(&rows).Error; err != nil {
		return drafting.Guideline{}, err
	}
	if len(rows) == 0 {
		return drafting.Guideline{}, drafting.NotFound("guideline")
	}
	var codes []string
	for _, r := range rows {
		if r.Participant != nil {
			codes = append(codes, *r.Participant)
		}
	}
	return rows[0].Row.domain(codes)
}

// guidelineWithParticipant is a guideline row with one of its participants
// (NULL: none): reading a guideline is one statement.
type guidelineWithParticipant struct {
	Row         guidelineRow `gorm:"embedded"`
	Participant *string
}

// GuidelineCursor is the keyset position in the guideline list.
type GuidelineCursor struct {
	CreatedAt time.Time `json:"t"`
	ID        string    `json:"i"`
}

// Guidelines lists guidelines by creation time, after the cursor. When
// onlyAdopted is set, only guidelines with an approved version are listed.
func (tx *Tx) Guidelines(after *GuidelineCursor, limit int, onlyApproved bool) ([]drafting.Guideline, error) {
	var rows []guidelineRow
	q := tx.db.Order("created_at, id").Limit(limit)
	if after != nil {
		q = q.Where(keysetAfter(""), after.CreatedAt, after.ID)
	}
	if onlyApproved {
		q = q.Where("EXISTS (SELECT 1 FROM approved_versions a WHERE a.guideline_id = guidelines.id)")
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var parts []participantRow
	if len(ids) > 0 {
		if err := tx.db.Where("guideline_id IN ?", ids).Order("country_code").Find(&parts).Error; err != nil {
			return nil, err
		}
	}
	byG := map[string][]string{}
	for _, p := range parts {
		byG[p.GuidelineID] = append(byG[p.GuidelineID], p.CountryCode)
	}
	out := make([]drafting.Guideline, len(rows))
	for i, r := range rows {
		g, err := r.domain(byG[r.ID])
		if err != nil {
			return nil, err
		}
		out[i] = g
	}
	return out, nil
}

type sectionRow struct {
	ID          string `gorm:"primaryKey"`
	GuidelineID string
	Title       string // JSON object language -> title
	Position    int
	Kind        string
	CreatedAt   time.Time
}

func (sectionRow) TableName() string { return "sections" }

func (r sectionRow) domain() (drafting.Section, error) {
	s := drafting.Section{ID: r.ID, GuidelineID: r.GuidelineID, Position: r.Position, Kind: r.Kind, CreatedAt: r.CreatedAt}
	if err := json.Unmarshal([]byte(r.Title), &s.Title); err != nil {
		return s, fmt.Errorf("section %s: title column: %w", r.ID, err)
	}
	return s, nil
}

// Sections lists a guideline's sections in order.
func (tx *Tx) Sections(gid string) ([]drafting.Section, error) {
	var rows []sectionRow
	if err := tx.db.Where("guideline_id = ?", gid).Order("position, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]drafting.Section, len(rows))
	for i, r := range rows {
		sec, err := r.domain()
		if err != nil {
			return nil, err
		}
		out[i] = sec
	}
	return out, nil
}

// Section reads one section.
func (tx *Tx) Section(id string) (drafting.Section, error) {
	var r sectionRow
	if err := tx.db.Where("id = ?", id).Take(&r).Error; err != nil {
		return drafting.Section{}, notFound(err, "section")
	}
	return r.domain()
}

// InsertSection makes room at s.Position (shifting later sections down) and
// inserts s.
func (tx *Tx) InsertSection(s drafting.Section) error {
	if err := tx.db.Model(&sectionRow{}).Where("guideline_id = ? AND position >= ?", s.GuidelineID, s.Position).
		Update("position", gormExpr("position + 1")).Error; err != nil {
		return err
	}
	kind := s.Kind
	if kind == "" {
		kind = drafting.SectionText
	}
	r := sectionRow{ID: s.ID, GuidelineID: s.GuidelineID, Title: mustJSON(s.Title), Position: s.Position, Kind: kind, CreatedAt: s.CreatedAt}
	return tx.db.Create(&r).Error
}

// UpdateSectionTitle renames a section.
func (tx *Tx) UpdateSectionTitle(id string, title drafting.Text) error {
	return tx.db.Model(&sectionRow{}).Where("id = ?", id).Update("title", mustJSON(title)).Error
}

// MoveSection moves a section from one position to another, shifting the
// sections in between.
func (tx *Tx) MoveSection(s drafting.Section, to int) error {
	from := s.Position
	if to == from {
		return nil
	}
	q := tx.db.Model(&sectionRow{}).Where("guideline_id = ? AND id <> ?", s.GuidelineID, s.ID)
	var err error
	if to < from {
		err = q.Where("position >= ? AND position < ?", to, from).Update("position", gormExpr("position + 1")).Error
	} else {
		err = q.Where("position > ? AND position <= ?", from, to).Update("position", gormExpr("position - 1")).Error
	}
	if err != nil {
		return err
	}
	return tx.db.Model(&sectionRow{}).Where("id = ?", s.ID).Update("position", to).Error
}

// Renumber recomputes every clause number of a guideline from section and
// clause positions ("3.2"), in one statement; renumbered clauses get a new
// revision since their representation changed.
func (tx *Tx) Renumber(gid string, now time.Time) error {
	const num = "(SELECT CAST(sections.position AS TEXT) FROM sections WHERE sections.id = clauses.section_id) || '.' || CAST(clauses.position AS TEXT)"
	return tx.db.Exec("UPDATE clauses SET number = "+num+", revision = revision + 1, updated_at = ? WHERE guideline_id = ? AND number <> "+num, now, gid).Error
}
