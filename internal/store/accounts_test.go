package store_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

func TestCountries(t *testing.T) {
	s, clk := openStore(t)
	seeded := []string{"BZ", "CR", "GT", "HN", "MX", "NI", "PA", "SV"}
	cases := []struct {
		code, name, language string
	}{
		{"BZ", "Belize", "en"},
		{"CR", "Costa Rica", "es"},
		{"SV", "El Salvador", "es"},
		{"MX", "Mexico", "es"},
	}
	for _, tc := range cases {
		t.Run("country_"+tc.code, func(t *testing.T) {
			c := read(t, s, func(tx *store.Tx) (drafting.Country, error) { return tx.Country(tc.code) })
			if c.Code != tc.code || c.Name != tc.name || c.Language != tc.language {
				t.Fatalf("Country(%s) = %+v, want %s %s", tc.code, c, tc.name, tc.language)
			}
		})
	}
	t.Run("seeded_codes", func(t *testing.T) {
		codes := read(t, s, func(tx *store.Tx) (map[string]bool, error) { return tx.CountryCodes() })
		sameIDs(t, "codes", slices.Sorted(maps.Keys(codes)), seeded)
	})
	t.Run("created_country_is_listed_in_code_order", func(t *testing.T) {
		at := clk.Now().Add(time.Hour)
		mustWrite(t, s, func(tx *store.Tx) error {
			return tx.CreateCountry(drafting.Country{Code: "DO", Name: "Dominican Republic", Language: "es", CreatedAt: at})
		})
		cs := read(t, s, func(tx *store.Tx) ([]drafting.Country, error) { return tx.Countries() })
		sameIDs(t, "countries", mapIDs(cs, func(c drafting.Country) string { return c.Code }),
			[]string{"BZ", "CR", "DO", "GT", "HN", "MX", "NI", "PA", "SV"})
		c := read(t, s, func(tx *store.Tx) (drafting.Country, error) { return tx.Country("DO") })
		if c.Name != "Dominican Republic" || c.Language != "es" || !c.CreatedAt.Equal(at) {
			t.Fatalf("Country(DO) = %+v", c)
		}
		if codes := read(t, s, func(tx *store.Tx) (map[string]bool, error) { return tx.CountryCodes() }); !codes["DO"] || len(codes) != 9 {
			t.Fatalf("CountryCodes = %v", codes)
		}
	})
}

func TestUsers(t *testing.T) {
	s, clk := openStore(t)
	t0 := clk.Now()
	head := drafting.User{ID: newID(), Email: "head@example.org", Name: "Ana", PasswordHash: "$argon2id$h", Role: drafting.RoleDelegate,
		Country: "CR", HeadOfDelegation: true, Active: true, Revision: 3, CreatedAt: t0, UpdatedAt: t0.Add(time.Minute)}
	chair := drafting.User{ID: newID(), Email: "chair@example.org", Name: "Chair", PasswordHash: "$argon2id$c", Role: drafting.RoleFacilitator,
		Active: false, Revision: 1, CreatedAt: t0, UpdatedAt: t0}
	mustWrite(t, s, func(tx *store.Tx) error {
		if err := tx.CreateUser(head); err != nil {
			return err
		}
		return tx.CreateUser(chair)
	})
	same := func(t *testing.T, got, want drafting.User) {
		t.Helper()
		if got.ID != want.ID || got.Email != want.Email || got.Name != want.Name || got.PasswordHash != want.PasswordHash ||
			got.Role != want.Role || got.Country != want.Country || got.HeadOfDelegation != want.HeadOfDelegation ||
			got.Active != want.Active || got.Revision != want.Revision || !got.CreatedAt.Equal(want.CreatedAt) ||
			!got.UpdatedAt.Equal(want.UpdatedAt) {
			t.Fatalf("user = %+v\nwant %+v", got, want)
		}
	}
	cases := []struct {
		name string
		read func(tx *store.Tx) (drafting.User, error)
		want drafting.User
	}{
		{"by_id_with_country", func(tx *store.Tx) (drafting.User, error) { return tx.User(head.ID) }, head},
		{"by_id_without_country", func(tx *store.Tx) (drafting.User, error) { return tx.User(chair.ID) }, chair},
		{"by_email", func(tx *store.Tx) (drafting.User, error) { return tx.UserByEmail("chair@example.org") }, chair},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { same(t, read(t, s, tc.read), tc.want) })
	}
	t.Run("email_is_matched_exactly", func(t *testing.T) {
		// The service lower-cases emails before storing and looking up.
		_, err := tryRead(s, func(tx *store.Tx) (drafting.User, error) { return tx.UserByEmail("Chair@example.org") })
		wantKind(t, err, drafting.KindNotFound, "user.not_found")
	})
	t.Run("count", func(t *testing.T) {
		if n := read(t, s, func(tx *store.Tx) (int64, error) { return tx.CountUsers() }); n != 2 {
			t.Fatalf("CountUsers = %d, want 2", n)
		}
	})
	t.Run("update_clears_the_country", func(t *testing.T) {
		u := head
		u.Role, u.Country, u.HeadOfDelegation, u.Revision, u.UpdatedAt = drafting.RoleObserver, "", false, head.Revision+1, t0.Add(time.Hour)
		mustWrite(t, s, func(tx *store.Tx) error { return tx.UpdateUser(u) })
		same(t, read(t, s, func(tx *store.Tx) (drafting.User, error) { return tx.User(head.ID) }), u)
	})
}

