package auth_test

import (
	"testing"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
)

// TestPrincipalPermissions is the permission table of docs/consensus.md
// ("Who may do what") and api/openapi.yaml, role by role and method by
// method. Speaking for a country (recording its position) is asked for the
// principal's own country (CR) and for another (MX), with no alternate
// designated.
func TestPrincipalPermissions(t *testing.T) {
	type perms struct {
		facilitator, admin, integration, readDrafts, readApproved, comment, setOwn, setOther bool
	}
	cases := []struct {
		name string
		p    auth.Principal
		want perms
	}{
		{"admin", auth.Principal{ID: "a", Role: drafting.RoleAdmin},
			// Admins hold every facilitator power, but never speak for a country.
			perms{facilitator: true, admin: true, readDrafts: true, readApproved: true, comment: true}},
		{"facilitator", auth.Principal{ID: "f", Role: drafting.RoleFacilitator},
			// Only a country speaks for itself: not the facilitator.
			perms{facilitator: true, readDrafts: true, readApproved: true, comment: true}},
		{"head_of_delegation", auth.Principal{ID: "h", Role: drafting.RoleDelegate, Country: "CR", HeadOfDelegation: true},
			perms{readDrafts: true, readApproved: true, comment: true, setOwn: true}},
		{"delegate", auth.Principal{ID: "d", Role: drafting.RoleDelegate, Country: "CR"},
			perms{readDrafts: true, readApproved: true, comment: true}},
		{"observer", auth.Principal{ID: "o", Role: drafting.RoleObserver},
			perms{readDrafts: true, readApproved: true, comment: true}},
		{"observer_marked_head", auth.Principal{ID: "o", Role: drafting.RoleObserver, Country: "CR", HeadOfDelegation: true},
			// Only delegates head a delegation, whatever the flag says.
			perms{readDrafts: true, readApproved: true, comment: true}},
		{"integration", auth.Principal{ID: "i", Role: drafting.RoleIntegration},
			perms{integration: true, readApproved: true}},
		{"nobody", auth.Principal{},
			perms{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := perms{
				facilitator:  tc.p.IsFacilitator(),
				admin:        tc.p.IsAdmin(),
				integration:  tc.p.IsIntegration(),
				readDrafts:   tc.p.CanReadDrafts(),
				readApproved: tc.p.CanReadApproved(),
				comment:      tc.p.CanComment(),
				setOwn:       speaksFor(tc.p, "CR"),
				setOther:     speaksFor(tc.p, "MX"),
			}
			if got != tc.want {
				t.Fatalf("permissions = %+v\nwant          %+v", got, tc.want)
			}
		})
	}
	t.Run("country_match_is_exact", func(t *testing.T) {
		p := auth.Principal{ID: "h", Role: drafting.RoleDelegate, Country: "CR", HeadOfDelegation: true}
		for _, c := range []string{"cr", "CRI", " CR"} {
			if speaksFor(p, c) {
				t.Fatalf("the head of CR speaks for %q", c)
			}
		}
	})
}

func speaksFor(p auth.Principal, country string) bool {
	_, ok := p.Speaker().SpeaksFor(country, "")
	return ok
}
