package storetest

import (
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/rcm-iom/consenso/internal/store"
)

// Statements counts the SQL statements GORM runs on a store (BEGIN and
// COMMIT are not run through GORM's callbacks, so they are not counted).
type Statements struct {
	mu sync.Mutex
	n  int
}

// CountStatements starts counting the statements run on st.
func CountStatements(tb testing.TB, st *store.Store) *Statements {
	tb.Helper()
	sc := &Statements{}
	inc := func(*gorm.DB) { sc.mu.Lock(); sc.n++; sc.mu.Unlock() }
	cb := st.DB().Callback()
	for _, err := range []error{
		cb.Query().After("gorm:query").Register("storetest:count_query", inc),
		cb.Raw().After("gorm:raw").Register("storetest:count_raw", inc),
		cb.Row().After("gorm:row").Register("storetest:count_row", inc),
		cb.Create().After("gorm:create").Register("storetest:count_create", inc),
		cb.Update().After("gorm:update").Register("storetest:count_update", inc),
		cb.Delete().After("gorm:delete").Register("storetest:count_delete", inc),
	} {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return sc
}

// During returns how many statements ran while fn ran.
func (sc *Statements) During(fn func()) int {
	sc.mu.Lock()
	before := sc.n
	sc.mu.Unlock()
	fn()
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.n - before
}
