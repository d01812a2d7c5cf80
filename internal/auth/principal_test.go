package auth_test

import (
	"testing"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
)

// TestPrincipalPermissions is the permission table of docs/consensus.md
// ("Who may do what") and api/openapi.yaml, role by role and method by
// method. CanSetPosition is asked for the principal's own country (CR) and
// for another (MX).
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
			// Admins hold every facilitator power; they record positions in session.
			perms{facilitator: true, admin: true, readDrafts: true, readApproved: true, comment: true, setOwn: true, setOther: true}},
		{"facilitator", auth.Principal{ID: "f", Role: drafting.RoleFacilitator},
			// Recording a country's position in session (recorded_by tells who).
			perms{facilitator: true, readDrafts: true, readApproved: true, comment: true, setOwn: true, setOther: true}},
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
				setOwn:       tc.p.CanSetPosition("CR"),
				setOther:     tc.p.CanSetPosition("MX"),
			}
			if got != tc.want {
				t.Fatalf("permissions = %+v\nwant          %+v", got, tc.want)
			}
		})
	}
	t.Run("country_match_is_exact", func(t *testing.T) {
		p := auth.Principal{ID: "h", Role: drafting.RoleDelegate, Country: "CR", HeadOfDelegation: true}
		for _, c := range []string{"cr", "CRI", " CR"} {
			if p.CanSetPosition(c) {
				t.Fatalf("CanSetPosition(%q) = true for the head of CR", c)
			}
		}
	})
}
