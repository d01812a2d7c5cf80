package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Statement is one SQL statement as the store builds it: the dialect's
// text with its placeholders, and the arguments bound to them.
type Statement struct {
	SQL  string
	Vars []any
}

// DryRun runs fn against a dry-run session of s and returns the statements
// fn's store methods built, in order; none of them reaches the database.
// Tests explain the store's own SQL with it instead of writing it again.
func (s *Store) DryRun(fn func(tx *Tx) error) ([]Statement, error) {
	rec := &statementRecorder{}
	db := s.db.Session(&gorm.Session{DryRun: true, NewDB: true, Logger: rec})
	err := fn(&Tx{db: db})
	return rec.statements, err
}

// statementRecorder is a GORM logger that keeps each statement's SQL and
// arguments before GORM interpolates them for display.
type statementRecorder struct {
	statements []Statement
}

func (r *statementRecorder) LogMode(logger.LogLevel) logger.Interface { return r }
func (r *statementRecorder) Info(context.Context, string, ...any)     {}
func (r *statementRecorder) Warn(context.Context, string, ...any)     {}
func (r *statementRecorder) Error(context.Context, string, ...any)    {}
func (r *statementRecorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	fc() // calls ParamsFilter, which records the statement
}

// ParamsFilter is called by GORM with the statement before interpolation.
func (r *statementRecorder) ParamsFilter(_ context.Context, sql string, vars ...any) (string, []any) {
	r.statements = append(r.statements, Statement{SQL: sql, Vars: append([]any(nil), vars...)})
	return sql, vars
}

// CommentBound and CommentsUpTo expose the two statements of
// CommentsWithin: in a dry run the first returns nothing, so the second
// would be built without its bound.
func (tx *Tx) CommentBound(f CommentFilter, scan int) error {
	_, err := tx.commentBound(f, scan)
	return err
}

func (tx *Tx) CommentsUpTo(f CommentFilter, bound CommentCursor) error {
	_, err := tx.commentsUpTo(f, &bound)
	return err
}
