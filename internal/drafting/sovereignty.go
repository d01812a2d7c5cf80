package drafting

// Nobody records a country's position but that country (DOMAIN.md, "Who
// may do what"): its head of delegation, or the one alternate the head
// designates from the country's own delegation. Not a facilitator, not an
// admin, whatever the route.

// The capacities a position is recorded in (Position.RecordedAs).
const (
	RecordedAsHead      = "head_of_delegation"
	RecordedAsAlternate = "alternate"
	// RecordedOnBehalf marks positions kept from before this rule, when a
	// facilitator could record a country's position "in session". No new
	// position is ever recorded so.
	RecordedOnBehalf = "on_behalf"
)

// Speaker is an account asking to speak for a country.
type Speaker struct {
	ID               string
	Role             Role
	Country          string
	HeadOfDelegation bool
}

// SpeakerOf is the speaker an account is, as it is stored now.
func SpeakerOf(u User) Speaker {
	return Speaker{ID: u.ID, Role: u.Role, Country: u.Country, HeadOfDelegation: u.HeadOfDelegation}
}

// SpeaksFor says in which capacity s may record country's position, given
// the account the country's head designated as alternate ("" when none):
// RecordedAsHead or RecordedAsAlternate, or false when s may not.
func (s Speaker) SpeaksFor(country, alternateID string) (string, bool) {
	if s.Role != RoleDelegate || s.Country == "" || s.Country != country {
		return "", false
	}
	if s.HeadOfDelegation {
		return RecordedAsHead, true
	}
	if alternateID != "" && s.ID == alternateID {
		return RecordedAsAlternate, true
	}
	return "", false
}

// CheckDesignator refuses anyone but a head of delegation of country: only
// the head designates (or revokes) the country's alternate.
func (s Speaker) CheckDesignator(country string) error {
	if s.Role != RoleDelegate || !s.HeadOfDelegation || s.Country != country {
		return Errorf(KindForbidden, "auth.forbidden", "only the head of delegation of %s designates or revokes its alternate", country)
	}
	return nil
}

// QualifiesAsAlternate reports whether u can be country's alternate: an
// active delegate of that country who is not its head.
func QualifiesAsAlternate(u User, country string) bool {
	return u.Active && u.Role == RoleDelegate && u.Country == country && !u.HeadOfDelegation
}

// CheckAlternate refuses a designation of u as country's alternate unless u
// qualifies. The message is the same whatever the reason, so a head learns
// nothing of accounts outside their own delegation.
func CheckAlternate(u User, found bool, country string) error {
	if found && QualifiesAsAlternate(u, country) {
		return nil
	}
	return Invalid("country.alternate_invalid", FieldError{Field: "user_id",
		Message: "must be an active delegate of " + country + " who is not already its head of delegation"})
}
