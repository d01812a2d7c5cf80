package service

import (
	"context"

	"github.com/rcm-iom/consenso/internal/auth"
)

// createPlain runs a creating use case in one transaction.
func createPlain[T any](ctx context.Context, s *Service, p auth.Principal, create func(u *unit) (T, error)) (T, error) {
	var out T
	err := s.write(ctx, p.ID, func(u *unit) error {
		var err error
		out, err = create(u)
		return err
	})
	return out, err
}

// createOnce runs a creating use case once per Idempotency-Key (see
// writeOnce): the answer render makes is stored in the same transaction and
// replayed to a retry.
func createOnce[T any](ctx context.Context, s *Service, p auth.Principal, idem Idempotency,
	create func(u *unit) (T, error), render func(T) (int, []byte, error)) (Response, error) {
	return s.writeOnce(ctx, p, idem, func(u *unit) (int, []byte, error) {
		v, err := create(u)
		if err != nil {
			return 0, nil, err
		}
		return render(v)
	})
}
