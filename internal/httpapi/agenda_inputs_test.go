package httpapi_test

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
)

// rows counts the rows of tables, for "a refusal changed nothing".
func (e *env) rows(tables ...string) string {
	e.t.Helper()
	var b strings.Builder
	for _, table := range tables {
		var n int64
		if err := e.store.DB().Raw("SELECT count(*) FROM " + table).Scan(&n).Error; err != nil {
			e.t.Fatalf("count %s: %v", table, err)
		}
		fmt.Fprintf(&b, "%s=%d ", table, n)
	}
	return b.String()
}

var agendaTables = []string{"national_inputs", "national_input_versions", "clause_sources", "events", "idempotency_keys"}

func (d *delib) unchanged(t *testing.T, before string) {
	t.Helper()
	if after := d.rows(agendaTables...); after != before {
		t.Fatalf("a refused request changed something:\nbefore %s\nafter  %s", before, after)
	}
}

func inputBody(area, kind, en string) map[string]any {
	return map[string]any{"area": area, "kind": kind, "text": map[string]string{"en": en, "es": "(es) " + en},
		"source": "National workshop, 2011"}
}

func (d *delib) mustInput(a account, area, kind, en string) map[string]any {
	d.t.Helper()
	return d.post("/api/v1/guidelines/"+d.gid+"/inputs", a, inputBody(area, kind, en)).want(201).JSON()
}

func ids(items []any) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.(map[string]any)["id"].(string))
	}
	return out
}

