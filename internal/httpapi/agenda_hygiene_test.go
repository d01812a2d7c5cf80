package httpapi_test

import (
	"testing"
)

// TestAgendaFreeTextHygiene: the agenda's free-text fields (national
// inputs, sources, actions, progress reports) follow the text rule like
// every other: a NUL, a C1 control or a bidi override is 422
// text.invalid_character naming the field, a required text that shows
// nothing is 422 naming it, and neither changes anything.
func TestAgendaFreeTextHygiene(t *testing.T) {
	h := newHygiene(t)
	d := h.delib
	in := d.post("/api/v1/guidelines/"+d.gid+"/inputs", d.heads["CR"], inputBody("prevention", "advance", "Costa Rica trained consuls.")).want(201).JSON()
	inputETag := func() string { return d.get("/api/v1/inputs/"+in["id"].(string), d.fac).want(200).Header().Get("ETag") }
	plan := d.post("/api/v1/guidelines/"+d.gid+"/sections", d.fac, map[string]any{"title": titled("Plan"), "kind": "plan"}).want(201).JSON()["id"].(string)
	action := func(field, v string) map[string]any {
		b := map[string]any{"section_id": plan, "text": map[string]string{"en": "Train consuls."}, "responsible": []string{"CR"},
			"timeframe": "2013", "indicators": map[string]string{"en": "Consuls trained"}, "means_of_verification": map[string]string{"en": "Records"},
			"clauses": []string{h.cid}}
		switch field {
		case "":
		case "text", "indicators", "means_of_verification":
			b[field] = map[string]string{"en": v}
		default:
			b[field] = v
		}
		return b
	}
	aid := d.post("/api/v1/guidelines/"+d.gid+"/actions", d.fac, action("", "")).want(201).JSON()["clause"].(map[string]any)["id"].(string)
	actionETag := func() string { return d.get("/api/v1/clauses/"+aid, d.fac).want(200).Header().Get("ETag") }
	details := func(field, v string) map[string]any {
		b := action(field, v)
		delete(b, "section_id")
		delete(b, "text")
		return b
	}

	inputs := "/api/v1/guidelines/" + d.gid + "/inputs"
	routes := []textRoute{
		{"input_text", "POST", inputs, tok(d.heads["CR"]), func(v string) map[string]any {
			return map[string]any{"area": "prevention", "kind": "advance", "text": map[string]string{"en": v}}
		}, "text", true, nil},
		{"input_source", "POST", inputs, tok(d.heads["CR"]), func(v string) map[string]any {
			return map[string]any{"area": "prevention", "kind": "advance", "text": map[string]string{"en": "Fine."}, "source": v}
		}, "source", false, nil},
		{"input_edit_text", "PUT", "/api/v1/inputs/" + in["id"].(string), tok(d.heads["CR"]), func(v string) map[string]any {
			return map[string]any{"area": "prevention", "kind": "advance", "text": map[string]string{"es": v}}
		}, "text", true, func() map[string]string { return map[string]string{"If-Match": inputETag()} }},
		{"sources_inputs", "PUT", "/api/v1/clauses/" + h.cid + "/sources", tok(d.fac), func(v string) map[string]any {
			return map[string]any{"inputs": []string{v}}
		}, "inputs[0]", false, nil},
		{"action_text", "POST", "/api/v1/guidelines/" + d.gid + "/actions", tok(d.fac), func(v string) map[string]any { return action("text", v) }, "text", true, nil},
		{"action_timeframe", "POST", "/api/v1/guidelines/" + d.gid + "/actions", tok(d.fac), func(v string) map[string]any { return action("timeframe", v) }, "timeframe", true, nil},
		{"action_indicators", "POST", "/api/v1/guidelines/" + d.gid + "/actions", tok(d.fac), func(v string) map[string]any { return action("indicators", v) }, "indicators", true, nil},
		{"action_verification", "POST", "/api/v1/guidelines/" + d.gid + "/actions", tok(d.fac), func(v string) map[string]any { return action("means_of_verification", v) }, "means_of_verification", true, nil},
		{"action_edit_timeframe", "PUT", "/api/v1/clauses/" + aid + "/action", tok(d.fac), func(v string) map[string]any { return details("timeframe", v) }, "timeframe", true,
			func() map[string]string { return map[string]string{"If-Match": actionETag()} }},
		{"action_edit_note", "PUT", "/api/v1/clauses/" + aid + "/action", tok(d.fac), func(v string) map[string]any {
			b := details("timeframe", "2014")
			b["note"] = v
			return b
		}, "note", false, func() map[string]string { return map[string]string{"If-Match": actionETag()} }},
		{"progress_note", "POST", "/api/v1/clauses/" + aid + "/progress", tok(d.heads["CR"]), func(v string) map[string]any {
			return map[string]any{"status": "in_progress", "date": "2012-09-01", "note": v}
		}, "note", false, nil},
		{"progress_evidence", "POST", "/api/v1/clauses/" + aid + "/progress", tok(d.heads["CR"]), func(v string) map[string]any {
			return map[string]any{"status": "in_progress", "date": "2012-09-01", "evidence_url": "https://example.org/" + v}
		}, "evidence_url", false, nil},
	}
	snapshot := func() string { return h.snapshot() + d.rows(append(agendaTables, planTables...)...) }
	h.refuseBadText(t, routes, snapshot)
}
