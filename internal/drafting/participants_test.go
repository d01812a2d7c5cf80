package drafting

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParticipantsChangeAddedRemoved(t *testing.T) {
	ch := ParticipantsChange{Before: []string{"BZ", "CR", "GT"}, After: []string{"PA", "CR", "AR"}}
	if got := ch.Added(); !reflect.DeepEqual(got, []string{"AR", "PA"}) {
		t.Fatalf("Added = %v", got)
	}
	if got := ch.Removed(); !reflect.DeepEqual(got, []string{"BZ", "GT"}) {
		t.Fatalf("Removed = %v", got)
	}
	if got := (ParticipantsChange{Before: all8, After: all8}).Added(); len(got) != 0 {
		t.Fatalf("Added with no change = %v", got)
	}
}

func TestObjectingUnheard(t *testing.T) {
	ps := append(pos(2, "BZ:object", "CR:agree", "GT:abstain"), pos(1, "HN:object")...)
	ps = append(ps, pos(2, "AR:object")...) // not a participant
	if got := Objecting(all8, 2, ps); !reflect.DeepEqual(got, []string{"BZ"}) {
		t.Fatalf("Objecting = %v (a stale objection and a non-participant's do not count)", got)
	}
	if got := Unheard(all8, 2, ps); !reflect.DeepEqual(got, []string{"HN", "MX", "NI", "PA", "SV"}) {
		t.Fatalf("Unheard = %v (a stale position is not a position on this version)", got)
	}
}