// TestNationalInputs: a delegation records and edits its own country's
// workshop outcomes only, versioned; everyone but integrations reads them;
// creation is idempotent; lists page with a cursor.
func TestNationalInputs(t *testing.T) {
	d := newDelib(t)
	inputs := "/api/v1/guidelines/" + d.gid + "/inputs"

	t.Run("a_delegation_records_its_own", func(t *testing.T) {
		r := d.post(inputs, d.heads["HN"], inputBody("prevention", "challenge", "Consulates lack protocols to detect victims.")).want(201)
		in := r.JSON()
		if in["country"] != "HN" || in["version"] != 1.0 || in["kind"] != "challenge" || r.Header().Get("Location") != "/api/v1/inputs/"+in["id"].(string) {
			t.Fatalf("created %v %v", in, r.Header())
		}
		// A delegate who is not head of delegation records for their country too.
		if got := d.mustInput(d.delegate, "protection", "advance", "Belize trained 40 consular officers.")["country"]; got != "BZ" {
			t.Fatalf("delegate's input country = %v", got)
		}
	})

	t.Run("others_are_refused_and_nothing_changes", func(t *testing.T) {
		before := d.rows(agendaTables...)
		body := inputBody("prevention", "advance", "IOM says.")
		d.post(inputs, d.fac, body).wantProblem(403, "input.forbidden")
		d.post(inputs, d.observer, body).wantProblem(403, "input.forbidden")
		d.post(inputs, d.admin, body).wantProblem(403, "input.forbidden")
		d.do(req{method: "POST", path: inputs, token: d.integration, body: body}).wantProblem(403, "")
		d.unchanged(t, before)
	})

	t.Run("invalid_input_is_refused", func(t *testing.T) {
		before := d.rows(agendaTables...)
		d.post(inputs, d.heads["CR"], inputBody("prevention", "wish", "x")).wantProblem(422, "input.invalid")
		d.post(inputs, d.heads["CR"], inputBody("Prevention!", "advance", "x")).wantProblem(422, "")
		d.post(inputs, d.heads["CR"], map[string]any{"area": "prevention", "kind": "advance", "text": map[string]string{"fr": "x"}}).wantProblem(422, "input.invalid")
		d.post(inputs, d.heads["CR"], map[string]any{"area": "prevention", "kind": "advance", "text": map[string]string{}}).wantProblem(422, "input.invalid")
		d.post(inputs, d.heads["CR"], map[string]any{"area": "prevention", "kind": "advance", "text": map[string]string{"en": "x"}, "country": "MX"}).wantProblem(422, "")
		d.unchanged(t, before)
	})

	t.Run("creation_is_idempotent", func(t *testing.T) {
		key := map[string]string{"Idempotency-Key": "gt-input-1"}
		body := inputBody("consular_assistance", "good_practice", "Guatemala's consular referral route.")
		first := d.do(req{method: "POST", path: inputs, token: d.heads["GT"].Token, body: body, header: key}).want(201)
		before := d.rows(agendaTables...)
		again := d.do(req{method: "POST", path: inputs, token: d.heads["GT"].Token, body: body, header: key}).want(201)
		if again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay differs: %s / %s", first.Body, again.Body)
		}
		d.do(req{method: "POST", path: inputs, token: d.heads["GT"].Token, body: inputBody("prevention", "advance", "Other."), header: key}).
			wantProblem(422, "idempotency.key_reused")
		d.unchanged(t, before)
	})

	t.Run("edits_add_versions_for_the_own_country_only", func(t *testing.T) {
		in := d.mustInput(d.heads["SV"], "protection", "challenge", "Shelters abroad are scarce.")
		path := "/api/v1/inputs/" + in["id"].(string)
		etag := d.get(path, d.observer).want(200).Header().Get("ETag")
		if etag != in["etag"] {
			t.Fatalf("ETag %s, etag field %v", etag, in["etag"])
		}
		d.do(req{method: "GET", path: path, token: d.observer.Token, header: map[string]string{"If-None-Match": etag}}).want(304)
		edit := inputBody("protection", "challenge", "Shelters abroad are scarce and far from consulates.")
		before := d.rows(agendaTables...)
		for _, a := range []account{d.heads["MX"], d.fac, d.observer, d.delegate} {
			d.do(req{method: "PUT", path: path, token: a.Token, body: edit, header: map[string]string{"If-Match": etag}}).wantProblem(403, "input.forbidden")
		}
		d.do(req{method: "PUT", path: path, token: d.heads["SV"].Token, body: edit}).wantProblem(428, "")
		d.do(req{method: "PUT", path: path, token: d.heads["SV"].Token, body: inputBody("protection", "challenge", "Shelters abroad are scarce."),
			header: map[string]string{"If-Match": etag}}).wantProblem(422, "input.unchanged")
		d.unchanged(t, before)

		v2 := d.do(req{method: "PUT", path: path, token: d.heads["SV"].Token, body: edit, header: map[string]string{"If-Match": etag}}).want(200).JSON()
		if v2["version"] != 2.0 || v2["text"].(map[string]any)["en"] != "Shelters abroad are scarce and far from consulates." {
			t.Fatalf("v2 = %v", v2)
		}
		before = d.rows(agendaTables...)
		stale := d.do(req{method: "PUT", path: path, token: d.heads["SV"].Token, body: inputBody("protection", "advance", "x"),
			header: map[string]string{"If-Match": etag}}).wantProblem(412, "input.version_stale").JSON()
		if cur := stale["data"].(map[string]any)["current"].(map[string]any); cur["version"] != 2.0 {
			t.Fatalf("412 current = %v", cur)
		}
		d.unchanged(t, before)
		vs := d.get(path+"/versions", d.heads["CR"]).want(200).JSON()["items"].([]any)
		if len(vs) != 2 || vs[0].(map[string]any)["number"] != 2.0 || vs[1].(map[string]any)["text"].(map[string]any)["en"] != "Shelters abroad are scarce." {
			t.Fatalf("versions = %v", vs)
		}
		page := d.get(path+"/versions?limit=1", d.fac).want(200).JSON()
		next := d.get(path+"/versions?limit=1&cursor="+page["next_cursor"].(string), d.fac).want(200).JSON()
		if next["items"].([]any)[0].(map[string]any)["number"] != 1.0 || next["next_cursor"] != nil {
			t.Fatalf("second page = %v", next)
		}
		if got := d.eventData(in["id"].(string), "input.changed"); len(got) != 1 || got[0]["to_version"] != 2.0 {
			t.Fatalf("input.changed events = %v", got)
		}
	})

	t.Run("everyone_reads_integrations_do_not", func(t *testing.T) {
		all := d.get(inputs, d.observer).want(200).JSON()["items"].([]any)
		if len(all) != 4 {
			t.Fatalf("%d inputs, want 4", len(all))
		}
		d.get(inputs, d.fac).want(200)
		d.get(inputs, d.heads["PA"]).want(200)
		d.do(req{method: "GET", path: inputs, token: d.integration}).wantProblem(403, "")
		d.do(req{method: "GET", path: "/api/v1/inputs/" + all[0].(map[string]any)["id"].(string), token: d.integration}).wantProblem(403, "")
		d.do(req{method: "GET", path: "/api/v1/guidelines/" + d.gid + "/synthesis", token: d.integration}).wantProblem(403, "")
		d.get("/api/v1/inputs/00000000-0000-4000-8000-000000000000", d.fac).wantProblem(404, "input.not_found")
	})

	t.Run("lists_page_and_filter", func(t *testing.T) {
		var seen []string
		cursor := ""
		for {
			q := url.Values{"limit": {"3"}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			page := d.get(inputs+"?"+q.Encode(), d.fac).want(200).JSON()
			seen = append(seen, ids(page["items"].([]any))...)
			if page["next_cursor"] == nil {
				break
			}
			cursor = page["next_cursor"].(string)
		}
		all := ids(d.get(inputs+"?limit=200", d.fac).want(200).JSON()["items"].([]any))
		if strings.Join(seen, ",") != strings.Join(all, ",") || len(all) != 4 {
			t.Fatalf("paged %v, whole %v", seen, all)
		}
		if got := d.get(inputs+"?country=HN", d.fac).want(200).JSON()["items"].([]any); len(got) != 1 {
			t.Fatalf("HN inputs = %v", got)
		}
		if got := d.get(inputs+"?kind=challenge", d.fac).want(200).JSON()["items"].([]any); len(got) != 2 {
			t.Fatalf("challenges = %v", got)
		}
		if got := d.get(inputs+"?area=protection&kind=advance", d.fac).want(200).JSON()["items"].([]any); len(got) != 1 {
			t.Fatalf("protection advances = %v", got)
		}
		d.get(inputs+"?kind=wish", d.fac).wantProblem(422, "input.invalid_filter")
		d.get(inputs+"?unaddressed=maybe", d.fac).wantProblem(422, "request.invalid_parameter")
		d.get(inputs+"?cursor=abc", d.fac).wantProblem(422, "page.invalid_cursor")
	})

	t.Run("the_regional_synthesis_groups_by_area_and_kind", func(t *testing.T) {
		d.mustInput(d.heads["GT"], "prevention", "challenge", "No shared case register.")
		s := d.get("/api/v1/guidelines/"+d.gid+"/synthesis", d.fac).want(200).JSON()
		var got []string
		for _, g := range s["groups"].([]any) {
			g := g.(map[string]any)
			var cs []string
			for _, c := range g["countries"].([]any) {
				cs = append(cs, c.(string))
			}
			got = append(got, fmt.Sprintf("%s/%s:%s", g["area"], g["kind"], strings.Join(cs, "+")))
		}
		want := []string{"prevention/challenge:GT+HN", "protection/advance:BZ", "protection/challenge:SV", "consular_assistance/good_practice:GT"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("synthesis = %v, want %v", got, want)
		}
		one := d.get("/api/v1/guidelines/"+d.gid+"/synthesis?area=protection", d.observer).want(200).JSON()["groups"].([]any)
		if len(one) != 2 {
			t.Fatalf("protection synthesis = %v", one)
		}
	})

	t.Run("concurrent_edits_without_if_match_all_land", func(t *testing.T) {
		in := d.mustInput(d.heads["NI"], "protection", "advance", "A shelter network.")
		path := "/api/v1/inputs/" + in["id"].(string)
		var wg sync.WaitGroup
		codes := make(chan int, 6)
		for i := 0; i < 6; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				codes <- d.do(req{method: "PUT", path: path, token: d.heads["NI"].Token, header: map[string]string{"If-Match": "*"},
					body: inputBody("protection", "advance", fmt.Sprintf("A shelter network, edit %d.", i))}).Code
			}(i)
		}
		wg.Wait()
		close(codes)
		for c := range codes {
			if c != 200 {
				t.Fatalf("a concurrent edit answered %d", c)
			}
		}
		if v := d.get(path, d.fac).want(200).JSON()["version"]; v != 7.0 {
			t.Fatalf("version %v after 6 edits, want 7", v)
		}
	})
}

