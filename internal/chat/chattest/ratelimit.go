package chattest

import (
	"context"
	"fmt"
	"time"
)

// Allow counts events per key in fixed windows aligned on the epoch, as a
// DynamoDB counter item keyed by key and window start would.
func (s *Store) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "Allow", key); err != nil {
		return false, err
	}
	start := s.Now().Truncate(window).UnixNano()
	k := fmt.Sprintf("%s\x00%d", key, start)
	s.counters[k]++
	return s.counters[k] <= limit, nil
}
