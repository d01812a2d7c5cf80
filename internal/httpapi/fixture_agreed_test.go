package httpapi_test

// mustForceAgreed marks every clause of a guideline agreed directly in the
// database, for tests about what follows agreement (drafts, adoption,
// publication) rather than how it is reached. Adoption checks every clause
// against the participants' current positions, so each participant is
// recorded as deemed to agree with the clause's current version, as a
// silence procedure that ended would have.
func (e *env) mustForceAgreed(gid string) {
	e.t.Helper()
	db := e.store.DB()
	if err := db.Exec("UPDATE clauses SET status = 'agreed', silence_deadline = NULL WHERE guideline_id = ?", gid).Error; err != nil {
		e.t.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO positions (id, clause_id, country_code, clause_version, stance, reservation, reason, deemed, superseded, created_at)
		SELECT c.id || ':' || gp.country_code || ':' || CAST(c.version AS TEXT), c.id, gp.country_code, c.version, 'agree', '', '', TRUE, FALSE, ?
		FROM clauses c JOIN guideline_participants gp ON gp.guideline_id = c.guideline_id
		WHERE c.guideline_id = ? AND NOT EXISTS (SELECT 1 FROM positions p
			WHERE p.clause_id = c.id AND p.country_code = gp.country_code AND p.superseded = FALSE)`, e.clock.Now().UTC(), gid).Error; err != nil {
		e.t.Fatal(err)
	}
}
