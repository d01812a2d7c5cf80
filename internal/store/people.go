package store

import "github.com/rcm-iom/consenso/internal/drafting"

// personColumns are what participants may see of an account: never the
// e-mail address or the password hash.
const personColumns = "id, name, role, country_code, head_of_delegation, active"

// UsersByID reads the accounts with the given ids in one statement (none
// for no ids), with only id, name, role, country, head of delegation and
// active filled. Unknown ids are left out.
func (tx *Tx) UsersByID(ids []string) ([]drafting.User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []userRow
	if err := tx.db.Select(personColumns).Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return people(rows), nil
}

// Delegations lists the active accounts of the given countries in one
// statement, by country, heads of delegation first, then by name, with the
// fields of UsersByID.
func (tx *Tx) Delegations(countries []string) ([]drafting.User, error) {
	if len(countries) == 0 {
		return nil, nil
	}
	var rows []userRow
	err := tx.db.Select(personColumns).Where("country_code IN ? AND active = ?", countries, true).
		Order("country_code, head_of_delegation DESC, name, id").Find(&rows).Error
	if err != nil {
		return nil, err
	}
	return people(rows), nil
}

func people(rows []userRow) []drafting.User {
	out := make([]drafting.User, len(rows))
	for i, r := range rows {
		out[i] = drafting.User{ID: r.ID, Name: r.Name, Role: drafting.Role(r.Role), Country: deref(r.CountryCode),
			HeadOfDelegation: r.HeadOfDelegation, Active: r.Active}
	}
	return out
}
