// Package migrations holds the SQL schema history shared by SQLite and
// PostgreSQL. The files are embedded in the binary and applied by goose on
// start; the SQL is written in the subset both databases accept.
package migrations

import "embed"

// FS holds the numbered goose migration files.
//
//go:embed *.sql
var FS embed.FS
