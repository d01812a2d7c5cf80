package httpapi_test

import (
	"fmt"
	"testing"
	"time"
)

// The roles of the authorization table. "head" is the head of delegation
// of the country concerned (Belize: the clause's position in the path, and
// the country of the comment's author); "other head" heads Costa Rica;
// "delegate" is the Belizean delegate who wrote the comment.
var authzRoles = []string{"anonymous", "admin", "facilitator", "head", "other head", "delegate", "observer", "integration"}

func (d *delib) tokenOf(role string) string {
	switch role {
	case "anonymous":
		return ""
	case "admin":
		return d.admin.Token
	case "facilitator":
		return d.fac.Token
	case "head":
		return d.heads["BZ"].Token
	case "other head":
		return d.heads["CR"].Token
	case "delegate":
		return d.delegate.Token
	case "observer":
		return d.observer.Token
	case "integration":
		return d.integration
	}
	d.t.Fatalf("unknown role %q", role)
	return ""
}

// target is the resource a case acts on, fresh for every role.
type authzTarget struct {
	path string
	body any
	// state reads back what the request could change, to prove a refused
	// request changed nothing.
	state func() string
}

// expect builds an expectation row: the status of every role, in the order
// of authzRoles.
func authzExpect(statuses ...int) map[string]int {
	m := map[string]int{}
	for i, r := range authzRoles {
		m[r] = statuses[i]
	}
	return m
}

var (
	//                 anon admin fac head other deleg obs integ
	authzReaders     = authzExpect(401, 200, 200, 200, 200, 200, 200, 403)
	authzCommenters  = authzExpect(401, 201, 201, 201, 201, 201, 201, 403)
	authzFacilitator = authzExpect(401, 200, 200, 403, 403, 403, 403, 403)
	authzAuthor      = authzExpect(401, 403, 403, 403, 403, 200, 403, 403)
	authzHeadOfBZ    = authzExpect(401, 403, 403, 200, 403, 403, 403, 403) // only the country speaks for itself
)

// TestDeliberationAuthorization runs every route of deliberation as every
// role against a fresh resource and checks the status; a refused request
// must leave the resource exactly as it was (BOLA attempts change nothing).
func TestDeliberationAuthorization(t *testing.T) {
	d := newDelib(t)
	read := func(path string) func() string {
		return func() string { return d.get(path, d.fac).want(200).Body.String() }
	}
	clauseState := func(cid string) func() string {
		return func() string {
			return d.get("/api/v1/clauses/"+cid, d.fac).want(200).Body.String() +
				d.get("/api/v1/clauses/"+cid+"/positions/history", d.fac).want(200).Body.String() +
				d.get("/api/v1/clauses/"+cid+"/comments", d.fac).want(200).Body.String()
		}
	}
	onClause := func(mk func() string, suffix string, body any) func() authzTarget {
		return func() authzTarget {
			cid := mk()
			return authzTarget{path: "/api/v1/clauses/" + cid + suffix, body: body, state: clauseState(cid)}
		}
	}
	onComment := func(suffix string, body any) func() authzTarget {
		return func() authzTarget {
			cid := d.mustOpenClause()
			id := d.comment(cid, d.delegate, map[string]any{"body": "Belize proposes “promptly”."}).want(201).JSON()["id"].(string)
			return authzTarget{path: "/api/v1/comments/" + id + suffix, body: body, state: read("/api/v1/comments/" + id)}
		}
	}
	onGuideline := func(suffix string) func() authzTarget {
		return func() authzTarget {
			return authzTarget{path: "/api/v1/guidelines/" + d.gid + suffix, state: func() string { return "" }}
		}
	}
	agree := map[string]any{"stance": "agree", "clause_version": 1}

	cases := []struct {
		method, route string
		target        func() authzTarget
		want          map[string]int
	}{
		{"POST", "/clauses/{cid}/comments", onClause(d.mustOpenClause, "/comments", map[string]any{"body": "A comment."}), authzCommenters},
		{"GET", "/clauses/{cid}/comments", onClause(d.mustOpenClause, "/comments", nil), authzReaders},
		{"GET", "/guidelines/{gid}/comments", onGuideline("/comments"), authzReaders},
		{"GET", "/guidelines/{gid}/comments/counts", onGuideline("/comments/counts"), authzReaders},
		{"GET", "/guidelines/{gid}/participants", onGuideline("/participants"), authzReaders},
		{"GET", "/comments/{id}", onComment("", nil), authzReaders},
		{"PATCH", "/comments/{id}", onComment("", map[string]any{"body": "Rewritten by someone."}), authzAuthor},
		{"POST", "/comments/{id}/withdraw", onComment("/withdraw", nil), authzAuthor},
		{"POST", "/comments/{id}/resolve", onComment("/resolve", map[string]any{"status": "declined", "note": "No."}), authzFacilitator},
		{"PUT", "/clauses/{cid}/positions/BZ", onClause(d.mustOpenClause, "/positions/BZ", agree), authzHeadOfBZ},
		{"GET", "/clauses/{cid}/positions", onClause(d.mustOpenClause, "/positions", nil), authzReaders},
		{"GET", "/clauses/{cid}/positions/history", onClause(d.mustConsensusClause, "/positions/history", nil), authzReaders},
		{"POST", "/clauses/{cid}/open", onClause(d.mustClause, "/open", nil), authzFacilitator},
		{"POST", "/clauses/{cid}/silence", onClause(d.mustOpenClause, "/silence", map[string]any{"deadline": d.clock.Now().Add(time.Hour)}), authzFacilitator},
		{"POST", "/clauses/{cid}/lock", onClause(d.mustConsensusClause, "/lock", nil), authzFacilitator},
		{"POST", "/clauses/{cid}/reopen", onClause(d.mustAgreedClause, "/reopen", map[string]any{"reason": "A translation error."}), authzFacilitator},
		{"GET", "/guidelines/{gid}/consensus", onGuideline("/consensus"), authzReaders},
	}
	// The table, for the record in the test log.
	for _, tc := range cases {
		row := fmt.Sprintf("%-6s %-36s", tc.method, tc.route)
		for _, r := range authzRoles {
			row += fmt.Sprintf(" %s=%d", r, tc.want[r])
		}
		t.Log(row)
	}
	for _, tc := range cases {
		for _, role := range authzRoles {
			t.Run(tc.method+" "+tc.route+"/"+role, func(t *testing.T) {
				tg := tc.target()
				before := tg.state()
				r := d.do(req{method: tc.method, path: tg.path, token: d.tokenOf(role), body: tg.body})
				if r.Code != tc.want[role] {
					t.Fatalf("%s %s as %s = %d, want %d: %s", tc.method, tg.path, role, r.Code, tc.want[role], r.Body.String())
				}
				if r.Code >= 400 {
					if after := tg.state(); after != before {
						t.Fatalf("a refused request changed the resource:\nbefore %s\nafter  %s", before, after)
					}
				}
			})
		}
	}
}

