package httpapi_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/rcm-iom/consenso/internal/drafting"
)

func newUserBody(email string, role drafting.Role) map[string]any {
	return map[string]any{"email": email, "name": "New Person", "password": "a long enough password", "role": role}
}

func TestCreateUser(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	post := func(body map[string]any) *resp {
		return e.do(req{method: "POST", path: "/api/v1/users", token: admin.Token, body: body})
	}
	t.Run("delegate_is_created", func(t *testing.T) {
		body := newUserBody("  Ana.Lopez@Example.ORG ", drafting.RoleDelegate)
		body["country"], body["head_of_delegation"] = "HN", true
		r := post(body).want(201)
		u := r.JSON()
		if u["email"] != "ana.lopez@example.org" || u["role"] != "delegate" || u["country"] != "HN" ||
			u["head_of_delegation"] != true || u["active"] != true || u["password"] != nil || u["password_hash"] != nil {
			t.Fatalf("user = %v", u)
		}
		if loc := r.Header().Get("Location"); loc != "/api/v1/users/"+u["id"].(string) {
			t.Fatalf("Location = %q", loc)
		}
		e.login("ana.lopez@example.org", "a long enough password").want(200)
	})
	t.Run("duplicate_email_is_409", func(t *testing.T) {
		post(newUserBody("twice@example.org", drafting.RoleObserver)).want(201)
		post(newUserBody("twice@example.org", drafting.RoleFacilitator)).wantProblem(409, "user.email_taken")
		post(newUserBody("TWICE@example.org", drafting.RoleFacilitator)).wantProblem(409, "user.email_taken")
	})
	for _, c := range []struct {
		name  string
		edit  func(map[string]any)
		field string
	}{
		{"delegate_without_country_is_422", func(b map[string]any) { b["role"] = "delegate" }, "country"},
		{"delegate_with_null_country_is_422", func(b map[string]any) { b["role"], b["country"] = "delegate", nil }, "country"},
		{"unknown_country_is_422", func(b map[string]any) { b["role"], b["country"] = "delegate", "XX" }, "country"},
		{"facilitator_with_country_is_422", func(b map[string]any) { b["role"], b["country"] = "facilitator", "BZ" }, "country"},
		{"observer_as_head_of_delegation_is_422", func(b map[string]any) { b["head_of_delegation"] = true }, "head_of_delegation"},
		{"short_password_is_422", func(b map[string]any) { b["password"] = "short pass" }, "password"},
		{"bad_email_is_422", func(b map[string]any) { b["email"] = "Ana <ana@example.org>" }, "email"},
		{"empty_name_is_422", func(b map[string]any) { b["name"] = "   " }, "name"},
		{"unknown_role_is_422", func(b map[string]any) { b["role"] = "integration" }, "role"},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := newUserBody("invalid@example.org", drafting.RoleObserver)
			c.edit(body)
			checkFieldErrors(t, post(body).wantProblem(422, "user.invalid"), c.field)
		})
	}
	t.Run("unknown_field_is_422", func(t *testing.T) {
		body := newUserBody("mass@example.org", drafting.RoleObserver)
		body["active"] = false
		post(body).wantProblem(422, "request.unknown_field")
	})
}

func TestListUsers(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	want := []string{admin.Email}
	for _, r := range []drafting.Role{drafting.RoleObserver, drafting.RoleFacilitator, drafting.RoleObserver} {
		want = append(want, e.mustUser(admin, r, "", false).Email)
	}
	slices.Sort(want)
	list := func(query string) *resp {
		return e.do(req{method: "GET", path: "/api/v1/users" + query, token: admin.Token})
	}

	t.Run("one_per_page", func(t *testing.T) {
		var got []string
		cursor := ""
		for range 10 {
			q := "?limit=1"
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			var page struct {
				Items []struct {
					Email string `json:"email"`
				} `json:"items"`
				NextCursor *string `json:"next_cursor"`
			}
			list(q).want(200).Decode(&page)
			if len(page.Items) != 1 {
				t.Fatalf("page of %d items", len(page.Items))
			}
			got = append(got, page.Items[0].Email)
			if page.NextCursor == nil {
				break
			}
			cursor = *page.NextCursor
		}
		if !slices.Equal(got, want) {
			t.Fatalf("paged emails = %v, want %v", got, want)
		}
	})
	t.Run("default_page_holds_everyone", func(t *testing.T) {
		p := list("").want(200).JSON()
		if items := p["items"].([]any); len(items) != len(want) || p["next_cursor"] != nil {
			t.Fatalf("page = %v", p)
		}
	})
	for name, q := range map[string]string{
		"limit_0_is_422":       "?limit=0",
		"limit_201_is_422":     "?limit=201",
		"limit_not_a_number":   "?limit=ten",
		"cursor_not_ours":      "?cursor=" + url.QueryEscape("not a cursor!"),
		"cursor_of_wrong_type": "?cursor=MTI", // base64url of 12: JSON, but not a string
	} {
		t.Run(name, func(t *testing.T) {
			list(q).want(422)
		})
	}
}

