package drafting

import "time"

// Role is what a user account may do.
type Role string

// The roles of user accounts. Integrations are not users: they authenticate
// as clients and carry RoleIntegration only in their Principal.
const (
	RoleAdmin       Role = "admin"
	RoleFacilitator Role = "facilitator"
	RoleDelegate    Role = "delegate"
	RoleObserver    Role = "observer"
	RoleIntegration Role = "integration"
)

// ValidUserRole reports whether r can be given to a user account.
func ValidUserRole(r Role) bool {
	switch r {
	case RoleAdmin, RoleFacilitator, RoleDelegate, RoleObserver:
		return true
	}
	return false
}

// Country is a member of the conference.
type Country struct {
	Code      string
	Name      string
	Language  string
	CreatedAt time.Time
	// AlternateID is the account the head of delegation designated to
	// record the country's positions besides the heads ("" when none).
	AlternateID string
}

// User is a person's account.
type User struct {
	ID               string
	Email            string
	Name             string
	PasswordHash     string
	Role             Role
	Country          string // set for delegates; empty otherwise
	HeadOfDelegation bool
	Active           bool
	Revision         int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Integration is a machine client that pulls approved text.
type Integration struct {
	ID         string
	Name       string
	ClientID   string
	SecretHash string
	Active     bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Languages the guidelines are negotiated in.
var Languages = []string{"en", "es"}

// ValidLanguage reports whether lang is a working language.
func ValidLanguage(lang string) bool { return lang == "en" || lang == "es" }
