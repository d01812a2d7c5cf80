package httpapi_test

import (
	"fmt"
	"sort"
	"testing"
)

// TestCommentsFollowTheText: a comment that quotes the clause is
// re-anchored on each new version — carried, moved, changed (with the new
// excerpt) or orphaned — lists filter by anchor state, and the clause page
// shows the words each comment is about today.
func TestCommentsFollowTheText(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	d.putText(cid, map[string]string{
		"en": "States shall train consular officials to identify victims of trafficking without delay, and report yearly.",
		"es": "Los Estados capacitarán a los funcionarios consulares para identificar a las víctimas de trata sin demora."}, nil).want(200)
	quote := func(a account, q string) string {
		t.Helper()
		return d.comment(cid, a, map[string]any{"body": "On “" + q + "”.", "quote": q}).want(201).JSON()["id"].(string)
	}
	carried := quote(d.heads["MX"], "identify victims")
	moved := quote(d.heads["CR"], "report yearly")
	changed := quote(d.heads["GT"], "identify victims of trafficking")
	orphaned := quote(d.heads["NI"], "without delay")
	spanish := quote(d.heads["HN"], "funcionarios consulares")
	plain := d.comment(cid, d.heads["PA"], map[string]any{"body": "No quote."}).want(201).JSON()["id"].(string)

	c := d.get("/api/v1/comments/"+carried, d.fac).want(200).JSON()
	if a := c["anchor"].(map[string]any); a["state"] != "carried" || a["version"] != 2.0 || a["lang"] != "en" || a["excerpt"] != "identify victims" {
		t.Fatalf("anchor at creation = %v", a)
	}
	if c := d.get("/api/v1/comments/"+plain, d.fac).want(200).JSON(); c["anchor"] != nil {
		t.Fatalf("a comment without a quote has an anchor: %v", c["anchor"])
	}

	etag := d.get("/api/v1/comments/"+carried, d.fac).want(200).Header().Get("ETag")
	// checkAnchors checks each comment's anchor: state and excerpt.
	checkAnchors := func(version string, want map[string][2]string) {
		t.Helper()
		for id, w := range want {
			a := d.get("/api/v1/comments/"+id, d.fac).want(200).JSON()["anchor"].(map[string]any)
			if a["state"] != w[0] || a["excerpt"] != w[1] {
				t.Errorf("%s, %s: anchor = %v, want %s %q", version, id, a, w[0], w[1])
			}
		}
	}
	// Version 3: "report yearly" moves to the front, "without delay" goes.
	d.putText(cid, map[string]string{
		"en": "Every year, report yearly. States shall promptly train consular staff to identify victims of trafficking in persons.",
		"es": "Los Estados capacitarán a los funcionarios consulares para identificar a las víctimas de trata."}, nil).want(200)
	checkAnchors("v3", map[string][2]string{
		carried:  {"carried", "identify victims"},
		moved:    {"moved", "report yearly"},
		changed:  {"carried", "identify victims of trafficking"},
		orphaned: {"orphaned", "without delay"},
		spanish:  {"carried", "funcionarios consulares"},
	})
	// Version 4: "identify victims" becomes "identify the victims".
	d.putText(cid, map[string]string{
		"en": "Every year, report yearly. States shall promptly train consular staff to identify the victims of trafficking in persons.",
		"es": "Los Estados capacitarán a los funcionarios consulares para identificar a las víctimas de trata."}, nil).want(200)
	checkAnchors("v4", map[string][2]string{
		carried:  {"changed", "identify the victims"},
		moved:    {"carried", "report yearly"},
		changed:  {"changed", "identify the victims of trafficking"},
		orphaned: {"orphaned", "without delay"},
		spanish:  {"carried", "funcionarios consulares"},
	})
	if a := d.get("/api/v1/comments/"+orphaned, d.fac).want(200).JSON()["anchor"].(map[string]any); a["version"] != 3.0 {
		t.Errorf("an orphaned anchor names the version that lost its words: %v", a)
	}
	if got := d.get("/api/v1/comments/"+carried, d.fac).want(200).Header().Get("ETag"); got != etag {
		t.Errorf("re-anchoring changed the comment's ETag: %s → %s", etag, got)
	}

	for state, ids := range map[string][]string{"orphaned": {orphaned}, "moved": {}, "carried": {spanish, moved}} {
		sort.Strings(ids)
		got := itemIDs(d.get("/api/v1/clauses/"+cid+"/comments?anchor="+state, d.fac).want(200))
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint(ids) {
			t.Errorf("?anchor=%s = %v, want %v", state, got, ids)
		}
		got = itemIDs(d.get("/api/v1/guidelines/"+d.gid+"/comments?anchor="+state, d.fac).want(200))
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint(ids) {
			t.Errorf("guideline ?anchor=%s = %v, want %v", state, got, ids)
		}
	}
	d.get("/api/v1/clauses/"+cid+"/comments?anchor=lost", d.fac).wantProblem(422, "comment.invalid_filter")

	page := d.get("/api/v1/clauses/"+cid+"?include=comments", d.fac).want(200).JSON()
	found := false
	for _, it := range page["comments"].(map[string]any)["items"].([]any) {
		if cm := it.(map[string]any); cm["id"] == carried {
			a := cm["anchor"].(map[string]any)
			found = a["state"] == "changed" && a["excerpt"] == "identify the victims" && a["version"] == 4.0
		}
	}
	if !found {
		t.Fatalf("the clause page does not show the current anchor: %v", page["comments"])
	}
	ev := d.eventData(cid, "clause.text_changed")
	if last := ev[len(ev)-1]["anchors"].(map[string]any); last["changed"] != 2.0 || last["carried"] != 2.0 {
		t.Fatalf("clause.text_changed anchors = %v", last)
	}
}
