package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	sqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
)

// IsTransient reports whether err says the database could not answer now —
// it is down, unreachable, shutting down, out of connections, busy or
// locked; the connection broke; the request ran out of time or its client
// went away — rather than giving an answer about the data. Such an error
// is worth retrying and must never be remembered as a fact: an account that
// could not be read is not an unknown account.
//
// This is the one place that knows the drivers' errors; everything above
// asks it.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	// A server-reported error decides by its SQLSTATE, even when it arrives
	// wrapped in a connect error (a refused password is not an outage).
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return transientSQLState(pgErr.Code)
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		return transientSQLiteCode(liteErr.Code())
	}
	for _, target := range transientErrors {
		if errors.Is(err, target) {
			return true
		}
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	if errors.As(err, &connectErr) || errors.As(err, &netErr) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) {
		return true
	}
	return databaseClosed(err)
}

// transientErrors are the sentinels of a connection or a request that ended
// before the database answered.
var transientErrors = []error{
	context.Canceled, context.DeadlineExceeded,
	driver.ErrBadConn, sql.ErrConnDone, pgconn.ErrConnClosed,
	io.EOF, io.ErrUnexpectedEOF,
	syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE,
	syscall.ETIMEDOUT, syscall.EHOSTUNREACH, syscall.ENETUNREACH,
}

// transientSQLState reports whether a PostgreSQL error code means "not now"
// rather than "no": https://www.postgresql.org/docs/current/errcodes-appendix.html
func transientSQLState(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"): // connection exception
		return true
	case strings.HasPrefix(code, "53"): // insufficient resources: too many connections, out of memory, disk full
		return true
	}
	switch code {
	case "57P01", // admin_shutdown: the server is stopping or the backend was terminated
		"57P02", // crash_shutdown
		"57P03", // cannot_connect_now: starting up or in recovery
		"57P05", // idle_session_timeout
		"57014", // query_canceled: statement_timeout or a cancel request
		"40001", // serialization_failure
		"40P01", // deadlock_detected
		"55P03", // lock_not_available: lock_timeout
		"25006": // read_only_sql_transaction: a standby while a failover completes
		return true
	}
	return false
}

// SQLite primary result codes (extended codes carry them in the low byte).
const (
	sqliteBusy     = 5
	sqliteLocked   = 6
	sqliteIOErr    = 10
	sqliteCantOpen = 14
	sqliteProtocol = 15
)

// transientSQLiteCode reports whether an SQLite result code means the file
// is held by another writer, or could not be read or opened right now.
func transientSQLiteCode(code int) bool {
	switch code & 0xff {
	case sqliteBusy, sqliteLocked, sqliteIOErr, sqliteCantOpen, sqliteProtocol:
		return true
	}
	return false
}

// databaseClosed recognises database/sql's unexported "database is closed",
// what requests still running see while the program shuts down.
func databaseClosed(err error) bool {
	for ; err != nil; err = errors.Unwrap(err) {
		if err.Error() == "sql: database is closed" {
			return true
		}
	}
	return false
}
