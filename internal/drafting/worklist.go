package drafting

// PositionStatuses lists the clause statuses in which countries take
// positions: every status but draft (not yet opened) and agreed (locked).
// Clause.CheckPosition decides the same; TestPositionStatuses keeps the two
// together.
func PositionStatuses() []Status {
	return []Status{StatusOpen, StatusContested, StatusConsensus, StatusSilence}
}
