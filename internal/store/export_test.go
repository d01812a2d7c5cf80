package store

import (
	"context"
	"fmt"
	"strings"
)

// MigrateAround applies the migrations before the one whose file name
// contains name, runs between, then applies the rest: a test of what a
// migration does to rows written before it. It does not depend on the
// migration's number, which may change.
func (s *Store) MigrateAround(ctx context.Context, name string, between func() error) error {
	v, err := s.migrationVersion(name)
	if err != nil {
		return err
	}
	p, err := s.provider(nil)
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, v-1); err != nil {
		return err
	}
	if err := between(); err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

// MigrateDownBefore reverts the migrations down to just before the one whose
// file name contains name.
func (s *Store) MigrateDownBefore(ctx context.Context, name string) error {
	v, err := s.migrationVersion(name)
	if err != nil {
		return err
	}
	p, err := s.provider(nil)
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, v-1)
	return err
}

func (s *Store) migrationVersion(name string) (int64, error) {
	p, err := s.provider(nil)
	if err != nil {
		return 0, err
	}
	for _, src := range p.ListSources() {
		if strings.Contains(src.Path, name) {
			return src.Version, nil
		}
	}
	return 0, fmt.Errorf("no migration named like %q", name)
}
