package store

import (
	"time"

	"gorm.io/gorm/clause"

	"github.com/rcm-iom/consenso/internal/drafting"
)

type countryRow struct {
	Code      string `gorm:"primaryKey"`
	Name      string
	Language  string
	CreatedAt time.Time
}

func (countryRow) TableName() string { return "countries" }

func (r countryRow) domain() drafting.Country {
	return drafting.Country{Code: r.Code, Name: r.Name, Language: r.Language, CreatedAt: r.CreatedAt}
}

// Countries lists every country by code, with its alternate.
func (tx *Tx) Countries() ([]drafting.Country, error) {
	var rows []countryRow
	if err := tx.db.Order("code").Find(&rows).Error; err != nil {
		return nil, err
	}
	alts, err := tx.alternates()
	if err != nil {
		return nil, err
	}
	out := make([]drafting.Country, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
		out[i].AlternateID = alts[r.Code]
	}
	return out, nil
}

// CountryCodes returns the set of known country codes.
func (tx *Tx) CountryCodes() (map[string]bool, error) {
	var codes []string
	if err := tx.db.Model(&countryRow{}).Pluck("code", &codes).Error; err != nil {
		return nil, err
	}
	set := make(map[string]bool, len(codes))
	for _, c := range codes {
		set[c] = true
	}
	return set, nil
}

// CreateCountry inserts a country.
func (tx *Tx) CreateCountry(c drafting.Country) error {
	return tx.db.Create(&countryRow{Code: c.Code, Name: c.Name, Language: c.Language, CreatedAt: c.CreatedAt}).Error
}

