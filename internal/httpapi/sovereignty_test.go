package httpapi_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// snapshot reads back everything a refused request could have changed: the
// clause, its positions and their history, the countries with their
// alternates, the guideline's event log and the number of events of any
// guideline (or none).
func (d *delib) snapshot(cid string) string {
	d.t.Helper()
	var n int64
	if err := d.store.DB().Raw("SELECT COUNT(*) FROM events").Scan(&n).Error; err != nil {
		d.t.Fatal(err)
	}
	out := fmt.Sprintf("events: %d\n", n)
	paths := []string{"/api/v1/countries", "/api/v1/guidelines/" + d.gid + "/events?limit=200", "/api/v1/guidelines/" + d.gid}
	if cid != "" {
		paths = append(paths, "/api/v1/clauses/"+cid, "/api/v1/clauses/"+cid+"/positions", "/api/v1/clauses/"+cid+"/positions/history?limit=200")
	}
	for _, p := range paths {
		out += d.get(p, d.fac).want(200).Body.String() + "\n"
	}
	return out
}

func (d *delib) unchangedSince(before, cid, what string) {
	d.t.Helper()
	if after := d.snapshot(cid); after != before {
		d.t.Fatalf("%s changed something:\nbefore: %s\nafter:  %s", what, before, after)
	}
}

// TestFacilitatorCannotOverwriteAnObjection is the attack of issue 10, item
// 1: Belize objects; a facilitator (or an admin) records "agree" for Belize,
// then locks and adopts. Every step is refused and changes nothing.
func TestFacilitatorCannotOverwriteAnObjection(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	for _, c := range countries8[1:] {
		d.position(cid, c, d.heads[c], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	}
	d.position(cid, "BZ", d.heads["BZ"], map[string]any{"stance": "object", "clause_version": 1,
		"reason": "Belize cannot accept a 72-hour deadline."}).want(200)
	if s := d.status(cid); s != "contested" {
		t.Fatalf("status = %s, want contested", s)
	}
	d.post("/api/v1/guidelines/"+d.gid+"/drafts", d.fac, map[string]any{"label": "Draft with an objection"}).want(201)

	before := d.snapshot(cid)
	for _, who := range []struct {
		name string
		a    account
	}{{"facilitator", d.fac}, {"admin", d.admin}} {
		for _, body := range []map[string]any{
			{"stance": "agree", "clause_version": 1},
			{"stance": "abstain", "clause_version": 1},
			{"stance": "agree_with_reservation", "clause_version": 1, "reservation": "In session."},
		} {
			d.position(cid, "BZ", who.a, body).wantProblem(403, "auth.forbidden")
			d.position(cid, "bz", who.a, body).wantProblem(403, "auth.forbidden")
		}
		d.unchangedSince(before, cid, who.name+" recording Belize's position")
	}
	d.post("/api/v1/clauses/"+cid+"/lock", d.fac, nil).wantProblem(409, "clause.not_consensus")
	d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(48 * time.Hour)}).wantProblem(409, "clause.contested")
	p := d.post("/api/v1/guidelines/"+d.gid+"/drafts/1/adopt", d.fac, nil).wantProblem(409, "draft.not_agreed").JSON()
	if !strings.Contains(p["detail"].(string), "1.") {
		t.Fatalf("the refusal does not name the clause: %v", p["detail"])
	}
	d.unchangedSince(before, cid, "lock, silence and adoption of a contested clause")
	if ps := d.positions(cid)["BZ"]; ps["stance"] != "object" || ps["recorded_by_id"] != d.heads["BZ"].ID || ps["recorded_as"] != "head_of_delegation" {
		t.Fatalf("Belize's position = %v", ps)
	}
}

