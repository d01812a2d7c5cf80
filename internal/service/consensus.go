package service

import (
	"context"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// Matrix is where consensus stands on a guideline: its clauses (all, one
// section's, or one page of them) × every participating country.
type Matrix struct {
	GuidelineID  string
	Participants []string
	Clauses      []MatrixRow
	// Blocking lists the clauses of the matrix, in document order, that
	// are not agreed.
	Blocking []string
	// ReadyForAdoption is true when the whole guideline (whatever the
	// section or page) has at least one clause and every clause is agreed.
	ReadyForAdoption bool
	// NextCursor continues the matrix after its last clause ("" when no
	// clause remains).
	NextCursor string
}

// MatrixRow is one clause of the matrix.
type MatrixRow struct {
	ID              string
	Number          string
	SectionID       string
	Status          drafting.Status
	Version         int
	SilenceDeadline *time.Time
	// Cells maps each participant to its stance on the current version,
	// "stale" (a position on an earlier version) or "pending".
	Cells        map[string]string
	Reservations []CountryNote
	Objections   []CountryNote
	// Deemed lists the countries deemed to agree by a silence procedure.
	Deemed []string
	// AdReferendum lists the agreements on the current version that await
	// their capital's confirmation: consensus "ad referendum".
	AdReferendum []AdReferendumNote
	// Alternatives lists, for a clause carrying alternatives, the
	// participants accepting each (A, B, … in order).
	Alternatives []AlternativeSupport
}

// AlternativeSupport is who accepts one alternative of a clause.
type AlternativeSupport struct {
	Label     string
	Countries []string
}

// AdReferendumNote is one country's agreement ad referendum and the
// deadline by which its capital confirms.
type AdReferendumNote struct {
	Country   string
	ConfirmBy time.Time
}

// CountryNote is a reservation or an objection of one country.
type CountryNote struct {
	Country string
	Text    string
}

// MatrixQuery narrows the matrix to one section ("" : all of them).
type MatrixQuery struct {
	SectionID string
}

// ConsensusMatrix builds one page of the matrix of a guideline (of one
// section when q says so), in document order, in a constant number of
// statements: guideline, the page's clauses with the guideline's clause
// counts (ready_for_adoption is about the whole guideline, counted rather
// than loaded), and their current positions (when the page is empty, the
// counts instead). A page without a limit holds every clause.
func (s *Service) ConsensusMatrix(ctx context.Context, p auth.Principal, gid string, q MatrixQuery, page Page) (Matrix, error) {
	if err := requireDraftReader(p); err != nil {
		return Matrix{}, err
	}
	var filter drafting.Fields
	if !checkIDField(&filter, "section_id", q.SectionID, "not a section id") {
		return Matrix{}, filter.Err("clause.invalid_filter")
	}
	after, err := page.decodeClauseKey()
	if err != nil {
		return Matrix{}, err
	}
	limit := 0
	if page.Limit > 0 {
		limit = page.Limit + 1
	}
	var g drafting.Guideline
	var clauses []drafting.Clause
	var keys []store.ClauseKey
	var positions []drafting.Position
	var anyClause, anyOpen bool
	err = s.read(ctx, func(tx *store.Tx) error {
		var err error
		if g, err = tx.Guideline(gid); err != nil {
			return err
		}
		clauses, keys, anyClause, anyOpen, err = tx.ClauseStatesPage(store.ClauseFilter{GuidelineID: gid, SectionID: q.SectionID}, after, limit)
		if err != nil {
			return err
		}
		if page.Limit > 0 && len(clauses) > page.Limit {
			clauses = clauses[:page.Limit]
		}
		ids := make([]string, len(clauses))
		for i, c := range clauses {
			ids[i] = c.ID
		}
		positions, err = tx.ClauseStances(ids)
		return err
	})
	if err != nil {
		return Matrix{}, err
	}
	m := buildMatrix(g, clauses, positions)
	m.ReadyForAdoption = anyClause && !anyOpen
	if page.Limit > 0 && len(keys) > page.Limit {
		m.NextCursor = encodeCursor(keys[page.Limit-1])
	}
	return m, nil
}

func buildMatrix(g drafting.Guideline, clauses []drafting.Clause, positions []drafting.Position) Matrix {
	type key struct{ clause, country string }
	current := make(map[key]drafting.Position, len(positions))
	for _, p := range positions {
		current[key{p.ClauseID, p.Country}] = p
	}
	m := Matrix{GuidelineID: g.ID, Participants: g.Participants, Clauses: make([]MatrixRow, len(clauses)), Blocking: []string{}}
	for i, c := range clauses {
		row := MatrixRow{ID: c.ID, Number: c.Number, SectionID: c.SectionID, Status: c.Status, Version: c.Version,
			SilenceDeadline: c.SilenceDeadline, Cells: make(map[string]string, len(g.Participants)),
			Reservations: []CountryNote{}, Objections: []CountryNote{}, Deemed: []string{}, AdReferendum: []AdReferendumNote{}, Alternatives: []AlternativeSupport{}}
		for _, country := range g.Participants { // sorted
			p, ok := current[key{c.ID, country}]
			switch {
			case !ok:
				row.Cells[country] = drafting.CellPending
				continue
			case p.ClauseVersion != c.Version:
				row.Cells[country] = drafting.CellStale
				continue
			}
			row.Cells[country] = string(p.Stance)
			switch p.Stance {
			case drafting.StanceAgreeReservation:
				row.Reservations = append(row.Reservations, CountryNote{Country: country, Text: p.Reservation})
			case drafting.StanceObject:
				row.Objections = append(row.Objections, CountryNote{Country: country, Text: p.Reason})
			}
			if p.Deemed {
				row.Deemed = append(row.Deemed, country)
			}
			if p.AdReferendum && p.ConfirmBy != nil {
				row.AdReferendum = append(row.AdReferendum, AdReferendumNote{Country: country, ConfirmBy: *p.ConfirmBy})
			}
		}
		if c.AlternativeCount > 0 {
			var ps []drafting.Position
			for _, country := range g.Participants {
				if p, ok := current[key{c.ID, country}]; ok {
					ps = append(ps, p)
				}
			}
			for i, countries := range drafting.Support(g.Participants, c.Version, c.AlternativeCount, ps) {
				row.Alternatives = append(row.Alternatives, AlternativeSupport{Label: drafting.AltLabel(i), Countries: countries})
			}
		}
		if c.Status != drafting.StatusAgreed {
			m.Blocking = append(m.Blocking, c.ID)
		}
		m.Clauses[i] = row
	}
	m.ReadyForAdoption = len(clauses) > 0 && len(m.Blocking) == 0
	return m
}
