package drafting

import (
	"reflect"
	"testing"
	"time"
)

// adRef makes country's position on v an agreement ad referendum, to be
// confirmed by deadline.
func adRef(ps []Position, country string, deadline time.Time) []Position {
	out := append([]Position(nil), ps...)
	for i := range out {
		if out[i].Country == country {
			d := deadline
			out[i].AdReferendum, out[i].ConfirmBy = true, &d
		}
	}
	return out
}

func TestAdReferendumInput(t *testing.T) {
	later := t0.Add(72 * time.Hour)
	tests := []struct {
		name string
		in   PositionInput
		want []string // invalid fields
	}{
		{"an agreement may be ad referendum", PositionInput{Stance: StanceAgree, ClauseVersion: 1, AdReferendum: true, ConfirmBy: &later}, nil},
		{"so may an agreement with a reservation", PositionInput{Stance: StanceAgreeReservation, Reservation: "r", ClauseVersion: 1, AdReferendum: true, ConfirmBy: &later}, nil},
		{"an objection cannot be", PositionInput{Stance: StanceObject, Reason: "no", ClauseVersion: 1, AdReferendum: true, ConfirmBy: &later}, []string{"ad_referendum"}},
		{"an abstention cannot be", PositionInput{Stance: StanceAbstain, ClauseVersion: 1, AdReferendum: true, ConfirmBy: &later}, []string{"ad_referendum"}},
		{"ad referendum needs a confirmation deadline", PositionInput{Stance: StanceAgree, ClauseVersion: 1, AdReferendum: true}, []string{"confirm_by"}},
		{"a deadline without ad referendum is refused", PositionInput{Stance: StanceAgree, ClauseVersion: 1, ConfirmBy: &later}, []string{"confirm_by"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.in.Validate()
			var got []string
			if err != nil {
				for _, f := range err.(*Error).Fields {
					got = append(got, f.Field)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("invalid fields = %v, want %v (%v)", got, tt.want, err)
			}
		})
	}
}

func TestAdReferendumDeadline(t *testing.T) {
	c := &Clause{Status: StatusOpen, Version: 1}
	at := func(d time.Duration) *time.Time { x := t0.Add(d); return &x }
	tests := []struct {
		name      string
		confirmBy *time.Time
		want      string
	}{
		{"a deadline ahead is taken", at(time.Hour), ""},
		{"a deadline now is refused", at(0), "position.confirm_by_past"},
		{"a deadline past is refused", at(-time.Hour), "position.confirm_by_past"},
		{"a deadline more than a year ahead is refused", at(MaxAdReferendum + time.Hour), "position.confirm_by_too_far"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := PositionInput{Stance: StanceAgree, ClauseVersion: 1, AdReferendum: true, ConfirmBy: tt.confirmBy}
			if got := code(c.CheckPosition(in, t0)); got != tt.want {
				t.Fatalf("CheckPosition = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAdReferendumJoinsConsensusButNotAgreement(t *testing.T) {
	deadline := t0.Add(72 * time.Hour)
	mxAdRef := adRef(everyone(1, StanceAgree), "MX", deadline)
	t.Run("the clause shows consensus ad referendum", func(t *testing.T) {
		if got := Derive(all8, 1, mxAdRef); got != StatusConsensus {
			t.Fatalf("Derive = %s", got)
		}
		if got := AdReferendum(all8, 1, mxAdRef); !reflect.DeepEqual(got, []string{"MX"}) {
			t.Fatalf("AdReferendum = %v", got)
		}
	})
	t.Run("it cannot be locked until confirmed", func(t *testing.T) {
		c := &Clause{Status: StatusConsensus, Version: 1}
		err := c.Lock(all8, mxAdRef, t0)
		if code(err) != "clause.ad_referendum" || c.Status != StatusConsensus {
			t.Fatalf("Lock = %v, status %s", err, c.Status)
		}
		if !reflect.DeepEqual(err.(*Error).Data["ad_referendum"], []string{"MX"}) {
			t.Fatalf("data = %v", err.(*Error).Data)
		}
	})
	t.Run("once confirmed it is plain agreement and locks", func(t *testing.T) {
		c := &Clause{Status: StatusConsensus, Version: 1}
		if err := c.Lock(all8, everyone(1, StanceAgree), t0); err != nil || c.Status != StatusAgreed {
			t.Fatalf("Lock = %v, status %s", err, c.Status)
		}
	})
	t.Run("an ad referendum on an earlier version does not count", func(t *testing.T) {
		stale := adRef(pos(1, "MX:agree"), "MX", deadline)
		if got := AdReferendum(all8, 2, stale); len(got) != 0 {
			t.Fatalf("AdReferendum = %v", got)
		}
	})
	t.Run("a silence procedure ends in consensus, not agreement, while it awaits the capital", func(t *testing.T) {
		d := t0
		c := &Clause{Status: StatusSilence, Version: 1, SilenceDeadline: &d}
		silent, err := c.EndSilence(all8, adRef(pos(1, "MX:agree"), "MX", deadline), t0)
		if err != nil || c.Status != StatusConsensus || len(silent) != 7 {
			t.Fatalf("EndSilence = %v, %v, status %s", silent, err, c.Status)
		}
	})
	t.Run("a draft holding it cannot be adopted", func(t *testing.T) {
		d := Draft{Clauses: []DraftClause{{ClauseID: "c1", Number: "1", Version: 1}}}
		clauses := map[string]Clause{"c1": {ID: "c1", Number: "1", Status: StatusAgreed, Version: 1}}
		b := CheckAdoption(all8, d, clauses, map[string][]Position{"c1": mxAdRef})
		if len(b) != 1 || b[0].Reason != BlockAdReferendum || !reflect.DeepEqual(b[0].AdReferendum, []string{"MX"}) {
			t.Fatalf("blockers = %+v", b)
		}
	})
}

func TestAdReferendumLapse(t *testing.T) {
	deadline := t0.Add(72 * time.Hour)
	p := adRef(pos(1, "MX:agree"), "MX", deadline)[0]
	tests := []struct {
		name string
		p    Position
		now  time.Time
		want bool
	}{
		{"before the deadline it stands", p, deadline.Add(-time.Second), false},
		{"at the deadline it lapses", p, deadline, true},
		{"after the deadline it lapses", p, deadline.Add(time.Hour), true},
		{"a plain agreement never lapses", pos(1, "MX:agree")[0], deadline.Add(time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.LapseDue(tt.now); got != tt.want {
				t.Fatalf("LapseDue = %v", got)
			}
		})
	}
	t.Run("a lapse leaves the country pending: consensus becomes open", func(t *testing.T) {
		c := &Clause{Status: StatusConsensus, Version: 1}
		c.ApplyLapse(all8, pos(1, "BZ:agree", "CR:agree", "GT:agree", "HN:agree", "NI:agree", "PA:agree", "SV:agree"), deadline)
		if c.Status != StatusOpen {
			t.Fatalf("status = %s", c.Status)
		}
	})
	t.Run("a silence procedure runs on: the country is silent now", func(t *testing.T) {
		c := &Clause{Status: StatusSilence, Version: 1}
		c.ApplyLapse(all8, nil, deadline)
		if c.Status != StatusSilence {
			t.Fatalf("status = %s", c.Status)
		}
	})
}
