package drafting

import (
	"testing"
	"time"
)

func TestSpeaksFor(t *testing.T) {
	head := Speaker{ID: "h", Role: RoleDelegate, Country: "BZ", HeadOfDelegation: true}
	alt := Speaker{ID: "a", Role: RoleDelegate, Country: "BZ"}
	tests := []struct {
		name      string
		s         Speaker
		country   string
		alternate string
		want      string // "" when refused
	}{
		{"the head", head, "BZ", "", RecordedAsHead},
		{"the head, with an alternate designated", head, "BZ", "a", RecordedAsHead},
		{"the alternate", alt, "BZ", "a", RecordedAsAlternate},
		{"a delegate not designated", alt, "BZ", "", ""},
		{"a delegate while another is the alternate", alt, "BZ", "x", ""},
		{"another country's head", head, "CR", "", ""},
		{"the alternate, for another country", alt, "CR", "a", ""},
		{"a facilitator", Speaker{ID: "f", Role: RoleFacilitator}, "BZ", "", ""},
		{"a facilitator designated by mistake", Speaker{ID: "f", Role: RoleFacilitator}, "BZ", "f", ""},
		{"an admin", Speaker{ID: "x", Role: RoleAdmin}, "BZ", "", ""},
		{"an admin with a country", Speaker{ID: "x", Role: RoleAdmin, Country: "BZ", HeadOfDelegation: true}, "BZ", "", ""},
		{"an observer", Speaker{ID: "o", Role: RoleObserver}, "BZ", "o", ""},
		{"an integration", Speaker{ID: "i", Role: RoleIntegration}, "BZ", "", ""},
		{"nobody", Speaker{}, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.s.SpeaksFor(tt.country, tt.alternate)
			if got != tt.want || ok != (tt.want != "") {
				t.Fatalf("SpeaksFor = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}

func TestCheckDesignator(t *testing.T) {
	for _, tt := range []struct {
		name string
		s    Speaker
		ok   bool
	}{
		{"the head", Speaker{Role: RoleDelegate, Country: "BZ", HeadOfDelegation: true}, true},
		{"another country's head", Speaker{Role: RoleDelegate, Country: "CR", HeadOfDelegation: true}, false},
		{"a delegate", Speaker{Role: RoleDelegate, Country: "BZ"}, false},
		{"a facilitator", Speaker{Role: RoleFacilitator}, false},
		{"an admin", Speaker{Role: RoleAdmin}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.CheckDesignator("BZ")
			if (err == nil) != tt.ok || (err != nil && ErrorKind(err) != KindForbidden) {
				t.Fatalf("CheckDesignator = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestCheckAlternate(t *testing.T) {
	ok := User{ID: "a", Role: RoleDelegate, Country: "BZ", Active: true}
	for _, tt := range []struct {
		name  string
		u     User
		found bool
		ok    bool
	}{
		{"an active delegate of the country", ok, true, true},
		{"unknown", User{}, false, false},
		{"disabled", User{ID: "a", Role: RoleDelegate, Country: "BZ"}, true, false},
		{"another country's delegate", User{ID: "a", Role: RoleDelegate, Country: "CR", Active: true}, true, false},
		{"a head already", User{ID: "a", Role: RoleDelegate, Country: "BZ", Active: true, HeadOfDelegation: true}, true, false},
		{"a facilitator", User{ID: "a", Role: RoleFacilitator, Active: true}, true, false},
		{"an observer", User{ID: "a", Role: RoleObserver, Active: true}, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckAlternate(tt.u, tt.found, "BZ")
			if (err == nil) != tt.ok || (err != nil && code(err) != "country.alternate_invalid") {
				t.Fatalf("CheckAlternate = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && err.(*Error).Fields[0].Field != "user_id" {
				t.Fatalf("field = %v", err.(*Error).Fields)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[string]string{"24h": "24h", "90m": "1h30m", "1m": "1m", "1s": "1s", "168h": "168h", "1h0m1s": "1h0m1s"} {
		pd, err := time.ParseDuration(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := FormatDuration(pd); got != want {
			t.Errorf("FormatDuration(%s) = %q, want %q", d, got, want)
		}
	}
}
