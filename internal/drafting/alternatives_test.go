package drafting

import (
	"reflect"
	"testing"
)

var twoAlts = []Text{{"en": "Option one.", "es": "Opción uno."}, {"en": "Option two.", "es": "Opción dos."}}

func TestValidateAlternatives(t *testing.T) {
	tests := []struct {
		name string
		alts []Text
		want string
	}{
		{"two or more alternatives", twoAlts, ""},
		{"one is no choice", twoAlts[:1], "clause.invalid"},
		{"two the same are one", []Text{twoAlts[0], twoAlts[0]}, "clause.invalid"},
		{"an empty alternative is refused", []Text{twoAlts[0], {}}, "clause.invalid"},
		{"a language of no version is refused", []Text{twoAlts[0], {"fr": "Option deux."}}, "clause.invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ValidateAlternatives([]string{"en", "es"}, tt.alts); code(err) != tt.want {
				t.Fatalf("ValidateAlternatives = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestAcceptableAlternatives(t *testing.T) {
	withAlts := &Clause{Status: StatusOpen, Version: 2, Alternatives: twoAlts, AlternativeCount: 2}
	without := &Clause{Status: StatusOpen, Version: 2}
	tests := []struct {
		name string
		c    *Clause
		in   PositionInput
		want []string
		err  string
	}{
		{"an agreement names the alternatives it accepts", withAlts, PositionInput{Stance: StanceAgree, ClauseVersion: 2, Acceptable: []string{"B", "A", "B"}}, []string{"A", "B"}, ""},
		{"one is enough", withAlts, PositionInput{Stance: StanceAgreeReservation, Reservation: "r", ClauseVersion: 2, Acceptable: []string{"B"}}, []string{"B"}, ""},
		{"an agreement must name one", withAlts, PositionInput{Stance: StanceAgree, ClauseVersion: 2}, nil, "position.invalid"},
		{"an unknown alternative is refused", withAlts, PositionInput{Stance: StanceAgree, ClauseVersion: 2, Acceptable: []string{"C"}}, nil, "position.invalid"},
		{"an objection names none", withAlts, PositionInput{Stance: StanceObject, Reason: "no", ClauseVersion: 2}, nil, ""},
		{"an objection cannot accept one", withAlts, PositionInput{Stance: StanceObject, Reason: "no", ClauseVersion: 2, Acceptable: []string{"A"}}, nil, "position.invalid"},
		{"without alternatives nothing is named", without, PositionInput{Stance: StanceAgree, ClauseVersion: 2, Acceptable: []string{"A"}}, nil, "position.invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.AcceptableLabels(tt.in)
			if code(err) != tt.err || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("AcceptableLabels = %v, %v; want %v, %q", got, err, tt.want, tt.err)
			}
			if code(tt.c.CheckPosition(tt.in, t0)) != tt.err {
				t.Fatalf("CheckPosition disagrees: %v", tt.c.CheckPosition(tt.in, t0))
			}
		})
	}
}

func TestAlternativesSupportAndResolution(t *testing.T) {
	ps := pos(2, "BZ:agree", "CR:agree", "GT:object", "MX:agree")
	ps[0].Acceptable, ps[1].Acceptable, ps[3].Acceptable = []string{"A"}, []string{"A", "B"}, []string{"B"}
	stale := pos(1, "HN:agree")
	stale[0].Acceptable = []string{"A"}
	t.Run("the matrix counts the support of each alternative on the current version", func(t *testing.T) {
		got := Support(all8, 2, 2, append(ps, stale...))
		if !reflect.DeepEqual(got, [][]string{{"BZ", "CR"}, {"CR", "MX"}}) {
			t.Fatalf("Support = %v", got)
		}
	})
	t.Run("unresolved alternatives cannot be locked", func(t *testing.T) {
		c := &Clause{Status: StatusConsensus, Version: 2, Alternatives: twoAlts, AlternativeCount: 2}
		if err := c.Lock(all8, everyone(2, StanceAgree), t0); code(err) != "clause.alternatives_unresolved" {
			t.Fatalf("Lock = %v", err)
		}
	})
	t.Run("nor put to a silence procedure", func(t *testing.T) {
		c := &Clause{Status: StatusOpen, Version: 2, AlternativeCount: 2}
		if err := c.StartSilence(t0.Add(DefaultMinSilence), t0, DefaultMinSilence); code(err) != "clause.alternatives_unresolved" {
			t.Fatalf("StartSilence = %v", err)
		}
	})
	tests := []struct {
		name  string
		c     *Clause
		label string
		want  Text
		err   string
	}{
		{"choosing an alternative gives its text", &Clause{Status: StatusOpen, Alternatives: twoAlts}, "B", twoAlts[1], ""},
		{"an unknown label is refused", &Clause{Status: StatusOpen, Alternatives: twoAlts}, "C", nil, "alternative.unknown"},
		{"a clause without alternatives has nothing to choose", &Clause{Status: StatusOpen}, "A", nil, "clause.no_alternatives"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.ChooseAlternative(tt.label, t0)
			if code(err) != tt.err || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ChooseAlternative = %v, %v", got, err)
			}
		})
	}
}