func TestUserAdmin(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	d := e.mustUser(admin, drafting.RoleDelegate, "SV", true)
	patch := func(id string, body map[string]any) *resp {
		return e.do(req{method: "PATCH", path: "/api/v1/users/" + id, token: admin.Token, body: body})
	}

	t.Run("get_user", func(t *testing.T) {
		u := e.do(req{method: "GET", path: "/api/v1/users/" + d.ID, token: admin.Token}).want(200).JSON()
		if u["id"] != d.ID || u["email"] != d.Email || u["country"] != "SV" || u["head_of_delegation"] != true {
			t.Fatalf("user = %v", u)
		}
	})
	t.Run("unknown_user_is_404", func(t *testing.T) {
		e.do(req{method: "GET", path: "/api/v1/users/no-such-id", token: admin.Token}).wantProblem(404, "user.not_found")
		patch("no-such-id", map[string]any{"name": "X"}).wantProblem(404, "user.not_found")
	})
	t.Run("rename", func(t *testing.T) {
		u := patch(d.ID, map[string]any{"name": "  Sofía Martínez "}).want(200).JSON()
		if u["name"] != "Sofía Martínez" || u["country"] != "SV" || u["head_of_delegation"] != true {
			t.Fatalf("user = %v", u)
		}
		if got := e.me(d.Token).want(200).JSON()["name"]; got != "Sofía Martínez" {
			t.Fatalf("me.name = %v", got)
		}
	})
	t.Run("role_change_takes_effect_at_once", func(t *testing.T) {
		u := e.mustUser(admin, drafting.RoleDelegate, "NI", true)
		r := patch(u.ID, map[string]any{"role": "observer", "country": nil, "head_of_delegation": false}).want(200).JSON()
		if r["role"] != "observer" || r["country"] != nil || r["head_of_delegation"] != false {
			t.Fatalf("user = %v", r)
		}
		checkMe(t, e.me(u.Token).want(200).JSON(), account{ID: u.ID, Email: u.Email, Role: drafting.RoleObserver}, false)
	})
	t.Run("invalid_changes_are_422", func(t *testing.T) {
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"role": "facilitator"}, "country"}, // still has a country
			{map[string]any{"country": "XX"}, "country"},
			{map[string]any{"country": nil}, "country"}, // a delegate needs one
			{map[string]any{"name": ""}, "name"},
			{map[string]any{"password": "too short"}, "password"},
			{map[string]any{"role": "integration"}, "role"},
		} {
			checkFieldErrors(t, patch(d.ID, c.body).wantProblem(422, "user.invalid"), c.field)
		}
		patch(admin.ID, map[string]any{"active": false}).wantProblem(409, "user.last_admin") // see signin_test.go
		patch(d.ID, map[string]any{"email": "new@example.org"}).wantProblem(422, "request.unknown_field")
		checkFieldErrors(t, patch(d.ID, map[string]any{"country": 7}).wantProblem(422, "request.invalid_type"), "country")
	})
	t.Run("password_change_ends_sign_ins", func(t *testing.T) {
		u := e.mustUser(admin, drafting.RoleFacilitator, "", false)
		patch(u.ID, map[string]any{"password": "a brand new passphrase"}).want(200)
		e.login(u.Email, u.Password).wantProblem(401, "auth.invalid_credentials")
		e.refresh(u.Refresh).wantProblem(401, "auth.invalid_refresh_token")
		e.login(u.Email, "a brand new passphrase").want(200)
	})
	t.Run("user_reads_own_account", func(t *testing.T) {
		e.do(req{method: "GET", path: "/api/v1/users/" + d.ID, token: d.Token}).want(200)
	})
}

func TestCountries(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	d := e.mustUser(admin, drafting.RoleDelegate, "BZ", false)
	post := func(body map[string]any) *resp {
		return e.do(req{method: "POST", path: "/api/v1/countries", token: admin.Token, body: body})
	}
	codes := func() []string {
		var list struct {
			Items []struct {
				Code string `json:"code"`
			} `json:"items"`
		}
		e.do(req{method: "GET", path: "/api/v1/countries", token: d.Token}).want(200).Decode(&list)
		var out []string
		for _, c := range list.Items {
			out = append(out, c.Code)
		}
		return out
	}

	t.Run("eight_are_seeded", func(t *testing.T) {
		if got := strings.Join(codes(), ","); got != "BZ,CR,GT,HN,MX,NI,PA,SV" {
			t.Fatalf("countries = %s", got)
		}
	})
	t.Run("admin_adds_one", func(t *testing.T) {
		c := post(map[string]any{"code": "DO", "name": "República Dominicana", "language": "es"}).want(201).JSON()
		if c["code"] != "DO" || c["name"] != "República Dominicana" || c["language"] != "es" {
			t.Fatalf("country = %v", c)
		}
		if !slices.Contains(codes(), "DO") {
			t.Fatal("new country not listed")
		}
		// and it can be used at once
		e.mustUser(admin, drafting.RoleDelegate, "DO", false)
	})
	t.Run("duplicate_is_409", func(t *testing.T) {
		post(map[string]any{"code": "BZ", "name": "Belize", "language": "en"}).wantProblem(409, "country.exists")
	})
	for name, c := range map[string]struct {
		body  map[string]any
		field string
	}{
		"three_letter_code_is_422": {map[string]any{"code": "USA", "name": "United States", "language": "en"}, "code"},
		"lower_case_code_is_422":   {map[string]any{"code": "us", "name": "United States", "language": "en"}, "code"},
		"unknown_language_is_422":  {map[string]any{"code": "FR", "name": "France", "language": "fr"}, "language"},
		"empty_name_is_422":        {map[string]any{"code": "CA", "name": " ", "language": "en"}, "name"},
	} {
		t.Run(name, func(t *testing.T) {
			checkFieldErrors(t, post(c.body).wantProblem(422, "country.invalid"), c.field)
		})
	}
}
