package store

// Keyset pages continue after (or before) the last row seen in (created_at,
// id) order. The condition is a row-value comparison: written as
// `created_at > ? OR (created_at = ? AND id > ?)`, PostgreSQL applies it as a
// filter after scanning the index from its start, so deep pages of a hot
// clause cost thousands of rows each; the row value lets both databases seek
// straight to the position on their (…, created_at, id) indexes.
// prefix qualifies the columns ("d." in a join), or is empty.

// keysetAfter is the condition of the rows after (created_at, id) = (?, ?).
func keysetAfter(prefix string) string {
	return "(" + prefix + "created_at, " + prefix + "id) > (?, ?)"
}

// keysetUpTo is the condition of the rows up to (created_at, id) = (?, ?)
// included, in oldest-first order.
func keysetUpTo(prefix string) string {
	return "(" + prefix + "created_at, " + prefix + "id) <= (?, ?)"
}

// keysetBefore is the condition of the rows before (created_at, id) = (?, ?),
// for lists in newest-first order.
func keysetBefore(prefix string) string {
	return "(" + prefix + "created_at, " + prefix + "id) < (?, ?)"
}
