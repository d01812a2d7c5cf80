package drafting

import (
	"reflect"
	"testing"
)

func TestCheckAdoption(t *testing.T) {
	participants := []string{"BZ", "CR", "GT"}
	agreed := func(id string, v int) Clause {
		return Clause{ID: id, Number: "1." + id, Status: StatusAgreed, Version: v}
	}
	draft := func(ids ...string) Draft {
		d := Draft{Number: 3}
		for _, id := range ids {
			d.Clauses = append(d.Clauses, DraftClause{ClauseID: id, Number: "1." + id, Version: 1})
		}
		return d
	}
	deemed := []Position{{Country: "BZ", Stance: StanceAgree, ClauseVersion: 1},
		{Country: "CR", Stance: StanceAgree, ClauseVersion: 1, Deemed: true}, {Country: "GT", Stance: StanceAgree, ClauseVersion: 1, Deemed: true}}
	tests := []struct {
		name      string
		clause    Clause
		positions []Position
		reason    string // "" when it passes
		objecting []string
		unheard   []string
	}{
		{"agreed by all", agreed("1", 1), pos(1, "BZ:agree", "CR:agree_with_reservation", "GT:abstain"), "", nil, nil},
		{"agreed by a silence procedure that ended", agreed("1", 1), deemed, "", nil, nil},
		{"not agreed", Clause{ID: "1", Number: "1.1", Status: StatusConsensus, Version: 1}, pos(1, "BZ:agree", "CR:agree", "GT:agree"), BlockNotAgreed, []string{}, []string{}},
		{"agreed at another version", agreed("1", 2), pos(2, "BZ:agree", "CR:agree", "GT:agree"), BlockVersionChanged, []string{}, []string{}},
		{"agreed against a participant's objection", agreed("1", 1), pos(1, "BZ:agree", "CR:agree", "GT:object"), BlockObjection, []string{"GT"}, []string{}},
		{"agreed without a participant's position", agreed("1", 1), pos(1, "BZ:agree", "CR:agree"), BlockNoPosition, []string{}, []string{"GT"}},
		{"a stale position is no position", agreed("1", 2), append(pos(2, "BZ:agree", "CR:agree"), pos(1, "GT:agree")...), BlockVersionChanged, []string{}, []string{"GT"}},
		{"a non-participant's objection does not count", agreed("1", 1), pos(1, "BZ:agree", "CR:agree", "GT:agree", "PA:object"), "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckAdoption(participants, draft("1"), map[string]Clause{"1": tt.clause}, map[string][]Position{"1": tt.positions})
			if tt.reason == "" {
				if len(got) != 0 {
					t.Fatalf("blockers = %+v, want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("blockers = %+v, want one", got)
			}
			b := got[0]
			if b.Reason != tt.reason || b.ClauseID != "1" || b.Number != "1.1" || b.DraftVersion != 1 ||
				!reflect.DeepEqual(b.Objecting, tt.objecting) || !reflect.DeepEqual(b.Unheard, tt.unheard) {
				t.Fatalf("blocker = %+v; want %s, objecting %v, unheard %v", b, tt.reason, tt.objecting, tt.unheard)
			}
		})
	}

	t.Run("every clause is checked, in the draft's order", func(t *testing.T) {
		clauses := map[string]Clause{"1": agreed("1", 1), "2": agreed("2", 1), "3": agreed("3", 1)}
		positions := map[string][]Position{
			"1": pos(1, "BZ:object", "CR:agree", "GT:agree"),
			"2": pos(1, "BZ:agree", "CR:agree", "GT:agree"),
			"3": pos(1, "BZ:agree"),
		}
		got := CheckAdoption(participants, draft("3", "2", "1", "9"), clauses, positions)
		var ids []string
		for _, b := range got {
			ids = append(ids, b.ClauseID+":"+b.Reason)
		}
		if want := []string{"3:" + BlockNoPosition, "1:" + BlockObjection, "9:" + BlockNotAgreed}; !reflect.DeepEqual(ids, want) {
			t.Fatalf("blockers = %v, want %v", ids, want)
		}
	})
}