// TestApplyParticipants is rule 7 of DOMAIN.md clause by clause: a change
// of the consensus body re-derives every clause, agreed ones included.
func TestApplyParticipants(t *testing.T) {
	two := []string{"BZ", "CR"}
	three := []string{"BZ", "CR", "GT"}
	tests := []struct {
		name          string
		from          Status
		before, after []string
		positions     []Position
		want          Status
		changed       bool
		countries     []string // Rederivation.Countries when changed
		reason        string   // a word the reason must contain
	}{
		{"draft stays", StatusDraft, two, three, nil, StatusDraft, false, nil, ""},
		{"a newcomer undoes a consensus", StatusConsensus, two, three, pos(1, "BZ:agree", "CR:agree"), StatusOpen, true, []string{"GT"}, "changed"},
		{"a departed objector no longer counts", StatusContested, three, two, pos(1, "BZ:agree", "CR:agree", "GT:object"), StatusConsensus, true, []string{}, "changed"},
		{"a returning objector contests", StatusConsensus, two, three, pos(1, "BZ:agree", "CR:agree", "GT:object"), StatusContested, true, []string{"GT"}, "changed"},
		{"open stays open", StatusOpen, two, three, pos(1, "BZ:agree"), StatusOpen, false, nil, ""},

		{"agreed: a returning objector contests it", StatusAgreed, two, three, pos(1, "BZ:agree", "CR:agree", "GT:object"), StatusContested, true, []string{"GT"}, "objects"},
		{"agreed: a newcomer without a position reopens it", StatusAgreed, two, three, pos(1, "BZ:agree", "CR:agree"), StatusOpen, true, []string{"GT"}, "reopened"},
		{"agreed: a newcomer's stale position does not count", StatusAgreed, two, three, append(pos(1, "BZ:agree", "CR:agree"), pos(0, "GT:agree")...), StatusOpen, true, []string{"GT"}, "reopened"},
		{"agreed: a newcomer who agrees keeps it agreed", StatusAgreed, two, three, pos(1, "BZ:agree", "CR:agree", "GT:agree"), StatusAgreed, false, nil, ""},
		{"agreed: a newcomer who abstains keeps it agreed", StatusAgreed, two, three, pos(1, "BZ:agree", "CR:agree", "GT:abstain"), StatusAgreed, false, nil, ""},
		{"agreed: a departure keeps it agreed", StatusAgreed, three, two, pos(1, "BZ:agree", "CR:agree", "GT:agree"), StatusAgreed, false, nil, ""},
		{"agreed: an objection of a non-participant does not count", StatusAgreed, three, two, pos(1, "BZ:agree", "CR:agree", "GT:object"), StatusAgreed, false, nil, ""},
		{"agreed by silence, deemed positions count", StatusAgreed, two, two, []Position{
			{Country: "BZ", Stance: StanceAgree, ClauseVersion: 1}, {Country: "CR", Stance: StanceAgree, ClauseVersion: 1, Deemed: true}}, StatusAgreed, false, nil, ""},

		{"silence: a returning objector breaks it", StatusSilence, two, three, pos(1, "BZ:agree", "GT:object"), StatusContested, true, []string{"GT"}, "breaks"},
		{"silence: a newcomer who has not spoken ends it", StatusSilence, two, three, pos(1, "BZ:agree"), StatusOpen, true, []string{"GT"}, "not been heard"},
		{"silence: a newcomer who has spoken keeps it", StatusSilence, two, three, pos(1, "GT:agree"), StatusSilence, false, nil, ""},
		{"silence: participants silent from the start keep it", StatusSilence, three, three, nil, StatusSilence, false, nil, ""},
		{"silence: a departure keeps it", StatusSilence, three, two, nil, StatusSilence, false, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			deadline := t0.Add(48 * time.Hour)
			c := Clause{Status: tt.from, Version: 1}
			if tt.from == StatusSilence {
				c.SilenceDeadline = &deadline
			}
			r, changed := c.ApplyParticipants(ParticipantsChange{Before: tt.before, After: tt.after}, tt.positions, t0)
			if changed != tt.changed || c.Status != tt.want {
				t.Fatalf("ApplyParticipants = %v, status %s; want %v, %s (%+v)", changed, c.Status, tt.changed, tt.want, r)
			}
			if !changed {
				if tt.from == StatusSilence && (c.SilenceDeadline == nil || !c.SilenceDeadline.Equal(deadline)) {
					t.Fatal("an unchanged silence procedure lost its deadline")
				}
				return
			}
			if r.From != tt.from || r.To != tt.want || !reflect.DeepEqual(r.Countries, tt.countries) || !strings.Contains(r.Reason, tt.reason) {
				t.Fatalf("rederivation = %+v; want %s→%s by %v, reason with %q", r, tt.from, tt.want, tt.countries, tt.reason)
			}
			if c.Status != StatusSilence && c.SilenceDeadline != nil {
				t.Fatal("the silence deadline outlived the procedure")
			}
			if !c.UpdatedAt.Equal(t0) {
				t.Fatalf("updated_at = %v", c.UpdatedAt)
			}
		})
	}
}

// TestParticipantsCannotBeChangedAroundAnObjection plays the attack of the
// issue on the domain alone: drop the objector, lock, add it back.
func TestParticipantsCannotBeChangedAroundAnObjection(t *testing.T) {
	c := Clause{Status: StatusContested, Version: 1}
	positions := everyone(1, StanceAgree, "BZ:object")
	without := all8[1:]
	if _, changed := c.ApplyParticipants(ParticipantsChange{Before: all8, After: without}, positions, t0); !changed || c.Status != StatusConsensus {
		t.Fatalf("without Belize: %s, want consensus", c.Status)
	}
	if err := c.Lock(without, positions, t0); err != nil {
		t.Fatal(err)
	}
	r, changed := c.ApplyParticipants(ParticipantsChange{Before: without, After: all8}, positions, t0)
	if !changed || c.Status != StatusContested || !reflect.DeepEqual(r.Countries, []string{"BZ"}) {
		t.Fatalf("Belize back: %s (%+v), want contested because of BZ", c.Status, r)
	}
	if err := c.Lock(all8, positions, t0); code(err) != "clause.not_consensus" {
		t.Fatalf("lock again = %v", err)
	}
}
