package httpapi_test

import "testing"

// TestConsensusBodyChange: adding a participant undoes a consensus that no
// longer holds, so the clause cannot be locked (nor the text adopted)
// without the newcomer's position.
func TestConsensusBodyChange(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	f := e.mustUser(admin, "facilitator", "", false)
	cr := e.mustUser(admin, "delegate", "CR", true)
	pa := e.mustUser(admin, "delegate", "PA", true)
	g := e.do(req{method: "POST", path: "/api/v1/guidelines", token: f.Token, body: map[string]any{
		"title": titled("Two countries", "en"), "languages": []string{"en"}, "participants": []string{"CR", "PA"}}}).want(201).JSON()
	gid := g["id"].(string)
	sec := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/sections", token: f.Token, body: map[string]any{"title": titled("I.", "en")}}).want(201).JSON()
	cid := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", token: f.Token,
		body: map[string]any{"section_id": sec["id"], "text": map[string]string{"en": "States shall cooperate."}}}).want(201).JSON()["id"].(string)
	e.do(req{method: "POST", path: "/api/v1/clauses/" + cid + "/open", token: f.Token}).want(200)
	for code, head := range map[string]account{"CR": cr, "PA": pa} {
		e.do(req{method: "PUT", path: "/api/v1/clauses/" + cid + "/positions/" + code, token: head.Token,
			body: map[string]any{"stance": "agree", "clause_version": 1}}).want(200)
	}
	if st := e.do(req{method: "GET", path: "/api/v1/clauses/" + cid, token: f.Token}).want(200).JSON()["status"]; st != "consensus" {
		t.Fatalf("status = %v, want consensus", st)
	}
	e.do(req{method: "PATCH", path: "/api/v1/guidelines/" + gid, token: f.Token, body: map[string]any{"participants": []string{"CR", "GT", "PA"}}}).want(200)
	if st := e.do(req{method: "GET", path: "/api/v1/clauses/" + cid, token: f.Token}).want(200).JSON()["status"]; st != "open" {
		t.Fatalf("after adding GT: status = %v, want open", st)
	}
	e.do(req{method: "POST", path: "/api/v1/clauses/" + cid + "/lock", token: f.Token}).wantProblem(409, "clause.not_consensus")

	// An integration cannot tell this unadopted guideline from an unknown one.
	_, itok := e.mustIntegration(admin)
	for _, path := range []string{"/api/v1/guidelines/" + gid, "/api/v1/guidelines/" + gid + "/events", "/api/v1/guidelines/" + gid + "/approved"} {
		e.do(req{method: "GET", path: path, token: itok}).wantProblem(404, "guideline.not_found")
	}
	e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/events/stream-ticket", token: itok}).wantProblem(404, "guideline.not_found")
}