// TestAlternate: a head of delegation designates an alternate from the
// country's own delegation, who then records the country's positions; the
// head revokes the designation and the former alternate is refused. Every
// refused designation changes nothing.
func TestAlternate(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	officer := d.delegate // a Belizean delegate, not head
	put := func(a account, code string, body any) *resp {
		t.Helper()
		return d.do(req{method: "PUT", path: "/api/v1/countries/" + code + "/alternate", token: a.Token, body: body})
	}
	del := func(a account, code string) *resp {
		t.Helper()
		return d.do(req{method: "DELETE", path: "/api/v1/countries/" + code + "/alternate", token: a.Token})
	}
	country := func(code string) map[string]any {
		t.Helper()
		for _, it := range d.get("/api/v1/countries", d.observer).want(200).JSON()["items"].([]any) {
			if c := it.(map[string]any); c["code"] == code {
				return c
			}
		}
		t.Fatalf("no country %s", code)
		return nil
	}
	me := func(a account) map[string]any { t.Helper(); return d.get("/api/v1/me", a).want(200).JSON() }
	agree := map[string]any{"stance": "agree", "clause_version": 1}

	if country("BZ")["alternate_id"] != nil || me(officer)["alternate"] != false || me(d.heads["BZ"])["alternate"] != false {
		t.Fatal("an alternate before any designation")
	}
	before := d.snapshot(cid)
	d.position(cid, "BZ", officer, agree).wantProblem(403, "auth.forbidden")
	d.unchangedSince(before, cid, "a position by a delegate not designated")

	t.Run("refused designations change nothing", func(t *testing.T) {
		inactive := d.mustUser(d.admin, "delegate", "BZ", false)
		d.do(req{method: "PATCH", path: "/api/v1/users/" + inactive.ID, token: d.admin.Token, body: map[string]any{"active": false}}).want(200)
		crOfficer := d.mustUser(d.admin, "delegate", "CR", false)
		before := d.snapshot(cid)
		body := map[string]any{"user_id": officer.ID}
		// Facilitator, admin, Belize's own officer, Costa Rica's head, an observer.
		for _, a := range []account{d.fac, d.admin, officer, d.heads["CR"], d.observer} {
			put(a, "BZ", body).wantProblem(403, "auth.forbidden")
			del(a, "BZ").wantProblem(403, "auth.forbidden")
		}
		d.do(req{method: "PUT", path: "/api/v1/countries/BZ/alternate", token: d.integration, body: body}).wantProblem(403, "auth.forbidden")
		d.do(req{method: "PUT", path: "/api/v1/countries/BZ/alternate", body: body}).wantProblem(401, "")
		put(d.heads["BZ"], "ZZ", body).wantProblem(404, "country.not_found")
		put(d.heads["BZ"], "B%00", body).wantProblem(404, "country.not_found")
		del(d.heads["BZ"], "ZZ").wantProblem(404, "country.not_found")
		// Another country's delegate, a facilitator, the head, a disabled
		// delegate, an unknown account, nobody: the same answer for each.
		for _, id := range []string{crOfficer.ID, d.fac.ID, d.heads["BZ"].ID, inactive.ID, "00000000-0000-0000-0000-000000000000", "",
			strings.Repeat("x", 1000)} {
			r := put(d.heads["BZ"], "BZ", map[string]any{"user_id": id}).wantProblem(422, "country.alternate_invalid")
			checkFieldErrors(t, r, "user_id")
		}
		// A control character never reaches the service: the decoder refuses it.
		r := put(d.heads["BZ"], "BZ", map[string]any{"user_id": "abc\x00def"}).wantProblem(422, "text.invalid_character")
		checkFieldErrors(t, r, "user_id")
		put(d.heads["BZ"], "BZ", map[string]any{"user_id": officer.ID, "country": "BZ"}).want(422)
		put(d.heads["BZ"], "BZ", map[string]any{}).wantProblem(422, "country.alternate_invalid")
		d.unchangedSince(before, cid, "a refused designation")
	})

	t.Run("the alternate speaks for the country", func(t *testing.T) {
		r := put(d.heads["BZ"], "BZ", map[string]any{"user_id": officer.ID}).want(200).JSON()
		if r["code"] != "BZ" || r["alternate_id"] != officer.ID {
			t.Fatalf("designation = %v", r)
		}
		if country("BZ")["alternate_id"] != officer.ID || country("CR")["alternate_id"] != nil {
			t.Fatal("GET /countries does not show the alternate")
		}
		if me(officer)["alternate"] != true || me(d.heads["BZ"])["alternate"] != false || me(d.heads["CR"])["alternate"] != false {
			t.Fatal("GET /me does not tell the alternate")
		}
		ev := d.eventData("BZ", "country.alternate_designated")
		if len(ev) != 1 || ev[0]["user_id"] != officer.ID || ev[0]["country"] != "BZ" || ev[0]["previous_user_id"] != nil {
			t.Fatalf("country.alternate_designated = %v", ev)
		}
		// Designating the same alternate again records nothing.
		before := d.snapshot(cid)
		put(d.heads["BZ"], "BZ", map[string]any{"user_id": officer.ID}).want(200)
		d.unchangedSince(before, cid, "designating the alternate again")

		p := d.position(cid, "BZ", officer, map[string]any{"stance": "object", "clause_version": 1, "reason": "Pending consultation with the capital."}).want(200).JSON()
		if p["recorded_by_id"] != officer.ID || p["recorded_as"] != "alternate" || p["clause_status"] != "contested" {
			t.Fatalf("the alternate's position = %v", p)
		}
		// The alternate speaks for Belize only.
		d.position(cid, "CR", officer, agree).wantProblem(403, "auth.forbidden")
		h := d.get("/api/v1/clauses/"+cid+"/positions/history", d.fac).want(200).JSON()["items"].([]any)
		if first := h[0].(map[string]any); first["recorded_as"] != "alternate" || first["recorded_by_id"] != officer.ID {
			t.Fatalf("history = %v", first)
		}
		if ev := d.eventData(cid, "position.recorded"); ev[len(ev)-1]["recorded_as"] != "alternate" {
			t.Fatalf("position.recorded = %v", ev[len(ev)-1])
		}
		// The head still speaks for the country.
		d.position(cid, "BZ", d.heads["BZ"], agree).want(200)
	})

	t.Run("revoked, the former alternate is refused", func(t *testing.T) {
		del(d.heads["BZ"], "BZ").want(204)
		if country("BZ")["alternate_id"] != nil || me(officer)["alternate"] != false {
			t.Fatal("the alternate survived its revocation")
		}
		ev := d.eventData("BZ", "country.alternate_revoked")
		if len(ev) != 1 || ev[0]["user_id"] != officer.ID {
			t.Fatalf("country.alternate_revoked = %v", ev)
		}
		before := d.snapshot(cid)
		d.position(cid, "BZ", officer, map[string]any{"stance": "object", "clause_version": 1, "reason": "x"}).wantProblem(403, "auth.forbidden")
		del(d.heads["BZ"], "BZ").want(204) // nothing to revoke: nothing recorded
		d.unchangedSince(before, cid, "a position by a former alternate")
	})

	t.Run("a designation lapses when the account no longer qualifies", func(t *testing.T) {
		put(d.heads["BZ"], "BZ", map[string]any{"user_id": officer.ID}).want(200)
		d.do(req{method: "PATCH", path: "/api/v1/users/" + officer.ID, token: d.admin.Token, body: map[string]any{"country": "CR"}}).want(200)
		if country("BZ")["alternate_id"] != nil {
			t.Fatal("a delegate moved to Costa Rica is still Belize's alternate")
		}
		ev := d.eventData("BZ", "country.alternate_revoked")
		if len(ev) != 2 || !strings.Contains(ev[1]["reason"].(string), "no longer qualifies") {
			t.Fatalf("country.alternate_revoked = %v", ev)
		}
		// Moved back, the account is not the alternate again by itself.
		d.do(req{method: "PATCH", path: "/api/v1/users/" + officer.ID, token: d.admin.Token, body: map[string]any{"country": "BZ"}}).want(200)
		if country("BZ")["alternate_id"] != nil {
			t.Fatal("the designation came back to life")
		}
		d.position(cid, "BZ", officer, agree).wantProblem(403, "auth.forbidden")
	})
}

