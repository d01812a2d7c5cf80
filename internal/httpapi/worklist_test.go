package httpapi_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestWorklist: ?needs_position=CR lists, in document order, the clauses
// open for positions on which Costa Rica has no current position.
func TestWorklist(t *testing.T) {
	d := newDelib(t)
	agree := func(v int) map[string]any { return map[string]any{"stance": "agree", "clause_version": v} }

	draft := d.mustClause()        // takes no positions yet
	pending := d.mustOpenClause()  // CR has said nothing
	answered := d.mustOpenClause() // CR agreed to the current version
	d.position(answered, "CR", d.heads["CR"], agree(1)).want(200)
	stale := d.mustOpenClause() // CR agreed to version 1; the text changed
	d.position(stale, "CR", d.heads["CR"], agree(1)).want(200)
	d.putText(stale, map[string]string{"en": "States shall promptly train consular officials."}, nil).want(200)
	contested := d.mustOpenClause() // Mexico objects; CR has said nothing
	d.position(contested, "MX", d.heads["MX"], map[string]any{"stance": "object", "clause_version": 1, "reason": "Too vague."}).want(200)
	agreed := d.mustAgreedClause()       // locked
	consensus := d.mustConsensusClause() // CR agreed with everyone
	silent := d.mustOpenClause()         // silence procedure, CR silent so far
	d.post("/api/v1/clauses/"+silent+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(72 * time.Hour)}).want(200)
	ending := d.mustOpenClause() // silence procedure ending first
	d.post("/api/v1/clauses/"+ending+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(48 * time.Hour)}).want(200)
	_, _ = draft, agreed

	worklist := func(query string, a account) []string {
		t.Helper()
		return itemIDs(d.get("/api/v1/guidelines/"+d.gid+"/clauses?"+query, a).want(200))
	}
	want := []string{pending, stale, contested, silent, ending}
	if diff := cmp.Diff(want, worklist("needs_position=CR", d.heads["CR"])); diff != "" {
		t.Fatalf("Costa Rica's worklist (-want +got):\n%s", diff)
	}
	// Anyone may read a country's worklist (the positions are public to participants).
	if diff := cmp.Diff(want, worklist("needs_position=CR", d.observer)); diff != "" {
		t.Fatalf("Costa Rica's worklist as the observer (-want +got):\n%s", diff)
	}
	// Mexico objects to the contested clause: an objection is a position.
	if diff := cmp.Diff([]string{pending, answered, stale, silent, ending}, worklist("needs_position=MX", d.heads["MX"])); diff != "" {
		t.Fatalf("Mexico's worklist (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{pending, stale}, worklist("needs_position=CR&section_id="+d.sid+"&status=open", d.fac)); diff != "" {
		t.Fatalf("filters combine (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{silent, ending}, worklist("needs_position=CR&status=silence", d.fac)); diff != "" {
		t.Fatalf("with status=silence (-want +got):\n%s", diff)
	}
	if got := worklist("needs_position=CR&status=agreed", d.fac); len(got) != 0 {
		t.Fatalf("agreed clauses need no position: %v", got)
	}

	// A silence procedure whose deadline passed is over, even before the sweep concludes it.
	d.advance(48 * time.Hour)
	if diff := cmp.Diff([]string{pending, stale, contested, silent}, worklist("needs_position=CR", d.heads["CR"])); diff != "" {
		t.Fatalf("after the first deadline (-want +got):\n%s", diff)
	}
	// Recording the position takes the clause off the list.
	d.position(pending, "CR", d.heads["CR"], agree(1)).want(200)
	if diff := cmp.Diff([]string{stale, contested, silent}, worklist("needs_position=CR", d.heads["CR"])); diff != "" {
		t.Fatalf("after answering (-want +got):\n%s", diff)
	}

	t.Run("status filters", func(t *testing.T) {
		if diff := cmp.Diff([]string{contested}, worklist("status=contested", d.delegate)); diff != "" {
			t.Fatalf("status=contested (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{draft}, worklist("status=draft", d.delegate)); diff != "" {
			t.Fatalf("status=draft (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{agreed}, worklist("status=agreed", d.delegate)); diff != "" {
			t.Fatalf("status=agreed (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{consensus}, worklist("status=consensus", d.delegate)); diff != "" {
			t.Fatalf("status=consensus (-want +got):\n%s", diff)
		}
	})

	t.Run("invalid filters", func(t *testing.T) {
		for q, field := range map[string]string{
			"status=pending":                   "status",
			"needs_position=cr":                "needs_position",
			"needs_position=CRI":               "needs_position",
			"needs_position=ZZ":                "needs_position",
			"needs_position=CR&status=pending": "status",
		} {
			r := d.get("/api/v1/guidelines/"+d.gid+"/clauses?"+q, d.heads["CR"]).wantProblem(422, "clause.invalid_filter")
			if errs := r.JSON()["errors"].([]any); errs[0].(map[string]any)["field"] != field {
				t.Fatalf("%s: %v", q, errs)
			}
		}
		// A known country that does not take part.
		g := d.post("/api/v1/guidelines", d.fac, map[string]any{"title": titled("Anexo bilateral", "es"), "languages": []string{"es"},
			"participants": []string{"CR", "PA"}}).want(201).JSON()["id"].(string)
		d.get("/api/v1/guidelines/"+g+"/clauses?needs_position=MX", d.heads["MX"]).wantProblem(422, "clause.invalid_filter")
		d.get("/api/v1/guidelines/"+g+"/clauses?needs_position=PA", d.heads["MX"]).want(200)
		d.do(req{method: "GET", path: "/api/v1/guidelines/" + d.gid + "/clauses?needs_position=CR", token: d.integration}).wantProblem(403, "auth.forbidden")
	})
}

// TestCommentFilters: parent_id, author=me and replies_to=me, on a clause
// and across a guideline.
func TestCommentFilters(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	other := d.mustOpenClause()
	say := func(cid string, a account, parent string) string {
		t.Helper()
		body := map[string]any{"body": "A remark."}
		if parent != "" {
			body["parent_id"] = parent
		}
		// Distinct times keep the oldest-first order independent of ids.
		d.clock.Advance(time.Second)
		return d.comment(cid, a, body).want(201).JSON()["id"].(string)
	}
	bzHead, bzDelegate := d.heads["BZ"], d.delegate
	a := say(cid, bzHead, "")          // Belize's head
	r1 := say(cid, d.heads["CR"], a)   // Costa Rica answers Belize
	r2 := say(cid, bzDelegate, a)      // Belize's delegate adds to it
	o := say(cid, d.observer, "")      // the secretariat
	r3 := say(cid, d.heads["CR"], o)   // Costa Rica answers the secretariat
	f := say(cid, d.fac, "")           // the facilitator
	r4 := say(cid, d.heads["GT"], f)   // Guatemala answers the facilitator
	b := say(other, bzDelegate, "")    // Belize's delegate, on another clause
	r5 := say(other, d.heads["MX"], b) // Mexico answers Belize there
	d.advance(time.Minute)             // fresh tokens for every account
	bzHead, bzDelegate = d.heads["BZ"], d.delegate

	list := func(path string, as account) []string {
		t.Helper()
		return itemIDs(d.get(path, as).want(200))
	}
	clause, guideline := "/api/v1/clauses/"+cid+"/comments?", "/api/v1/guidelines/"+d.gid+"/comments?"
	for _, tc := range []struct {
		name string
		path string
		as   account
		want []string
	}{
		{"replies to one comment", clause + "parent_id=" + a, d.fac, []string{r1, r2}},
		{"replies to one comment, across the guideline", guideline + "parent_id=" + b, d.fac, []string{r5}},
		{"no replies", clause + "parent_id=" + r5, d.fac, nil},
		{"my comments", clause + "author=me", bzDelegate, []string{r2}},
		{"my comments, across the guideline", guideline + "author=me", bzDelegate, []string{r2, b}},
		{"replies to my country (a head)", clause + "replies_to=me", bzHead, []string{r1, r2}},
		{"replies to my country, leaving out mine", clause + "replies_to=me", bzDelegate, []string{r1}},
		{"replies to my country, across the guideline", guideline + "replies_to=me", bzHead, []string{r1, r2, r5}},
		{"replies to an observer's own comments", guideline + "replies_to=me", d.observer, []string{r3}},
		{"replies to a facilitator's own comments", guideline + "replies_to=me", d.fac, []string{r4}},
		{"filters combine", guideline + "replies_to=me&country=MX", bzHead, []string{r5}},
		{"nobody has answered Guatemala", guideline + "replies_to=me", d.heads["GT"], nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, list(tc.path, tc.as)); diff != "" {
				t.Fatalf("%s (-want +got):\n%s", tc.path, diff)
			}
		})
	}

	t.Run("invalid values", func(t *testing.T) {
		for q, field := range map[string]string{"author=" + bzHead.ID: "author", "replies_to=BZ": "replies_to", "author=ME": "author"} {
			for _, path := range []string{clause, guideline} {
				r := d.get(path+q, bzHead).wantProblem(422, "comment.invalid_filter")
				if errs := r.JSON()["errors"].([]any); errs[0].(map[string]any)["field"] != field {
					t.Fatalf("%s: %v", q, errs)
				}
			}
		}
	})
}
