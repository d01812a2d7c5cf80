package store

import (
	"time"

	"gorm.io/gorm/clause"
)

type translatorRow struct {
	GuidelineID  string `gorm:"primaryKey"`
	UserID       string `gorm:"primaryKey"`
	DesignatedBy string
	DesignatedAt time.Time
}

func (translatorRow) TableName() string { return "guideline_translators" }

// AddTranslator designates a user as translator of a guideline; false when
// they already were.
func (tx *Tx) AddTranslator(gid, userID, by string, at time.Time) (bool, error) {
	res := tx.db.Clauses(clause.OnConflict{DoNothing: true}).
		Create(&translatorRow{GuidelineID: gid, UserID: userID, DesignatedBy: by, DesignatedAt: at})
	return res.RowsAffected == 1, res.Error
}

// RemoveTranslator ends a designation; false when there was none.
func (tx *Tx) RemoveTranslator(gid, userID string) (bool, error) {
	res := tx.db.Where("guideline_id = ? AND user_id = ?", gid, userID).Delete(&translatorRow{})
	return res.RowsAffected == 1, res.Error
}

// IsTranslator reports whether a user is a translator of a guideline.
func (tx *Tx) IsTranslator(gid, userID string) (bool, error) {
	var n int64
	err := tx.db.Model(&translatorRow{}).Where("guideline_id = ? AND user_id = ?", gid, userID).Count(&n).Error
	return n > 0, err
}

// Translators lists the translators of a guideline, by designation time.
func (tx *Tx) Translators(gid string) ([]string, error) {
	var ids []string
	err := tx.db.Model(&translatorRow{}).Where("guideline_id = ?", gid).Order("designated_at, user_id").Pluck("user_id", &ids).Error
	return ids, err
}
