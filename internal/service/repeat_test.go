package service

import (
	"testing"

	"github.com/rcm-iom/consenso/internal/drafting"
)

func TestRepeatedPosition(t *testing.T) {
	current := []drafting.Position{
		{Country: "BZ", ClauseVersion: 2, Stance: drafting.StanceAgree},
		{Country: "CR", ClauseVersion: 2, Stance: drafting.StanceAgreeReservation, Reservation: "Law 9095."},
		{Country: "GT", ClauseVersion: 1, Stance: drafting.StanceAgree}, // stale
		{Country: "HN", ClauseVersion: 2, Stance: drafting.StanceAgree, Deemed: true},
		{Country: "NI", ClauseVersion: 2, Stance: drafting.StanceObject, Reason: "Sovereignty."},
	}
	cases := []struct {
		name, country string
		in            drafting.PositionInput
		repeated      bool
	}{
		{"same agree", "BZ", drafting.PositionInput{Stance: drafting.StanceAgree, ClauseVersion: 2}, true},
		{"same reservation", "CR", drafting.PositionInput{Stance: drafting.StanceAgreeReservation, ClauseVersion: 2, Reservation: "Law 9095."}, true},
		{"same objection", "NI", drafting.PositionInput{Stance: drafting.StanceObject, ClauseVersion: 2, Reason: "Sovereignty."}, true},
		{"other stance", "BZ", drafting.PositionInput{Stance: drafting.StanceAbstain, ClauseVersion: 2}, false},
		{"other reservation", "CR", drafting.PositionInput{Stance: drafting.StanceAgreeReservation, ClauseVersion: 2, Reservation: "Law 9095 of 2012."}, false},
		{"other reason", "NI", drafting.PositionInput{Stance: drafting.StanceObject, ClauseVersion: 2, Reason: "Other."}, false},
		{"stale position restated on the new version", "GT", drafting.PositionInput{Stance: drafting.StanceAgree, ClauseVersion: 2}, false},
		{"deemed agreement said in person", "HN", drafting.PositionInput{Stance: drafting.StanceAgree, ClauseVersion: 2}, false},
		{"first position", "PA", drafting.PositionInput{Stance: drafting.StanceAgree, ClauseVersion: 2}, false},
		{"another country's stance", "MX", drafting.PositionInput{Stance: drafting.StanceAgree, ClauseVersion: 2}, false},
		{"a version that is not current", "BZ", drafting.PositionInput{Stance: drafting.StanceAgree, ClauseVersion: 1}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := repeatedPosition(current, c.country, 2, c.in)
			if (got != nil) != c.repeated {
				t.Fatalf("repeatedPosition(%s, %+v) = %+v, want repeated %v", c.country, c.in, got, c.repeated)
			}
			if got != nil && got.Country != c.country {
				t.Fatalf("returned %s's position for %s", got.Country, c.country)
			}
		})
	}
}
