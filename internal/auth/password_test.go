package auth_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/rcm-iom/consenso/internal/auth"
)

const password = "correct horse battery staple"

func mustHash(t *testing.T, p auth.Argon2Params, pw string) string {
	t.Helper()
	h, err := auth.HashPassword(p, pw)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHashPassword(t *testing.T) {
	t.Run("phc_string_carries_the_parameters", func(t *testing.T) {
		cases := []struct {
			p    auth.Argon2Params
			want string
		}{
			{auth.FastArgon2, `m=1024,t=1,p=1`},
			{auth.Argon2Params{Memory: 2048, Time: 2, Threads: 2}, `m=2048,t=2,p=2`},
		}
		for _, tc := range cases {
			h := mustHash(t, tc.p, password)
			// 16-byte salt and 32-byte key, unpadded standard base64.
			re := regexp.MustCompile(`^\$argon2id\$v=19\$` + tc.want + `\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
			if !re.MatchString(h) {
				t.Fatalf("hash = %q, want %s", h, re)
			}
			if ok, err := auth.CheckPassword(h, password); !ok || err != nil {
				t.Fatalf("CheckPassword with its own parameters = %v, %v", ok, err)
			}
		}
	})
	t.Run("default_is_rfc_9106_second_recommendation", func(t *testing.T) {
		if d := auth.DefaultArgon2; d.Memory != 64*1024 || d.Time != 3 || d.Threads != 4 {
			t.Fatalf("DefaultArgon2 = %+v, want 64 MiB, t=3, p=4", d)
		}
	})
	t.Run("salt_differs_per_hash", func(t *testing.T) {
		a, b := mustHash(t, auth.FastArgon2, password), mustHash(t, auth.FastArgon2, password)
		if a == b {
			t.Fatal("two hashes of one password are equal: the salt is not random")
		}
		for _, h := range []string{a, b} {
			if ok, err := auth.CheckPassword(h, password); !ok || err != nil {
				t.Fatalf("CheckPassword = %v, %v", ok, err)
			}
		}
	})
	t.Run("password_does_not_appear", func(t *testing.T) {
		if h := mustHash(t, auth.FastArgon2, password); strings.Contains(h, password) {
			t.Fatal("the hash contains the password")
		}
	})
}

func TestCheckPassword(t *testing.T) {
	hash := mustHash(t, auth.FastArgon2, password)
	parts := strings.Split(hash, "$") // "", argon2id, v=19, params, salt, key
	join := func(edit func(p []string)) string {
		p := append([]string(nil), parts...)
		edit(p)
		return strings.Join(p, "$")
	}
	flip := func(s string) string { // change the first character of a base64 field
		if s[0] == 'A' {
			return "B" + s[1:]
		}
		return "A" + s[1:]
	}
	cases := []struct {
		name     string
		hash     string
		password string
		want     bool
		wantErr  bool
	}{
		{"right_password", hash, password, true, false},
		{"wrong_password", hash, "correct horse battery stapler", false, false},
		{"empty_password", hash, "", false, false},
		{"password_differing_in_case", hash, strings.ToUpper(password), false, false},

		// A tampered hash never matches.
		{"key_tampered", join(func(p []string) { p[5] = flip(p[5]) }), password, false, false},
		{"salt_tampered", join(func(p []string) { p[4] = flip(p[4]) }), password, false, false},
		{"time_cost_tampered", join(func(p []string) { p[3] = "m=1024,t=2,p=1" }), password, false, false},
		{"memory_cost_tampered", join(func(p []string) { p[3] = "m=2048,t=1,p=1" }), password, false, false},
		{"key_truncated", join(func(p []string) { p[5] = p[5][:22] }), password, false, false},

		// An unreadable hash is an error, never a match.
		{"empty_hash", "", password, false, true},
		{"argon2i_hash", join(func(p []string) { p[1] = "argon2i" }), password, false, true},
		{"bcrypt_hash", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", password, false, true},
		{"other_version", join(func(p []string) { p[2] = "v=16" }), password, false, true},
		{"unreadable_parameters", join(func(p []string) { p[3] = "m=x,t=1,p=1" }), password, false, true},
		{"zero_time_cost", join(func(p []string) { p[3] = "m=1024,t=0,p=1" }), password, false, true},
		{"zero_threads", join(func(p []string) { p[3] = "m=1024,t=1,p=0" }), password, false, true},
		{"salt_not_base64", join(func(p []string) { p[4] = "!!!" }), password, false, true},
		{"key_not_base64", join(func(p []string) { p[5] = "!!!" }), password, false, true},
		{"key_empty", join(func(p []string) { p[5] = "" }), password, false, true},
		{"field_missing", strings.Join(parts[:5], "$"), password, false, true},
		{"field_added", hash + "$extra", password, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := auth.CheckPassword(tc.hash, tc.password)
			if ok != tc.want || (err != nil) != tc.wantErr {
				t.Fatalf("CheckPassword = %v, %v; want %v, error %v", ok, err, tc.want, tc.wantErr)
			}
		})
	}
}
