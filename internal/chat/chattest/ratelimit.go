package chattest

import (
	"context"
	"fmt"
	"time"
)

// Allow counts events per key in fixed windows aligned on the epoch, as a
// DynamoDB counter item keyed by key and window start would.
func (s *Store) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error) {
	return s.AllowN(ctx, key, 1, limit, window)
}

// AllowN counts n events at once.
func (s *Store) AllowN(ctx context.Context, key string, n, limit int, window time.Duration) (bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "Allow", key); err != nil {
		return false, err
	}
	start := s.Now().Truncate(window).UnixNano()
	k := fmt.Sprintf("%s\x00%d", key, start)
	s.counters[k] += n
	return s.counters[k] <= limit, nil
}
