package store

import (
	"context"
	"fmt"
)

// MigrateTo applies or rolls back migrations until the schema is at
// version, for tests of a migration's data changes.
func (s *Store) MigrateTo(ctx context.Context, version int64) error {
	p, err := s.provider(nil)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	if version >= current {
		_, err = p.UpTo(ctx, version)
	} else {
		_, err = p.DownTo(ctx, version)
	}
	return err
}