// TestParticipantsCannotBeChangedAroundAnObjection is the attack of issue
// 10, item 2: drop the objecting country, lock, add it back, adopt. Adding
// it back contests the agreed clause, and adoption re-checks every clause
// against the participants of that moment.
func TestParticipantsCannotBeChangedAroundAnObjection(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	for _, c := range countries8[1:] {
		d.position(cid, c, d.heads[c], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	}
	d.position(cid, "BZ", d.heads["BZ"], map[string]any{"stance": "object", "clause_version": 1, "reason": "Not acceptable to Belize."}).want(200)
	participants := func(codes []string) {
		t.Helper()
		d.do(req{method: "PATCH", path: "/api/v1/guidelines/" + d.gid, token: d.fac.Token, body: map[string]any{"participants": codes}}).want(200)
	}

	participants(countries8[1:]) // Belize dropped: its objection no longer counts
	if s := d.status(cid); s != "consensus" {
		t.Fatalf("without Belize: %s", s)
	}
	d.post("/api/v1/clauses/"+cid+"/lock", d.fac, nil).want(200)
	d.post("/api/v1/guidelines/"+d.gid+"/drafts", d.fac, map[string]any{"label": "Without Belize"}).want(201)

	participants(countries8) // Belize back, its objection still current
	if s := d.status(cid); s != "contested" {
		t.Fatalf("Belize back: %s, want contested", s)
	}
	ch := d.eventData(cid, "clause.status_changed")
	last := ch[len(ch)-1]
	if last["from"] != "agreed" || last["to"] != "contested" || !strings.Contains(last["reason"].(string), "BZ objects") ||
		fmt.Sprint(last["countries"]) != "[BZ]" {
		t.Fatalf("status change = %v", last)
	}
	before := d.snapshot(cid)
	p := d.post("/api/v1/guidelines/"+d.gid+"/drafts/1/adopt", d.fac, nil).wantProblem(409, "draft.not_agreed").JSON()
	b := p["data"].(map[string]any)["blocking"].([]any)[0].(map[string]any)
	if b["clause_id"] != cid || b["reason"] != "not_agreed" || fmt.Sprint(b["objecting"]) != "[BZ]" {
		t.Fatalf("blocking = %v", b)
	}
	d.unchangedSince(before, cid, "a refused adoption")
	d.get("/api/v1/guidelines/"+d.gid+"/approved", d.fac).wantProblem(404, "approved.not_found")

	t.Run("adoption does not trust a stored status", func(t *testing.T) {
		// A clause agreed against a current objection (as the attack left
		// clauses before this rule) is refused at adoption all the same.
		if err := d.store.DB().Exec("UPDATE clauses SET status = 'agreed' WHERE id = ?", cid).Error; err != nil {
			t.Fatal(err)
		}
		before := d.snapshot(cid)
		p := d.post("/api/v1/guidelines/"+d.gid+"/drafts/1/adopt", d.fac, nil).wantProblem(409, "draft.not_agreed").JSON()
		b := p["data"].(map[string]any)["blocking"].([]any)[0].(map[string]any)
		if b["reason"] != "objection" || fmt.Sprint(b["objecting"]) != "[BZ]" || !strings.Contains(p["detail"].(string), b["number"].(string)) {
			t.Fatalf("refusal = %v", p)
		}
		d.unchangedSince(before, cid, "a refused adoption")
	})
}

// TestNewParticipantReopensAgreedClauses: a country added to the consensus
// body reopens every agreed clause it has no current position on, ends a
// silence procedure it could not be heard in, and is needed for adoption.
func TestNewParticipantReopensAgreedClauses(t *testing.T) {
	d := newDelib(t)
	heard := d.mustAgreedClause() // all eight agreed, El Salvador included
	seven := countries8[:7]       // without SV
	d.do(req{method: "PATCH", path: "/api/v1/guidelines/" + d.gid, token: d.fac.Token, body: map[string]any{"participants": seven}}).want(200)
	agreed := d.mustOpenClause()
	for _, c := range seven {
		d.position(agreed, c, d.heads[c], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	}
	d.position(agreed, "SV", d.heads["SV"], map[string]any{"stance": "agree", "clause_version": 1}).wantProblem(422, "position.not_participant")
	d.post("/api/v1/clauses/"+agreed+"/lock", d.fac, nil).want(200)
	silent := d.mustOpenClause()
	d.post("/api/v1/clauses/"+silent+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(48 * time.Hour)}).want(200)

	d.do(req{method: "PATCH", path: "/api/v1/guidelines/" + d.gid, token: d.fac.Token, body: map[string]any{"participants": countries8}}).want(200)
	if s := d.status(agreed); s != "open" {
		t.Fatalf("agreed clause after El Salvador joined: %s, want open", s)
	}
	ch := d.eventData(agreed, "clause.status_changed")
	if last := ch[len(ch)-1]; last["from"] != "agreed" || !strings.Contains(last["reason"].(string), "SV has no position") || fmt.Sprint(last["countries"]) != "[SV]" {
		t.Fatalf("status change = %v", last)
	}
	if c := d.clause(silent); c["status"] != "open" || c["silence_deadline"] != nil {
		t.Fatalf("silence after El Salvador joined: %v", c)
	}
	if s := d.status(heard); s != "agreed" {
		t.Fatalf("a clause El Salvador agreed to before it left: %s, want agreed", s)
	}
	d.position(agreed, "SV", d.heads["SV"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	if s := d.status(agreed); s != "consensus" {
		t.Fatalf("after El Salvador agreed: %s", s)
	}
}

// TestAdoptionAfterSilence: positions deemed by a silence procedure that
// ended count at adoption.
func TestAdoptionAfterSilence(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	d.position(cid, "BZ", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(testMinSilence)}).want(200)
	d.advance(testMinSilence)
	if _, err := d.svc.SweepSilence(t.Context(), d.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if s := d.status(cid); s != "agreed" {
		t.Fatalf("after the deadline: %s", s)
	}
	d.post("/api/v1/guidelines/"+d.gid+"/drafts", d.fac, map[string]any{"label": "Final"}).want(201)
	d.post("/api/v1/guidelines/"+d.gid+"/drafts/1/adopt", d.fac, nil).want(201)
}

// TestMinimumSilence: a silence procedure lasts at least the server's
// minimum, 24 h unless configured; shorter deadlines are refused, naming the
// minimum, and change nothing.
func TestMinimumSilence(t *testing.T) {
	t.Run("the default refuses an hour", func(t *testing.T) {
		d := newDelib(t, func(c *service.Config) { c.MinSilence = 0 }) // the deployment default
		cid := d.mustOpenClause()
		before := d.snapshot(cid)
		r := d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(time.Hour)}).
			wantProblem(422, "silence.deadline_too_soon")
		checkFieldErrors(t, r, "deadline")
		p := r.JSON()
		if !strings.Contains(p["detail"].(string), "24h") || p["data"].(map[string]any)["min_silence"] != "24h" {
			t.Fatalf("the refusal does not name the minimum: %v", p)
		}
		d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(24*time.Hour - time.Second)}).
			wantProblem(422, "silence.deadline_too_soon")
		d.unchangedSince(before, cid, "a refused silence procedure")
		d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(24 * time.Hour)}).want(200)
	})
	t.Run("a configured minimum", func(t *testing.T) {
		d := newDelib(t) // testMinSilence: an hour
		cid := d.mustOpenClause()
		before := d.snapshot(cid)
		r := d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(59 * time.Minute)}).
			wantProblem(422, "silence.deadline_too_soon")
		if !strings.Contains(r.JSON()["detail"].(string), "1h") {
			t.Fatalf("detail = %v", r.JSON()["detail"])
		}
		d.unchangedSince(before, cid, "a refused silence procedure")
		d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(time.Hour)}).want(200)
	})
}