func TestIntegrations(t *testing.T) {
	s, clk := openStore(t)
	t0 := clk.Now()
	b := drafting.Integration{ID: newID(), Name: "beta", ClientID: "c-beta", SecretHash: "h1", Active: true, CreatedAt: t0, UpdatedAt: t0}
	a := drafting.Integration{ID: newID(), Name: "alpha", ClientID: "c-alpha", SecretHash: "h2", Active: true, CreatedAt: t0, UpdatedAt: t0}
	mustWrite(t, s, func(tx *store.Tx) error {
		if err := tx.CreateIntegration(b); err != nil {
			return err
		}
		return tx.CreateIntegration(a)
	})
	same := func(t *testing.T, got, want drafting.Integration) {
		t.Helper()
		if got.ID != want.ID || got.Name != want.Name || got.ClientID != want.ClientID || got.SecretHash != want.SecretHash ||
			got.Active != want.Active || !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
			t.Fatalf("integration = %+v\nwant %+v", got, want)
		}
	}
	t.Run("by_id", func(t *testing.T) {
		same(t, read(t, s, func(tx *store.Tx) (drafting.Integration, error) { return tx.Integration(a.ID) }), a)
	})
	t.Run("by_client_id", func(t *testing.T) {
		same(t, read(t, s, func(tx *store.Tx) (drafting.Integration, error) { return tx.IntegrationByClientID("c-beta") }), b)
	})
	t.Run("listed_by_name", func(t *testing.T) {
		is := read(t, s, func(tx *store.Tx) ([]drafting.Integration, error) { return tx.Integrations() })
		sameIDs(t, "integrations", mapIDs(is, func(i drafting.Integration) string { return i.Name }), []string{"alpha", "beta"})
	})
	t.Run("update_writes_mutable_fields", func(t *testing.T) {
		u := a
		u.Name, u.SecretHash, u.Active, u.UpdatedAt = "gamma", "h3", false, t0.Add(time.Hour)
		u.ClientID = "ignored" // the client id never changes
		mustWrite(t, s, func(tx *store.Tx) error { return tx.UpdateIntegration(u) })
		u.ClientID = a.ClientID
		same(t, read(t, s, func(tx *store.Tx) (drafting.Integration, error) { return tx.Integration(a.ID) }), u)
	})
}

func TestRefreshTokens(t *testing.T) {
	s, clk := openStore(t)
	t0 := clk.Now()
	var u drafting.User
	mustWrite(t, s, func(tx *store.Tx) error { u = mustUser(t, tx, drafting.RoleObserver, "", t0); return nil })
	family := newID()
	tokens := []store.RefreshToken{
		{ID: newID(), FamilyID: family, UserID: u.ID, TokenHash: "h-a", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
		{ID: newID(), FamilyID: family, UserID: u.ID, TokenHash: "h-b", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
		{ID: newID(), FamilyID: newID(), UserID: u.ID, TokenHash: "h-c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
	}
	mustWrite(t, s, func(tx *store.Tx) error {
		for _, rt := range tokens {
			if err := tx.CreateRefreshToken(rt); err != nil {
				return err
			}
		}
		return nil
	})
	byHash := func(h string) store.RefreshToken {
		return read(t, s, func(tx *store.Tx) (store.RefreshToken, error) { return tx.RefreshTokenByHash(h) })
	}
	t.Run("read_by_hash", func(t *testing.T) {
		got := byHash("h-b")
		want := tokens[1]
		if got.ID != want.ID || got.FamilyID != want.FamilyID || got.UserID != want.UserID || !got.ExpiresAt.Equal(want.ExpiresAt) ||
			got.UsedAt != nil || got.RevokedAt != nil {
			t.Fatalf("token = %+v\nwant %+v", got, want)
		}
	})
	t.Run("revoking_a_family_spares_the_others", func(t *testing.T) {
		at := t0.Add(time.Minute)
		mustWrite(t, s, func(tx *store.Tx) error { return tx.RevokeRefreshFamily(family, at) })
		for _, h := range []string{"h-a", "h-b"} {
			if rt := byHash(h); rt.RevokedAt == nil || !rt.RevokedAt.Equal(at) {
				t.Fatalf("%s revoked at %v, want %v", h, rt.RevokedAt, at)
			}
		}
		if rt := byHash("h-c"); rt.RevokedAt != nil {
			t.Fatalf("token of another family revoked at %v", rt.RevokedAt)
		}
	})
	t.Run("revoking_again_keeps_the_first_time", func(t *testing.T) {
		mustWrite(t, s, func(tx *store.Tx) error { return tx.RevokeUserRefreshTokens(u.ID, t0.Add(time.Hour)) })
		if rt := byHash("h-a"); !rt.RevokedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("revoked at %v, want the first revocation", rt.RevokedAt)
		}
		if rt := byHash("h-c"); rt.RevokedAt == nil || !rt.RevokedAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("revoked at %v, want %v", rt.RevokedAt, t0.Add(time.Hour))
		}
	})
}
