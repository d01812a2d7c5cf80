package store

import (
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
)

type approvedRow struct {
	GuidelineID string `gorm:"primaryKey"`
	Version     int    `gorm:"primaryKey"`
	DraftNumber int
	Content     string
	ContentHash string
	AdoptedBy   string
	AdoptedAt   time.Time
}

func (approvedRow) TableName() string { return "approved_versions" }

func (r approvedRow) domain() drafting.Approved {
	return drafting.Approved{GuidelineID: r.GuidelineID, Version: r.Version, DraftNumber: r.DraftNumber,
		Content: []byte(r.Content), ContentHash: r.ContentHash, AdoptedBy: r.AdoptedBy, AdoptedAt: r.AdoptedAt}
}

// InsertApproved records an adoption.
func (tx *Tx) InsertApproved(a drafting.Approved) error {
	return tx.db.Create(&approvedRow{GuidelineID: a.GuidelineID, Version: a.Version, DraftNumber: a.DraftNumber,
		Content: string(a.Content), ContentHash: a.ContentHash, AdoptedBy: a.AdoptedBy, AdoptedAt: a.AdoptedAt}).Error
}

// LatestApproved reads the newest approved version of a guideline.
func (tx *Tx) LatestApproved(gid string) (drafting.Approved, error) {
	var r approvedRow
	if err := tx.db.Where("guideline_id = ?", gid).Order("version DESC").Take(&r).Error; err != nil {
		return drafting.Approved{}, notFound(err, "approved_version")
	}
	return r.domain(), nil
}

// ApprovedVersion reads one approved version.
func (tx *Tx) ApprovedVersion(gid string, version int) (drafting.Approved, error) {
	var r approvedRow
	if err := tx.db.Where("guideline_id = ? AND version = ?", gid, version).Take(&r).Error; err != nil {
		return drafting.Approved{}, notFound(err, "approved_version")
	}
	return r.domain(), nil
}

// ApprovedByDraft reports the approved version made from a draft, if any.
func (tx *Tx) ApprovedByDraft(gid string, draft int) (drafting.Approved, error) {
	var r approvedRow
	if err := tx.db.Where("guideline_id = ? AND draft_number = ?", gid, draft).Take(&r).Error; err != nil {
		return drafting.Approved{}, notFound(err, "approved_version")
	}
	return r.domain(), nil
}

// NextApprovedVersion returns one more than the highest approved version.
func (tx *Tx) NextApprovedVersion(gid string) (int, error) {
	var n *int
	if err := tx.db.Model(&approvedRow{}).Where("guideline_id = ?", gid).Select("MAX(version)").Scan(&n).Error; err != nil {
		return 0, err
	}
	if n == nil {
		return 1, nil
	}
	return *n + 1, nil
}
