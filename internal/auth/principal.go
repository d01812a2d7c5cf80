package auth

import "github.com/rcm-iom/consenso/internal/drafting"

// Principal is who is calling, as read from the database for this request.
type Principal struct {
	// ID is the user id, or the integration id for clients.
	ID               string
	Role             drafting.Role
	Country          string
	HeadOfDelegation bool
	Name             string
	// Session is the sign-in (or, for a client, the secret) the caller's
	// token belongs to; see Claims.Session.
	Session string
}

// IsFacilitator reports whether p may change text, status, drafts and adoption.
func (p Principal) IsFacilitator() bool {
	return p.Role == drafting.RoleFacilitator || p.Role == drafting.RoleAdmin
}

// IsAdmin reports whether p manages accounts, countries, integrations and webhooks.
func (p Principal) IsAdmin() bool { return p.Role == drafting.RoleAdmin }

// IsIntegration reports whether p is a machine client.
func (p Principal) IsIntegration() bool { return p.Role == drafting.RoleIntegration }

// CanReadDrafts reports whether p sees working text, comments and positions;
// integrations see approved text only.
func (p Principal) CanReadDrafts() bool { return p.Role != drafting.RoleIntegration && p.Role != "" }

// CanReadApproved reports whether p may read adopted text: every signed-in
// account and integration.
func (p Principal) CanReadApproved() bool { return p.Role != "" }

// CanComment reports whether p may comment: delegates (for their country),
// observers (as observers) and facilitators.
func (p Principal) CanComment() bool {
	switch p.Role {
	case drafting.RoleDelegate, drafting.RoleObserver, drafting.RoleFacilitator, drafting.RoleAdmin:
		return true
	}
	return false
}

// Speaker is p as someone asking to speak for a country.
func (p Principal) Speaker() drafting.Speaker {
	return drafting.Speaker{ID: p.ID, Role: p.Role, Country: p.Country, HeadOfDelegation: p.HeadOfDelegation}
}
