package store

import (
	"time"

	"gorm.io/gorm/clause"
)

type idempotencyRow struct {
	UserID      string `gorm:"primaryKey"`
	Key         string `gorm:"primaryKey"`
	Scope       string
	RequestHash string
	Status      int
	Body        string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// IdempotencyRecord is the first answer to a creating request, kept so a
// retry with the same key replays it.
type IdempotencyRecord struct {
	UserID      string
	Key         string
	Scope       string
	RequestHash string
	Status      int
	Body        []byte
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// ClaimIdempotencyKey reserves (user, key) for this transaction: an expired
// record of the key is removed, then the new one is inserted unless a live
// one exists. false means another request holds the key — in PostgreSQL the
// insert first waits for a concurrent holder to commit or roll back.
func (tx *Tx) ClaimIdempotencyKey(r IdempotencyRecord) (bool, error) {
	if err := tx.db.Where("user_id = ? AND key = ? AND expires_at <= ?", r.UserID, r.Key, r.CreatedAt).
		Delete(&idempotencyRow{}).Error; err != nil {
		return false, err
	}
	res := tx.db.Clauses(clause.OnConflict{DoNothing: true}).Create(&idempotencyRow{UserID: r.UserID, Key: r.Key,
		Scope: r.Scope, RequestHash: r.RequestHash, Status: r.Status, Body: string(r.Body),
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt})
	return res.RowsAffected == 1, res.Error
}

// SaveIdempotentResponse stores the answer of a claimed key.
func (tx *Tx) SaveIdempotentResponse(userID, key string, status int, body []byte) error {
	return tx.db.Model(&idempotencyRow{}).Where("user_id = ? AND key = ?", userID, key).
		Updates(map[string]any{"status": status, "body": string(body)}).Error
}

// IdempotencyKey reads the record of (user, key).
func (tx *Tx) IdempotencyKey(userID, key string) (IdempotencyRecord, error) {
	var r idempotencyRow
	if err := tx.db.Where("user_id = ? AND key = ?", userID, key).Take(&r).Error; err != nil {
		return IdempotencyRecord{}, notFound(err, "idempotency_key")
	}
	return IdempotencyRecord{UserID: r.UserID, Key: r.Key, Scope: r.Scope, RequestHash: r.RequestHash, Status: r.Status,
		Body: []byte(r.Body), CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt}, nil
}

// PurgeIdempotencyKeys removes the records that expired at or before now.
func (tx *Tx) PurgeIdempotencyKeys(now time.Time) (int64, error) {
	res := tx.db.Where("expires_at <= ?", now).Delete(&idempotencyRow{})
	return res.RowsAffected, res.Error
}
