package dynamo

import (
	"context"
	"strconv"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// rateTTLSlack keeps a window's counter a little past its end, then TTL
// deletes it.
const rateTTLSlack = 60 * time.Second

// Allow counts one event for key in the fixed window containing now (one
// UpdateItem: ADD n 1, returning the new count) and allows it while the
// count is within limit. Windows are aligned to the Unix epoch.
func (s *Store) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error) {
	return s.AllowN(ctx, key, 1, limit, window)
}

// AllowN counts n events at once (ADD n n): a weighted action, one
// UpdateItem as for one event.
func (s *Store) AllowN(ctx context.Context, key string, n, limit int, window time.Duration) (bool, error) {
	ctx = withOp(ctx, "Allow")
	if n < 1 {
		return false, chat.Errorf(chat.Invalid, "rate count must be at least 1")
	}
	if window < time.Millisecond {
		return false, chat.Errorf(chat.Invalid, "rate window must be at least 1ms")
	}
	now := s.now()
	ms := window.Milliseconds()
	start := now.UnixMilli() / ms * ms
	end := time.UnixMilli(start).Add(window)
	var it rateItem
	err := s.table.Update(AttrPK, ratePK(key)).Range(AttrSK, strconv.FormatInt(start, 10)).
		Add("n", n).
		Set(AttrTTL, end.Add(rateTTLSlack).Unix()).
		OnlyUpdatedValue(ctx, &it)
	if err != nil {
		return false, internal(err, "rate limit")
	}
	return it.N <= limit, nil
}
