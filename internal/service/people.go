package service

import (
	"context"
	"slices"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// Person is what every participant may know of an account: its name and
// the country it speaks for ("" for facilitators, observers and admins).
// E-mail addresses stay with the administrators.
type Person struct {
	ID, Name, Country string
}

// People are the persons a read names (authors, recorders), by user id.
type People map[string]Person

// Of returns the person with id, or nil for no id (a deemed position, an
// unresolved comment). An id the read did not find — accounts are never
// deleted, so it does not happen — still names its id.
func (pp People) Of(id string) *Person {
	if id == "" {
		return nil
	}
	if p, ok := pp[id]; ok {
		return &p
	}
	return &Person{ID: id}
}

// readPeople reads the persons with the given ids in one statement,
// whatever their number (none when every id is empty): lists name their
// authors without a query per row.
func readPeople(tx *store.Tx, ids ...string) (People, error) {
	want := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" {
			want = append(want, id)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	out := make(People, len(want))
	if len(want) == 0 {
		return out, nil
	}
	us, err := tx.UsersByID(want)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		out[u.ID] = Person{ID: u.ID, Name: u.Name, Country: u.Country}
	}
	return out, nil
}

// Delegation is one participating country with the people who speak for
// it: its active accounts, heads of delegation first, then by name (only
// id, name, role, country and head of delegation are filled).
type Delegation struct {
	Country drafting.Country
	Members []drafting.User
}

// Participants lists a guideline's participating countries, by code, each
// with its delegation. Every signed-in participant reads it; integrations
// read approved text only.
func (s *Service) Participants(ctx context.Context, p auth.Principal, gid string) ([]Delegation, error) {
	if err := requireDraftReader(p); err != nil {
		return nil, err
	}
	var out []Delegation
	err := s.read(ctx, func(tx *store.Tx) error {
		g, err := tx.Guideline(gid)
		if err != nil {
			return err
		}
		countries, err := tx.Countries()
		if err != nil {
			return err
		}
		members, err := tx.Delegations(g.Participants)
		if err != nil {
			return err
		}
		byCode := make(map[string]drafting.Country, len(countries))
		for _, c := range countries {
			byCode[c.Code] = c
		}
		byCountry := map[string][]drafting.User{}
		for _, u := range members {
			byCountry[u.Country] = append(byCountry[u.Country], u)
		}
		out = make([]Delegation, len(g.Participants))
		for i, code := range g.Participants {
			out[i] = Delegation{Country: byCode[code], Members: byCountry[code]}
		}
		return nil
	})
	return out, err
}
