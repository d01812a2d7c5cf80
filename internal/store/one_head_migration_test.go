package store_test

import (
	"testing"

	"github.com/rcm-iom/consenso/internal/store"
)

// TestMigrationOneHeadPerCountry: after migration 21 the database itself
// refuses a second active head of delegation for a country, whichever write
// tries it (an insert, a promotion, a head re-enabled), while a disabled
// former head, a head of another country and any number of delegates are
// fine; migrating down lifts the rule.
func TestMigrationOneHeadPerCountry(t *testing.T) {
	s, now, exec := openMigratedTo(t, 20)
	insert := func(id, country string, head, active bool) error {
		return s.DB().Exec(`INSERT INTO users (id, email, name, password_hash, role, country_code, head_of_delegation, active, revision, created_at, updated_at)
			VALUES (?, ?, ?, 'x', 'delegate', ?, ?, ?, 1, ?, ?)`, id, id+"@example.org", id, country, head, active, now, now).Error
	}
	for _, u := range []struct {
		id, country  string
		head, active bool
	}{
		{"head-gt", "GT", true, true}, {"former-gt", "GT", true, false}, {"officer-gt", "GT", false, true},
		{"officer2-gt", "GT", false, true}, {"head-bz", "BZ", true, true},
	} {
		if err := insert(u.id, u.country, u.head, u.active); err != nil {
			t.Fatal(err)
		}
	}
	refused := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: a second active head of GT was accepted", what)
		}
	}
	check := func() {
		t.Helper()
		refused("insert", insert("second-gt", "GT", true, true))
		refused("promotion", s.DB().Exec(`UPDATE users SET head_of_delegation = TRUE WHERE id = 'officer-gt'`).Error)
		refused("re-enabled", s.DB().Exec(`UPDATE users SET active = TRUE WHERE id = 'former-gt'`).Error)
		var heads []string
		if err := s.Read(t.Context(), func(tx *store.Tx) error {
			for _, c := range []string{"GT", "BZ", "CR"} {
				id, err := tx.HeadOf(c)
				if err != nil {
					return err
				}
				heads = append(heads, id)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if heads[0] != "head-gt" || heads[1] != "head-bz" || heads[2] != "" {
			t.Fatalf("HeadOf GT, BZ, CR = %q", heads)
		}
	}
	upDownUp(t, s, 21, 20, check, func() {
		if err := insert("second-gt", "GT", true, true); err != nil {
			t.Fatalf("after the Down, a second head is still refused: %v", err)
		}
		exec(`DELETE FROM users WHERE id = 'second-gt'`)
	})
}
