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
	Resource    string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// IdempotencyRecord is what a creating request created, kept so a retry
// with the same key is answered with it instead of creating again.
type IdempotencyRecord struct {
	UserID      string
	Key         string
	Scope       string // the kind of resource the request creates
	RequestHash string
	Resource    string // the created resource's reference (its id)
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
		Scope: r.Scope, RequestHash: r.RequestHash, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt})
	return res.RowsAffected == 1, res.Error
}

// SetIdempotencyResource records what the request holding a claimed key
// created.
func (tx *Tx) SetIdempotencyResource(userID, key, resource string) error {
	return tx.db.Model(&idempotencyRow{}).Where("user_id = ? AND key = ?", userID, key).
		Update("resource", resource).Error
}

// IdempotencyKey reads the record of (user, key).
func (tx *Tx) IdempotencyKey(userID, key string) (IdempotencyRecord, error) {
	var r idempotencyRow
	if err := tx.db.Where("user_id = ? AND key = ?", userID, key).Take(&r).Error; err != nil {
		return IdempotencyRecord{}, notFound(err, "idempotency_key")
	}
	return IdempotencyRecord{UserID: r.UserID, Key: r.Key, Scope: r.Scope, RequestHash: r.RequestHash,
		Resource: r.Resource, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt}, nil
}

// PurgeIdempotencyKeys removes the records that expired at or before now.
func (tx *Tx) PurgeIdempotencyKeys(now time.Time) (int64, error) {
	res := tx.db.Where("expires_at <= ?", now).Delete(&idempotencyRow{})
	return res.RowsAffected, res.Error
}
