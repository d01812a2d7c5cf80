package store

import (
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
)

type alternateRow struct {
	CountryCode  string `gorm:"primaryKey"`
	UserID       string
	DesignatedBy string
	DesignatedAt time.Time
}

func (alternateRow) TableName() string { return "country_alternates" }

// Country reads one country with its alternate.
func (tx *Tx) Country(code string) (drafting.Country, error) {
	var r countryRow
	if err := tx.db.Where("code = ?", code).Take(&r).Error; err != nil {
		return drafting.Country{}, notFound(err, "country")
	}
	c := r.domain()
	alt, err := tx.Alternate(code)
	c.AlternateID = alt
	return c, err
}

// Alternate returns the account designated as country's alternate ("" when
// none).
func (tx *Tx) Alternate(country string) (string, error) {
	var ids []string
	err := tx.db.Model(&alternateRow{}).Where("country_code = ?", country).Limit(1).Pluck("user_id", &ids).Error
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

// AlternateOf returns the country userID is the alternate of ("" when none).
func (tx *Tx) AlternateOf(userID string) (string, error) {
	var codes []string
	err := tx.db.Model(&alternateRow{}).Where("user_id = ?", userID).Order("country_code").Limit(1).Pluck("country_code", &codes).Error
	if err != nil || len(codes) == 0 {
		return "", err
	}
	return codes[0], nil
}

// SetAlternate designates userID as country's alternate, replacing any
// earlier designation.
func (tx *Tx) SetAlternate(country, userID, by string, at time.Time) error {
	if err := tx.db.Where("country_code = ?", country).Delete(&alternateRow{}).Error; err != nil {
		return err
	}
	return tx.db.Create(&alternateRow{CountryCode: country, UserID: userID, DesignatedBy: by, DesignatedAt: at}).Error
}

// RemoveAlternate revokes country's alternate; it reports whether there was
// one.
func (tx *Tx) RemoveAlternate(country string) (bool, error) {
	res := tx.db.Where("country_code = ?", country).Delete(&alternateRow{})
	return res.RowsAffected > 0, res.Error
}

// alternates maps country codes to their alternates.
func (tx *Tx) alternates() (map[string]string, error) {
	var rows []alternateRow
	if err := tx.db.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.CountryCode] = r.UserID
	}
	return out, nil
}

// ParticipatingGuidelines lists, oldest first, the ids of the guidelines
// being drafted in which country takes part.
func (tx *Tx) ParticipatingGuidelines(country string) ([]string, error) {
	var ids []string
	err := tx.db.Model(&guidelineRow{}).
		Joins("JOIN guideline_participants gp ON gp.guideline_id = guidelines.id").
		Where("gp.country_code = ? AND guidelines.status = ?", country, string(drafting.GuidelineDrafting)).
		Order("guidelines.created_at, guidelines.id").Pluck("guidelines.id", &ids).Error
	return ids, err
}
