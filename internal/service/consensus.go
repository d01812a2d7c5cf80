package service

import (
	"context"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// Matrix is where consensus stands on a whole guideline: every clause ×
// every participating country.
type Matrix struct {
	GuidelineID  string
	Participants []string
	Clauses      []MatrixRow
	// Blocking lists the clauses, in document order, that are not agreed.
	Blocking []string
	// ReadyForAdoption is true when there is at least one clause and every
	// clause is agreed.
	ReadyForAdoption bool
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
}

// CountryNote is a reservation or an objection of one country.
type CountryNote struct {
	Country string
	Text    string
}

// ConsensusMatrix builds the matrix of a guideline in a constant number of
// statements (guideline, participants, clauses, current positions).
func (s *Service) ConsensusMatrix(ctx context.Context, p auth.Principal, gid string) (Matrix, error) {
	if err := requireDraftReader(p); err != nil {
		return Matrix{}, err
	}
	var g drafting.Guideline
	var clauses []drafting.Clause
	var positions []drafting.Position
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		if g, err = tx.Guideline(gid); err != nil {
			return err
		}
		if clauses, err = tx.ClauseStates(gid); err != nil {
			return err
		}
		positions, err = tx.GuidelineStances(gid)
		return err
	})
	if err != nil {
		return Matrix{}, err
	}
	return buildMatrix(g, clauses, positions), nil
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
			Reservations: []CountryNote{}, Objections: []CountryNote{}, Deemed: []string{}}
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
		}
		if c.Status != drafting.StatusAgreed {
			m.Blocking = append(m.Blocking, c.ID)
		}
		m.Clauses[i] = row
	}
	m.ReadyForAdoption = len(clauses) > 0 && len(m.Blocking) == 0
	return m
}