// TestParticipantsChangeRacesPositions changes the participants while the
// heads record positions: every request either succeeds or is a 409 to
// retry (never a 500, never a deadlock), and afterwards every clause's
// status is what its positions and the final participants say.
func TestParticipantsChangeRacesPositions(t *testing.T) {
	d := newDelib(t)
	clauses := []string{d.mustOpenClause(), d.mustOpenClause()}
	var wg sync.WaitGroup
	codes := make(chan string, 64)
	for round := 0; round < 3; round++ {
		for _, c := range countries8 {
			for _, cid := range clauses {
				wg.Add(1)
				go func(c, cid string) {
					defer wg.Done()
					stance := map[string]any{"stance": "agree", "clause_version": 1}
					if c == "SV" {
						stance = map[string]any{"stance": "object", "clause_version": 1, "reason": "El Salvador objects."}
					}
					r := d.position(cid, c, d.heads[c], stance)
					if r.Code != 200 && r.Code != 409 && r.Code != 422 {
						codes <- fmt.Sprintf("position %s: %d %s", c, r.Code, r.Body.String())
					}
				}(c, cid)
			}
		}
		for _, parts := range [][]string{countries8[:7], countries8} {
			wg.Add(1)
			go func(parts []string) {
				defer wg.Done()
				r := d.do(req{method: "PATCH", path: "/api/v1/guidelines/" + d.gid, token: d.fac.Token, body: map[string]any{"participants": parts}})
				if r.Code != 200 && r.Code != 409 {
					codes <- fmt.Sprintf("participants: %d %s", r.Code, r.Body.String())
				}
			}(parts)
		}
		wg.Wait()
	}
	close(codes)
	for c := range codes {
		t.Error(c)
	}
	m := d.get("/api/v1/guidelines/"+d.gid+"/consensus", d.fac).want(200).JSON()
	for _, it := range m["clauses"].([]any) {
		row := it.(map[string]any)
		want := "consensus"
		for _, cell := range row["positions"].(map[string]any) {
			switch cell {
			case "object":
				want = "contested"
			case "pending", "stale":
				if want != "contested" {
					want = "open"
				}
			}
		}
		if row["status"] != want {
			t.Errorf("clause %v: status %v, but its positions say %s: %v", row["number"], row["status"], want, row["positions"])
		}
	}
}