// TestDeliberationBOLA tries, as one delegation, to act on another's
// comments and positions by guessing ids and country codes.
func TestDeliberationBOLA(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	mx := d.comment(cid, d.heads["MX"], map[string]any{"body": "Mexico objects to the deadline."}).want(201).JSON()["id"].(string)
	d.position(cid, "MX", d.heads["MX"], map[string]any{"stance": "object", "clause_version": 1, "reason": "The deadline is too short."}).want(200)
	comment := func() string { return d.get("/api/v1/comments/"+mx, d.fac).want(200).Body.String() }
	positions := func() string {
		return d.get("/api/v1/clauses/"+cid+"/positions/history", d.fac).want(200).Body.String()
	}
	beforeC, beforeP, beforeS := comment(), positions(), d.status(cid)

	gt := d.heads["GT"]
	d.do(req{method: "PATCH", path: "/api/v1/comments/" + mx, token: gt.Token, body: map[string]any{"body": "Mexico agrees."}}).wantProblem(403, "comment.not_author")
	d.post("/api/v1/comments/"+mx+"/withdraw", gt, nil).wantProblem(403, "comment.not_author")
	d.post("/api/v1/comments/"+mx+"/resolve", gt, map[string]any{"status": "declined", "note": "x"}).wantProblem(403, "auth.forbidden")
	d.position(cid, "MX", gt, map[string]any{"stance": "agree", "clause_version": 1}).wantProblem(403, "auth.forbidden")
	d.position(cid, "mx", gt, map[string]any{"stance": "agree", "clause_version": 1}).wantProblem(403, "auth.forbidden")
	d.position(cid, "MX", d.delegate, map[string]any{"stance": "agree", "clause_version": 1}).wantProblem(403, "auth.forbidden")
	// A comment cannot be filed under another country.
	d.comment(cid, gt, map[string]any{"body": "x", "country": "MX"}).wantProblem(422, "request.unknown_field")

	if comment() != beforeC || positions() != beforeP || d.status(cid) != beforeS {
		t.Fatal("a refused request changed Mexico's comment or position")
	}
	if p := d.positions(cid)["MX"]; p["stance"] != "object" || p["recorded_by_id"] != d.heads["MX"].ID {
		t.Fatalf("MX = %v", p)
	}
}
