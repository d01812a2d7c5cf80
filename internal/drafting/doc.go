// Package drafting is the domain of Consenso: guidelines, sections, clauses
// and their immutable versions, comments, positions, drafts and approved
// versions, with the consensus state machine and every rule of DOMAIN.md.
//
// It is pure Go: it imports nothing of HTTP or SQL, so each rule can be tested
// table by table and every caller (HTTP, background sweeps, the demo loader)
// goes through the same code.
package drafting