// TestRemovedParticipantLeavesNoFootnote: a country taken off the
// participants no longer counts, and neither does what it said: its
// reservation and its agreement ad referendum are in no draft rendering and
// not in the adopted text, while those of a country still taking part are.
func TestRemovedParticipantLeavesNoFootnote(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	for _, c := range countries8 {
		body := map[string]any{"stance": "agree", "clause_version": 1}
		switch c {
		case "CR", "GT":
			body = map[string]any{"stance": "agree_with_reservation", "clause_version": 1, "reservation": c + " reserves on this clause."}
		case "MX":
			body["ad_referendum"], body["confirm_by"] = true, d.clock.Now().Add(72*time.Hour).UTC().Truncate(time.Second)
		}
		d.position(cid, c, d.heads[c], body).want(200)
	}
	var staying []string
	for _, c := range countries8 {
		if c != "CR" && c != "MX" {
			staying = append(staying, c)
		}
	}
	d.do(req{method: "PATCH", path: "/api/v1/guidelines/" + d.gid, token: d.fac.Token, body: map[string]any{"participants": staying}}).want(200)
	d.post("/api/v1/clauses/"+cid+"/lock", d.fac, nil).want(200) // MX's pending confirmation no longer holds it
	d.post("/api/v1/guidelines/"+d.gid+"/drafts", d.fac, map[string]any{"label": "Without Costa Rica and Mexico"}).want(201)

	footnotes := func(what, body string) {
		t.Helper()
		if !strings.Contains(body, "GT reserves on this clause.") {
			t.Fatalf("%s lacks Guatemala's reservation:\n%s", what, body)
		}
		if strings.Contains(body, "CR reserves") || strings.Contains(body, "ad referendum by MX") || strings.Contains(body, `"MX"`) {
			t.Fatalf("%s still carries what Costa Rica or Mexico said:\n%s", what, body)
		}
	}
	draft := "/api/v1/guidelines/" + d.gid + "/drafts/1"
	footnotes("the draft", d.get(draft, d.delegate).want(200).Body.String())
	footnotes("the draft in Markdown", d.get(draft+"?format=markdown", d.delegate).want(200).Body.String())
	d.post(draft+"/adopt", d.fac, nil).want(201)
	approved := d.get("/api/v1/guidelines/"+d.gid+"/approved", d.fac).want(200)
	footnotes("the approved text", approved.Body.String())
	var a struct {
		Reservations []struct{ Country, Text string } `json:"reservations"`
	}
	approved.Decode(&a)
	if len(a.Reservations) != 1 || a.Reservations[0].Country != "GT" {
		t.Fatalf("approved reservations = %+v, want Guatemala's only", a.Reservations)
	}
}

