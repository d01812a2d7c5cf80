package httpapi_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// person is what the API shows of an account to participants.
func (d *delib) person(a account) map[string]any {
	d.t.Helper()
	u := d.get("/api/v1/users/"+a.ID, d.admin).want(200).JSON()
	return map[string]any{"id": a.ID, "name": u["name"], "country": u["country"]}
}

// noEmails fails if a body shows an e-mail address: only admins see them.
func noEmails(t *testing.T, r *resp) {
	t.Helper()
	if strings.Contains(r.Body.String(), "@example.org") {
		t.Fatalf("an answer shows an e-mail address: %s", r.Body.String())
	}
}

// TestPeopleAreNamed: comments, versions and positions name their authors
// and recorders as {id, name, country}, to every participant, without
// e-mail addresses.
func TestPeopleAreNamed(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	fac, bz, observer, mx := d.person(d.fac), d.person(d.delegate), d.person(d.observer), d.person(d.heads["MX"])
	if bz["country"] != "BZ" || fac["country"] != nil || !strings.HasPrefix(bz["name"].(string), "Test delegate") {
		t.Fatalf("fixture persons: %v %v", bz, fac)
	}

	t.Run("comments name their author and resolver", func(t *testing.T) {
		created := d.comment(cid, d.delegate, map[string]any{"body": "Belize proposes “promptly”."}).want(201)
		noEmails(t, created)
		c := created.JSON()
		if diff := cmp.Diff(bz, c["author"]); diff != "" || c["author_id"] != d.delegate.ID {
			t.Fatalf("author (-want +got):\n%s", diff)
		}
		if c["resolved_by"] != nil || c["resolved_by_id"] != nil {
			t.Fatalf("an open comment names a resolver: %v", c)
		}
		o := d.comment(cid, d.observer, map[string]any{"body": "The secretariat notes a 2019 precedent."}).want(201).JSON()
		if diff := cmp.Diff(observer, o["author"]); diff != "" {
			t.Fatalf("observer (-want +got):\n%s", diff)
		}
		id := c["id"].(string)
		resolved := d.post("/api/v1/comments/"+id+"/resolve", d.fac, map[string]any{"status": "addressed", "note": "In 1.2."}).want(200).JSON()
		if diff := cmp.Diff(fac, resolved["resolved_by"]); diff != "" || resolved["resolved_by_id"] != d.fac.ID {
			t.Fatalf("resolver (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(bz, resolved["author"]); diff != "" {
			t.Fatalf("author after resolution (-want +got):\n%s", diff)
		}
		// Every participant reads the same names: another country's head.
		got := d.get("/api/v1/comments/"+id, d.heads["CR"]).want(200)
		noEmails(t, got)
		if diff := cmp.Diff(resolved, got.JSON()); diff != "" {
			t.Fatalf("GET differs from the resolve answer (-resolve +get):\n%s", diff)
		}
		list := d.get("/api/v1/clauses/"+cid+"/comments", d.heads["CR"]).want(200)
		noEmails(t, list)
		authors := map[any]any{}
		for _, it := range list.JSON()["items"].([]any) {
			authors[it.(map[string]any)["id"]] = it.(map[string]any)["author"]
		}
		if diff := cmp.Diff(map[any]any{id: bz, o["id"]: observer}, authors); diff != "" {
			t.Fatalf("authors in the list (-want +got):\n%s", diff)
		}
		edited := d.do(req{method: "PATCH", path: "/api/v1/comments/" + o["id"].(string), token: d.observer.Token,
			body: map[string]any{"body": "The secretariat notes a 2018 precedent."}}).want(200).JSON()
		if diff := cmp.Diff(observer, edited["author"]); diff != "" {
			t.Fatalf("edit answer (-want +got):\n%s", diff)
		}
	})

	t.Run("versions name their author", func(t *testing.T) {
		d.putText(cid, map[string]string{"en": "States shall promptly train consular officials.", "es": "Los Estados capacitarán sin demora."}, nil).want(200)
		vs := d.get("/api/v1/clauses/"+cid+"/versions", d.delegate).want(200)
		noEmails(t, vs)
		for _, it := range vs.JSON()["items"].([]any) {
			if diff := cmp.Diff(fac, it.(map[string]any)["author"]); diff != "" {
				t.Fatalf("version author (-want +got):\n%s", diff)
			}
		}
		if diff := cmp.Diff(fac, d.get("/api/v1/clauses/"+cid+"/versions/2", d.observer).want(200).JSON()["author"]); diff != "" {
			t.Fatalf("version 2 author (-want +got):\n%s", diff)
		}
	})

	t.Run("positions name who recorded them", func(t *testing.T) {
		put := d.position(cid, "MX", d.heads["MX"], map[string]any{"stance": "agree", "clause_version": 2}).want(200)
		noEmails(t, put)
		if diff := cmp.Diff(mx, put.JSON()["recorded_by"]); diff != "" || put.JSON()["recorded_by_id"] != d.heads["MX"].ID {
			t.Fatalf("recorded_by (-want +got):\n%s", diff)
		}
		cr := d.person(d.heads["CR"])
		d.position(cid, "CR", d.heads["CR"], map[string]any{"stance": "abstain", "clause_version": 2}).want(200)
		ps := d.positions(cid)
		if diff := cmp.Diff(mx, ps["MX"]["recorded_by"]); diff != "" {
			t.Fatalf("MX recorded_by (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(cr, ps["CR"]["recorded_by"]); diff != "" {
			t.Fatalf("CR recorded_by (-want +got):\n%s", diff)
		}
		if ps["GT"]["recorded_by"] != nil || ps["GT"]["recorded_by_id"] != nil {
			t.Fatalf("pending GT = %v", ps["GT"])
		}
		h := d.get("/api/v1/clauses/"+cid+"/positions/history", d.observer).want(200)
		noEmails(t, h)
		for _, it := range h.JSON()["items"].([]any) {
			row := it.(map[string]any)
			want := map[string]map[string]any{"MX": mx, "CR": cr}[row["country"].(string)]
			if diff := cmp.Diff(want, row["recorded_by"]); diff != "" || row["recorded_by_id"] != want["id"] {
				t.Fatalf("history %v recorded_by (-want +got):\n%s", row["country"], diff)
			}
		}
	})
}

// TestParticipants: every signed-in participant reads each participating
// country with its delegation — active accounts only, head first, no
// e-mail addresses; integrations are refused.
func TestParticipants(t *testing.T) {
	d := newDelib(t)
	path := "/api/v1/guidelines/" + d.gid + "/participants"
	r := d.get(path, d.heads["GT"]).want(200)
	noEmails(t, r)
	var list struct {
		Items []struct {
			Country struct {
				Code, Name, Language string
			}
			Delegation []map[string]any
		}
		NextCursor *string `json:"next_cursor"`
	}
	r.Decode(&list)
	if len(list.Items) != 8 || list.NextCursor != nil {
		t.Fatalf("participants = %s", r.Body.String())
	}
	for i, it := range list.Items {
		if it.Country.Code != countries8[i] || it.Country.Name == "" {
			t.Fatalf("item %d = %+v, want %s", i, it.Country, countries8[i])
		}
	}
	bz := list.Items[0]
	want := []map[string]any{
		{"id": d.heads["BZ"].ID, "name": d.person(d.heads["BZ"])["name"], "role": "delegate", "head_of_delegation": true},
		{"id": d.delegate.ID, "name": d.person(d.delegate)["name"], "role": "delegate", "head_of_delegation": false},
	}
	if diff := cmp.Diff(want, bz.Delegation); diff != "" {
		t.Fatalf("Belize's delegation (-want +got):\n%s", diff)
	}
	if bz.Country.Name != "Belize" || bz.Country.Language != "en" {
		t.Fatalf("Belize = %+v", bz.Country)
	}
	if cr := list.Items[1]; len(cr.Delegation) != 1 || cr.Delegation[0]["id"] != d.heads["CR"].ID {
		t.Fatalf("Costa Rica's delegation = %v", cr.Delegation)
	}

	t.Run("the same for every participant", func(t *testing.T) {
		for _, a := range []account{d.fac, d.observer, d.delegate, d.admin} {
			if got := d.get(path, a).want(200).Body.String(); got != r.Body.String() {
				t.Fatalf("%s reads\n%s\nnot\n%s", a.Role, got, r.Body.String())
			}
		}
	})

	t.Run("a disabled account leaves its delegation", func(t *testing.T) {
		d.do(req{method: "PATCH", path: "/api/v1/users/" + d.delegate.ID, token: d.admin.Token, body: map[string]any{"active": false}}).want(200)
		var after struct {
			Items []struct{ Delegation []map[string]any }
		}
		d.get(path, d.heads["GT"]).want(200).Decode(&after)
		if diff := cmp.Diff(want[:1], after.Items[0].Delegation); diff != "" {
			t.Fatalf("Belize after disabling its delegate (-want +got):\n%s", diff)
		}
	})

	t.Run("a country without accounts, and a delegate of a non-participant", func(t *testing.T) {
		d.post("/api/v1/countries", d.admin, map[string]any{"code": "DO", "name": "Dominican Republic", "language": "es"}).want(201)
		g := d.post("/api/v1/guidelines", d.fac, map[string]any{"title": titled("Anexo bilateral", "es"), "languages": []string{"es"},
			"participants": []string{"CR", "DO"}}).want(201).JSON()["id"].(string)
		// Everything of a guideline's draft is readable by any delegate,
		// so its participants are too (Guatemala does not take part).
		got := d.get("/api/v1/guidelines/"+g+"/participants", d.heads["GT"]).want(200).JSON()["items"].([]any)
		if len(got) != 2 {
			t.Fatalf("participants = %v", got)
		}
		do := got[1].(map[string]any)
		if do["country"].(map[string]any)["code"] != "DO" || len(do["delegation"].([]any)) != 0 {
			t.Fatalf("Dominican Republic = %v", do)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		d.do(req{method: "GET", path: path, token: d.integration}).wantProblem(403, "auth.forbidden")
		d.do(req{method: "GET", path: path}).wantProblem(401, "")
		d.get("/api/v1/guidelines/no-such-guideline/participants", d.heads["BZ"]).wantProblem(404, "guideline.not_found")
	})
}
