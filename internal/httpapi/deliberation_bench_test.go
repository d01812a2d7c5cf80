package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
	"github.com/rcm-iom/consenso/internal/store"
)

// serve sends one request straight to the router (no contract validation,
// which would dominate the timings); it must answer 200 or 201.
func (d *delib) serve(b *testing.B, method, path, token string, body any) {
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	r := httptest.NewRequest(method, path, bytes.NewReader(raw))
	r.Header.Set("Authorization", "Bearer "+token)
	if raw != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	d.srv.ServeHTTP(w, r)
	if w.Code != 200 && w.Code != 201 {
		b.Fatalf("%s %s = %d: %s", method, path, w.Code, w.Body.String())
	}
}

// BenchmarkConsensusMatrix serves GET /guidelines/{gid}/consensus for 300
// clauses × 8 countries, every country with a position on every clause
// (TEST_DATABASE_URL selects PostgreSQL).
func BenchmarkConsensusMatrix(b *testing.B) {
	d := benchMatrixFixture(b)
	path := "/api/v1/guidelines/" + d.gid + "/consensus"
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.serve(b, "GET", path, d.fac.Token, nil)
	}
}

// benchMatrixFixture makes a guideline of 300 clauses on which each of the
// eight countries has a position.
func benchMatrixFixture(b *testing.B) *delib {
	d := newDelib(b)
	ctx := context.Background()
	fac := auth.Principal{ID: d.fac.ID, Role: drafting.RoleFacilitator}
	stances := []drafting.Stance{drafting.StanceAgree, drafting.StanceAgree, drafting.StanceAgreeReservation, drafting.StanceAbstain, drafting.StanceObject}
	const clauses = 300
	for i := 0; i < clauses; i++ {
		c, err := d.svc.CreateClause(ctx, fac, d.gid, service.NewClause{SectionID: d.sid,
			Text: drafting.Text{"en": fmt.Sprintf("Clause %d in English.", i), "es": fmt.Sprintf("Cláusula %d en español.", i)}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.svc.OpenClause(ctx, fac, c.ID, service.AnyRevision); err != nil {
			b.Fatal(err)
		}
		ps := make([]drafting.Position, len(countries8))
		for j, country := range countries8 {
			p := drafting.Position{ID: fmt.Sprintf("p-%d-%s", i, country), Country: country, ClauseVersion: 1,
				Stance: stances[(i+j)%len(stances)], RecordedBy: d.heads[country].ID, CreatedAt: d.clock.Now()}
			switch p.Stance {
			case drafting.StanceAgreeReservation:
				p.Reservation = "A reservation."
			case drafting.StanceObject:
				p.Reason = "A reason."
			}
			ps[j] = p
		}
		if err := d.store.Write(ctx, func(tx *store.Tx) error { return tx.InsertPositions(c.ID, ps) }); err != nil {
			b.Fatal(err)
		}
	}
	return d
}

// BenchmarkSetPosition records a position that flips a clause between
// consensus and contested each time: one transaction with the status
// derived again and the events written.
func BenchmarkSetPosition(b *testing.B) {
	d := newDelib(b)
	cid := d.mustOpenClause()
	for _, c := range countries8[1:] {
		d.position(cid, c, d.heads[c], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	}
	path := "/api/v1/clauses/" + cid + "/positions/BZ"
	bodies := []map[string]any{
		{"stance": "agree", "clause_version": 1},
		{"stance": "object", "clause_version": 1, "reason": "Not yet."},
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.serve(b, "PUT", path, d.heads["BZ"].Token, bodies[i%2])
	}
}

// BenchmarkCreateComment creates Belize's comments on one open clause, one
// after another: each a transaction, its events published before the
// answer (TEST_DATABASE_URL selects PostgreSQL). docs/load.sh measures the
// same with 64 clients.
func BenchmarkCreateComment(b *testing.B) {
	d := newDelib(b)
	cid := d.mustOpenClause()
	path := "/api/v1/clauses/" + cid + "/comments"
	body := map[string]any{"kind": "general", "body": "We propose to align this wording with the Palermo Protocol."}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.serve(b, "POST", path, d.heads["BZ"].Token, body)
	}
}