// TestOneHeadPerCountry: a country has one head of delegation. An admin
// cannot create a second head, or make another account head, beside the
// country's own and record the country's positions through it (409
// user.head_exists, nothing changed); a handover — the head steps down,
// another is appointed — and a password an admin sets for the head are
// recorded in the country's guidelines, where every delegation sees them.
func TestOneHeadPerCountry(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	d.position(cid, "GT", d.heads["GT"], map[string]any{"stance": "object", "clause_version": 1, "reason": "Guatemala objects."}).want(200)
	gtDelegate := d.mustUser(d.admin, "delegate", "GT", false)
	users := func() int {
		t.Helper()
		return len(d.get("/api/v1/users?limit=200", d.admin).want(200).JSON()["items"].([]any))
	}
	head := func(a account) any {
		t.Helper()
		return d.get("/api/v1/users/"+a.ID, d.admin).want(200).JSON()["head_of_delegation"]
	}
	headEvents := func() []map[string]any {
		t.Helper()
		return d.eventData("GT", "country.head_changed")
	}
	patch := func(a account, body map[string]any) *resp {
		t.Helper()
		return d.do(req{method: "PATCH", path: "/api/v1/users/" + a.ID, token: d.admin.Token, body: body})
	}

	t.Run("no second head", func(t *testing.T) {
		before, events, n := d.snapshot(cid), len(d.events("GT")), users()
		p := d.post("/api/v1/users", d.admin, map[string]any{"email": "second.gt@example.org", "name": "Second head",
			"password": "a long enough password", "role": "delegate", "country": "GT", "head_of_delegation": true}).
			wantProblem(409, "user.head_exists").JSON()
		if data := p["data"].(map[string]any); data["country"] != "GT" || data["head_id"] != d.heads["GT"].ID {
			t.Fatalf("refusal data = %v", data)
		}
		patch(gtDelegate, map[string]any{"head_of_delegation": true}).wantProblem(409, "user.head_exists")
		if users() != n || head(gtDelegate) != false || len(d.events("GT")) != events {
			t.Fatal("a refused head changed the accounts or the log")
		}
		d.position(cid, "GT", gtDelegate, map[string]any{"stance": "agree", "clause_version": 1}).wantProblem(403, "auth.forbidden")
		d.unchangedSince(before, cid, "refused heads")
		if d.status(cid) != "contested" {
			t.Fatal("Guatemala's objection no longer stands")
		}
	})

	designate := func(head, alternate account) {
		t.Helper()
		d.do(req{method: "PUT", path: "/api/v1/countries/GT/alternate", token: head.Token, body: map[string]any{"user_id": alternate.ID}}).want(200)
	}
	alternateOfGT := func() any {
		t.Helper()
		for _, it := range d.get("/api/v1/countries", d.fac).want(200).JSON()["items"].([]any) {
			if c := it.(map[string]any); c["code"] == "GT" {
				return c["alternate_id"]
			}
		}
		t.Fatal("no GT in /countries")
		return nil
	}
	gtOfficer := d.mustUser(d.admin, "delegate", "GT", false)

	t.Run("a handover is on record", func(t *testing.T) {
		designate(d.heads["GT"], gtOfficer)
		patch(d.heads["GT"], map[string]any{"head_of_delegation": false}).want(200)
		// The former head's alternate was that head's designation: it
		// lapses with the head, and does not pass to the next one.
		if alternateOfGT() != nil {
			t.Fatal("the alternate outlived the head who designated it")
		}
		if rev := d.eventData("GT", "country.alternate_revoked"); len(rev) != 1 || rev[0]["user_id"] != gtOfficer.ID ||
			!strings.Contains(rev[0]["reason"].(string), "no longer head") {
			t.Fatalf("alternate_revoked = %v", rev)
		}
		d.position(cid, "GT", gtOfficer, map[string]any{"stance": "agree", "clause_version": 1}).wantProblem(403, "auth.forbidden")
		// A request authenticated before the handover, still on its way:
		// the account is read in the position's transaction, not trusted
		// from the request's start.
		stale := auth.Principal{ID: d.heads["GT"].ID, Role: drafting.RoleDelegate, Country: "GT", HeadOfDelegation: true}
		if _, err := d.svc.SetPosition(t.Context(), stale, cid, "GT", drafting.PositionInput{Stance: drafting.StanceAgree, ClauseVersion: 1}); !drafting.IsKind(err, drafting.KindForbidden) {
			t.Fatalf("the former head's request in flight: %v, want forbidden", err)
		}
		if _, err := d.svc.DesignateAlternate(t.Context(), stale, "GT", gtOfficer.ID); !drafting.IsKind(err, drafting.KindForbidden) {
			t.Fatalf("the former head's designation in flight: %v, want forbidden", err)
		}
		patch(gtDelegate, map[string]any{"head_of_delegation": true}).want(200)
		evs := headEvents()
		if len(evs) != 2 || evs[0]["change"] != "removed" || evs[0]["user_id"] != d.heads["GT"].ID ||
			evs[1]["change"] != "appointed" || evs[1]["user_id"] != gtDelegate.ID || evs[1]["country"] != "GT" {
			t.Fatalf("head events = %v", evs)
		}
		// Every delegation sees it, with the admin as the actor.
		for _, it := range d.get("/api/v1/guidelines/"+d.gid+"/events?limit=200", d.delegate).want(200).JSON()["items"].([]any) {
			if ev := it.(map[string]any); ev["type"] == "country.head_changed" && ev["actor_id"] != d.admin.ID {
				t.Fatalf("head event by %v, want the admin", ev["actor_id"])
			}
		}
		d.position(cid, "GT", d.heads["GT"], map[string]any{"stance": "agree", "clause_version": 1}).wantProblem(403, "auth.forbidden")
		r := d.position(cid, "GT", gtDelegate, map[string]any{"stance": "abstain", "clause_version": 1}).want(200).JSON()
		if r["recorded_as"] != "head_of_delegation" {
			t.Fatalf("the new head's position = %v", r)
		}
	})

	t.Run("a disabled head comes back only as the only head", func(t *testing.T) {
		patch(gtDelegate, map[string]any{"active": false}).want(200)
		patch(d.heads["GT"], map[string]any{"head_of_delegation": true}).want(200)
		patch(gtDelegate, map[string]any{"active": true}).wantProblem(409, "user.head_exists")
		evs := headEvents()
		if len(evs) != 4 || evs[2]["change"] != "removed" || evs[2]["user_id"] != gtDelegate.ID ||
			evs[3]["change"] != "appointed" || evs[3]["user_id"] != d.heads["GT"].ID {
			t.Fatalf("head events = %v", evs)
		}
	})

	t.Run("a password set for the head is on record", func(t *testing.T) {
		// An alternate whose password an admin sets is no longer known to
		// be whom the head designated: the designation lapses.
		designate(d.heads["GT"], gtOfficer)
		patch(gtOfficer, map[string]any{"password": "an admin's long enough password"}).want(200)
		if alternateOfGT() != nil {
			t.Fatal("the alternate kept speaking after an admin set its password")
		}
		if rev := d.eventData("GT", "country.alternate_revoked"); len(rev) != 2 || !strings.Contains(rev[1]["reason"].(string), "password") {
			t.Fatalf("alternate_revoked = %v", rev)
		}
		patch(d.heads["GT"], map[string]any{"password": "another long enough password"}).want(200)
		patch(d.heads["BZ"], map[string]any{"name": "Belize's head, renamed"}).want(200) // not a change of head
		evs := headEvents()
		if len(evs) != 5 || evs[4]["change"] != "password_set" || evs[4]["user_id"] != d.heads["GT"].ID {
			t.Fatalf("head events = %v", evs)
		}
		if n := len(d.eventData("BZ", "country.head_changed")); n != 0 {
			t.Fatalf("%d head events for Belize after a new name", n)
		}
	})
}

