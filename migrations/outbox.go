package migrations

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

// Go returns the migrations written in Go, for the SQL the two databases
// spell differently. postgres says which database they run on.
func Go(postgres bool) []*goose.Migration {
	return []*goose.Migration{outbox(postgres)}
}

// outbox (00018) is where a writing transaction leaves its events and its
// comment-count changes, in its last statement, for the publisher to give
// them event ids after commit (store.Store.Publish). seq is assigned by the
// database as the row is inserted, so a transaction that waited for another
// — or read what another committed — always gets the greater seq, and the
// publisher keeps that order. An auto-increment is spelled differently in
// the two databases, so this migration is written in Go.
//
// progress_counter numbers progress reports (their seq was the id of their
// event, which a writer no longer knows) and starts after the last one.
func outbox(postgres bool) *goose.Migration {
	table := `CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, events TEXT NOT NULL, counts TEXT NOT NULL)`
	if postgres {
		table = `CREATE TABLE outbox (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, events TEXT NOT NULL, counts TEXT NOT NULL)`
	}
	return goose.NewGoMigration(18, &goose.GoFunc{RunTx: run(table,
		`CREATE TABLE progress_counter (id INTEGER PRIMARY KEY CHECK (id = 1), value BIGINT NOT NULL)`,
		`INSERT INTO progress_counter (id, value) SELECT 1, COALESCE(MAX(seq), 0) FROM progress_reports`,
	)}, &goose.GoFunc{RunTx: run(`DROP TABLE progress_counter`, `DROP TABLE outbox`)})
}

func run(statements ...string) func(ctx context.Context, tx *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		for _, s := range statements {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		return nil
	}
}