type userRow struct {
	ID               string `gorm:"primaryKey"`
	Email            string
	Name             string
	PasswordHash     string
	Role             string
	CountryCode      *string
	HeadOfDelegation bool
	Active           bool
	Revision         int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (userRow) TableName() string { return "users" }

func (r userRow) domain() drafting.User {
	return drafting.User{
		ID: r.ID, Email: r.Email, Name: r.Name, PasswordHash: r.PasswordHash,
		Role: drafting.Role(r.Role), Country: deref(r.CountryCode), HeadOfDelegation: r.HeadOfDelegation,
		Active: r.Active, Revision: r.Revision, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func userToRow(u drafting.User) userRow {
	return userRow{
		ID: u.ID, Email: u.Email, Name: u.Name, PasswordHash: u.PasswordHash, Role: string(u.Role),
		CountryCode: ptr(u.Country), HeadOfDelegation: u.HeadOfDelegation, Active: u.Active,
		Revision: u.Revision, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
}

// CreateUser inserts a user.
func (tx *Tx) CreateUser(u drafting.User) error {
	r := userToRow(u)
	return tx.db.Create(&r).Error
}

// UpdateUser writes u if its revision is still u.Revision-1 (the caller
// increments it), so concurrent admin edits cannot overwrite each other.
func (tx *Tx) UpdateUser(u drafting.User) error {
	res := tx.db.Model(&userRow{}).Where("id = ? AND revision = ?", u.ID, u.Revision-1).Updates(map[string]any{
		"name": u.Name, "password_hash": u.PasswordHash, "role": string(u.Role), "country_code": ptr(u.Country),
		"head_of_delegation": u.HeadOfDelegation, "active": u.Active, "revision": u.Revision, "updated_at": u.UpdatedAt,
	})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrConflict
	}
	return nil
}

// User reads one user by id.
func (tx *Tx) User(id string) (drafting.User, error) {
	var r userRow
	if err := tx.db.Where("id = ?", id).Take(&r).Error; err != nil {
		return drafting.User{}, notFound(err, "user")
	}
	return r.domain(), nil
}

// HeadOf is the id of country's active head of delegation ("" when it has
// none). There is at most one (index users_one_head).
func (tx *Tx) HeadOf(country string) (string, error) {
	var ids []string
	err := tx.db.Model(&userRow{}).Where("country_code = ? AND head_of_delegation = ? AND active = ?", country, true, true).
		Limit(1).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

// UserByEmail reads one user by (lower-case) email.
func (tx *Tx) UserByEmail(email string) (drafting.User, error) {
	var r userRow
	if err := tx.db.Where("email = ?", email).Take(&r).Error; err != nil {
		return drafting.User{}, notFound(err, "user")
	}
	return r.domain(), nil
}

// CountUsers returns how many accounts exist.
func (tx *Tx) CountUsers() (int64, error) {
	var n int64
	err := tx.db.Model(&userRow{}).Count(&n).Error
	return n, err
}

// LockActiveAdmins returns the ids of the active admins and, on PostgreSQL,
// locks their rows until the transaction ends (SQLite's write transactions
// run one at a time already), so two admins stepping down at once cannot
// leave none: the second waits, then reads the first one's change.
func (tx *Tx) LockActiveAdmins() ([]string, error) {
	var ids []string
	err := tx.db.Model(&userRow{}).Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Where("role = ? AND active = ?", string(drafting.RoleAdmin), true).Order("id").Pluck("id", &ids).Error
	return ids, err
}

// Users lists users ordered by email, after the cursor email.
func (tx *Tx) Users(after string, limit int) ([]drafting.User, error) {
	var rows []userRow
	q := tx.db.Order("email").Limit(limit)
	if after != "" {
		q = q.Where("email > ?", after)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]drafting.User, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

type refreshTokenRow struct {
	ID        string `gorm:"primaryKey"`
	FamilyID  string
	UserID    string
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
}

func (refreshTokenRow) TableName() string { return "refresh_tokens" }

// RefreshToken is a stored refresh token (hash only).
type RefreshToken struct {
	ID, FamilyID, UserID, TokenHash string
	CreatedAt, ExpiresAt            time.Time
	UsedAt, RevokedAt               *time.Time
}

// CreateRefreshToken stores a refresh token hash.
func (tx *Tx) CreateRefreshToken(t RefreshToken) error {
	return tx.db.Create(&refreshTokenRow{ID: t.ID, FamilyID: t.FamilyID, UserID: t.UserID, TokenHash: t.TokenHash,
		CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt}).Error
}

// RefreshTokenByHash finds a refresh token by its hash.
func (tx *Tx) RefreshTokenByHash(hash string) (RefreshToken, error) {
	var r refreshTokenRow
	if err := tx.db.Where("token_hash = ?", hash).Take(&r).Error; err != nil {
		return RefreshToken{}, notFound(err, "refresh_token")
	}
	return RefreshToken(r), nil
}

// SpendRefreshToken marks a token used, only if it was unused and unrevoked;
// it reports false when another request spent it first.
func (tx *Tx) SpendRefreshToken(id string, now time.Time) (bool, error) {
	res := tx.db.Model(&refreshTokenRow{}).Where("id = ? AND used_at IS NULL AND revoked_at IS NULL", id).Update("used_at", now)
	return res.RowsAffected == 1, res.Error
}

// RevokeRefreshFamily revokes every token of a sign-in.
func (tx *Tx) RevokeRefreshFamily(family string, now time.Time) error {
	return tx.db.Model(&refreshTokenRow{}).Where("family_id = ? AND revoked_at IS NULL", family).Update("revoked_at", now).Error
}

// SessionState reports whether the sign-in family exists for userID and
// whether it was revoked (sign-out, a spent token presented again, a
// password change, a disabled account): revocation marks every token of the
// family, so one revoked row says it. One indexed read.
func (tx *Tx) SessionState(family, userID string) (exists, revoked bool, err error) {
	var r struct{ Tokens, Revoked int64 }
	err = tx.db.Model(&refreshTokenRow{}).Select("COUNT(*) AS tokens, COUNT(revoked_at) AS revoked").
		Where("family_id = ? AND user_id = ?", family, userID).Scan(&r).Error
	return r.Tokens > 0, r.Revoked > 0, err
}

// RevokeUserRefreshTokens revokes every refresh token of a user.
func (tx *Tx) RevokeUserRefreshTokens(userID string, now time.Time) error {
	return tx.db.Model(&refreshTokenRow{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", now).Error
}

type integrationRow struct {
	ID         string `gorm:"primaryKey"`
	Name       string
	ClientID   string
	SecretHash string
	Active     bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (integrationRow) TableName() string { return "integrations" }

// CreateIntegration inserts an integration client.
func (tx *Tx) CreateIntegration(i drafting.Integration) error {
	r := integrationRow(i)
	return tx.db.Create(&r).Error
}

// Integration reads one integration by id.
func (tx *Tx) Integration(id string) (drafting.Integration, error) {
	var r integrationRow
	if err := tx.db.Where("id = ?", id).Take(&r).Error; err != nil {
		return drafting.Integration{}, notFound(err, "integration")
	}
	return drafting.Integration(r), nil
}

// IntegrationByClientID reads one integration by client id.
func (tx *Tx) IntegrationByClientID(clientID string) (drafting.Integration, error) {
	var r integrationRow
	if err := tx.db.Where("client_id = ?", clientID).Take(&r).Error; err != nil {
		return drafting.Integration{}, notFound(err, "integration")
	}
	return drafting.Integration(r), nil
}

// Integrations lists integrations by name.
func (tx *Tx) Integrations() ([]drafting.Integration, error) {
	var rows []integrationRow
	if err := tx.db.Order("name, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]drafting.Integration, len(rows))
	for i, r := range rows {
		out[i] = drafting.Integration(r)
	}
	return out, nil
}

// UpdateIntegration writes the mutable fields of an integration.
func (tx *Tx) UpdateIntegration(i drafting.Integration) error {
	return tx.db.Model(&integrationRow{}).Where("id = ?", i.ID).Updates(map[string]any{
		"name": i.Name, "secret_hash": i.SecretHash, "active": i.Active, "updated_at": i.UpdatedAt,
	}).Error
}

func ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