// TestOneHeadUnderConcurrency: admins appointing heads of one country at
// the same moment, by creation and by promotion, leave exactly one head;
// every other request is 409 user.head_exists naming it (whether the checks
// or the database's index refused it), and creates or changes nothing.
func TestOneHeadUnderConcurrency(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	delegates := make([]account, 3)
	for i := range delegates {
		delegates[i] = e.mustUser(admin, "delegate", "CR", false)
	}
	const creations = 4
	var wg sync.WaitGroup
	results := make(chan *resp, creations+len(delegates))
	for i := range creations {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- e.do(req{method: "POST", path: "/api/v1/users", token: admin.Token, body: map[string]any{
				"email": fmt.Sprintf("head%d.cr@example.org", i), "name": "Head", "password": "a long enough password",
				"role": "delegate", "country": "CR", "head_of_delegation": true}})
		}()
	}
	for _, dl := range delegates {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- e.do(req{method: "PATCH", path: "/api/v1/users/" + dl.ID, token: admin.Token, body: map[string]any{"head_of_delegation": true}})
		}()
	}
	wg.Wait()
	close(results)
	var won []string
	var refused []map[string]any
	created := 0
	for r := range results {
		switch r.Code {
		case 201:
			created++
			won = append(won, r.JSON()["id"].(string))
		case 200:
			won = append(won, r.JSON()["id"].(string))
		default:
			refused = append(refused, r.wantProblem(409, "user.head_exists").JSON())
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d requests made a head of CR, want 1", len(won))
	}
	for _, p := range refused {
		if data := p["data"].(map[string]any); data["country"] != "CR" || data["head_id"] != won[0] {
			t.Fatalf("refusal names %v, want the head %s", data, won[0])
		}
	}
	heads, members := 0, 0
	for _, it := range e.do(req{method: "GET", path: "/api/v1/users?limit=200", token: admin.Token}).want(200).JSON()["items"].([]any) {
		if u := it.(map[string]any); u["country"] == "CR" {
			members++
			if u["head_of_delegation"] == true {
				heads++
			}
		}
	}
	if heads != 1 || members != len(delegates)+created {
		t.Fatalf("%d heads and %d accounts of CR, want 1 and %d: a refused request changed something", heads, members, len(delegates)+created)
	}
}
