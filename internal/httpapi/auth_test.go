package httpapi_test

import "testing"

func TestLoginAndMe(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	me := e.do(req{method: "GET", path: "/api/v1/me", token: admin.Token}).want(200).JSON()
	if me["role"] != "admin" || me["email"] != "admin@example.org" {
		t.Fatalf("me = %v", me)
	}
	d := e.mustUser(admin, "delegate", "BZ", true)
	me = e.do(req{method: "GET", path: "/api/v1/me", token: d.Token}).want(200).JSON()
	if me["country"] != "BZ" || me["head_of_delegation"] != true {
		t.Fatalf("me = %v", me)
	}
}