// TestClauseSources: the facilitator records which national inputs a
// clause answers; the API says which challenges no clause addresses yet
// and which countries' inputs a clause draws on; the clause itself is
// untouched.
func TestClauseSources(t *testing.T) {
	d := newDelib(t)
	hn := d.mustInput(d.heads["HN"], "prevention", "challenge", "Consulates lack protocols to detect victims.")["id"].(string)
	gt := d.mustInput(d.heads["GT"], "prevention", "challenge", "No shared case register.")["id"].(string)
	mx := d.mustInput(d.heads["MX"], "protection", "challenge", "Victims are returned without a risk assessment.")["id"].(string)
	cr := d.mustInput(d.heads["CR"], "protection", "advance", "Costa Rica adopted a consular protocol.")["id"].(string)
	cid := d.mustOpenClause()
	d.position(cid, "BZ", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	clauseBefore := d.get("/api/v1/clauses/"+cid, d.fac).want(200)
	sources := "/api/v1/clauses/" + cid + "/sources"

	t.Run("only_the_facilitator_sets_sources", func(t *testing.T) {
		before := d.rows(agendaTables...)
		for _, a := range []account{d.heads["HN"], d.delegate, d.observer} {
			d.do(req{method: "PUT", path: sources, token: a.Token, body: map[string]any{"inputs": []string{hn}}}).wantProblem(403, "auth.forbidden")
		}
		d.do(req{method: "PUT", path: sources, token: d.integration, body: map[string]any{"inputs": []string{hn}}}).wantProblem(403, "")
		d.do(req{method: "PUT", path: sources, token: d.fac.Token, body: map[string]any{"inputs": []string{hn, "00000000-0000-4000-8000-000000000000"}}}).
			wantProblem(422, "clause.invalid_sources")
		d.do(req{method: "PUT", path: sources, token: d.fac.Token, body: map[string]any{"inputs": []string{"not-an-id"}}}).wantProblem(422, "clause.invalid_sources")
		d.do(req{method: "PUT", path: sources, token: d.fac.Token, body: map[string]any{}}).wantProblem(422, "clause.invalid_sources")
		d.unchanged(t, before)
	})

	t.Run("sources_name_the_countries_and_leave_the_clause_alone", func(t *testing.T) {
		got := d.do(req{method: "PUT", path: sources, token: d.fac.Token, body: map[string]any{"inputs": []string{hn, gt, hn}}}).want(200).JSON()
		if fmt.Sprint(got["countries"]) != "[GT HN]" || len(got["inputs"].([]any)) != 2 {
			t.Fatalf("sources = %v", got)
		}
		after := d.get("/api/v1/clauses/"+cid, d.fac).want(200)
		if after.Header().Get("ETag") != clauseBefore.Header().Get("ETag") || after.JSON()["status"] != "open" {
			t.Fatalf("setting sources changed the clause: %v → %v", clauseBefore.Header().Get("ETag"), after.Header().Get("ETag"))
		}
		if p := d.positions(cid)["BZ"]; p["stance"] != "agree" || p["current"] != true {
			t.Fatalf("BZ's position after sources = %v", p)
		}
		read := d.get(sources, d.heads["PA"]).want(200).JSON()
		if fmt.Sprint(read["countries"]) != "[GT HN]" {
			t.Fatalf("GET sources = %v", read)
		}
		// The same set again records nothing.
		before := d.rows(agendaTables...)
		d.do(req{method: "PUT", path: sources, token: d.fac.Token, body: map[string]any{"inputs": []string{gt, hn}}}).want(200)
		d.unchanged(t, before)
		if evs := d.eventData(cid, "clause.sources_changed"); len(evs) != 1 || evs[0]["clause_id"] != cid {
			t.Fatalf("clause.sources_changed events = %v", evs)
		}
	})

	t.Run("challenges_no_clause_addresses_yet", func(t *testing.T) {
		got := ids(d.get("/api/v1/guidelines/"+d.gid+"/inputs?kind=challenge&unaddressed=true", d.observer).want(200).JSON()["items"].([]any))
		if fmt.Sprint(got) != fmt.Sprint([]string{mx}) {
			t.Fatalf("unaddressed challenges = %v, want [%s]", got, mx)
		}
		all := ids(d.get("/api/v1/guidelines/"+d.gid+"/inputs?unaddressed=true", d.observer).want(200).JSON()["items"].([]any))
		sort.Strings(all)
		want := []string{mx, cr}
		sort.Strings(want)
		if fmt.Sprint(all) != fmt.Sprint(want) {
			t.Fatalf("unaddressed = %v, want %v", all, want)
		}
		s := d.get("/api/v1/guidelines/"+d.gid+"/synthesis?area=prevention", d.fac).want(200).JSON()
		for _, in := range s["groups"].([]any)[0].(map[string]any)["inputs"].([]any) {
			if fmt.Sprint(in.(map[string]any)["cited_by"]) != "["+cid+"]" {
				t.Fatalf("cited_by = %v", in)
			}
		}
	})

	t.Run("an_input_of_another_guideline_is_refused", func(t *testing.T) {
		g2 := d.post("/api/v1/guidelines", d.fac, map[string]any{"title": titled("Other guideline", "en"), "languages": []string{"en"}, "participants": []string{"MX"}}).want(201).JSON()["id"].(string)
		other := d.post("/api/v1/guidelines/"+g2+"/inputs", d.heads["MX"], map[string]any{"area": "prevention", "kind": "advance", "text": map[string]string{"en": "x"}}).want(201).JSON()["id"].(string)
		before := d.rows(agendaTables...)
		d.do(req{method: "PUT", path: sources, token: d.fac.Token, body: map[string]any{"inputs": []string{hn, other}}}).wantProblem(422, "clause.invalid_sources")
		d.unchanged(t, before)
		// A delegation outside the guideline's participants records nothing in it.
		d.post("/api/v1/guidelines/"+g2+"/inputs", d.heads["CR"], inputBody("prevention", "advance", "x")).wantProblem(403, "input.forbidden")
		d.unchanged(t, before)
	})

	t.Run("an_empty_list_cites_nothing", func(t *testing.T) {
		got := d.do(req{method: "PUT", path: sources, token: d.fac.Token, body: map[string]any{"inputs": []string{}}}).want(200).JSON()
		if len(got["inputs"].([]any)) != 0 || len(got["countries"].([]any)) != 0 {
			t.Fatalf("sources after [] = %v", got)
		}
		if n := len(d.get("/api/v1/guidelines/"+d.gid+"/inputs?kind=challenge&unaddressed=true", d.fac).want(200).JSON()["items"].([]any)); n != 3 {
			t.Fatalf("%d unaddressed challenges, want 3", n)
		}
	})
}
