package service

import (
	"context"
	"errors"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Charge counts one action of the user against the rate budget b; the
// action dispatcher (wsapi) calls it before every action, with the budget
// of the action's row in protocol.ActionTable. It fails with RateLimited
// when the budget of this window is spent. Typing is not charged here: it
// has its own silent throttle (Typing).
func (s *Chat) Charge(ctx context.Context, userID string, b protocol.Budget) error {
	switch b {
	case protocol.BudgetNone:
		return nil
	case protocol.BudgetWrite:
		return s.allow(ctx, userID)
	case protocol.BudgetRead:
		return s.allowRead(ctx, userID)
	case protocol.BudgetDownload:
		return s.allowDownload(ctx, userID)
	}
	return chat.Errorf(chat.Internal, "rate budget %v is not known", b)
}

// allow counts one action of the user against RatePerWindow per
// RateWindow. Each user has their own key, so one noisy user never slows
// another. A failing limiter fails the action (closed), like the store
// behind it would.
func (s *Chat) allow(ctx context.Context, userID string) error {
	return s.limit(ctx, "user:"+userID, "requests", s.ratePerWindow)
}

// allowRead counts one read (history, resume, a listing) against
// ReadsPerWindow, apart from the actions that write.
func (s *Chat) allowRead(ctx context.Context, userID string) error {
	return s.limit(ctx, "read:"+userID, "reads", s.readsPerWindow)
}

func (s *Chat) limit(ctx context.Context, key, what string, n int) error {
	ok, err := s.store.Allow(ctx, key, n, s.rateWindow)
	if err != nil {
		return storeErr(err, "rate limit")
	}
	if !ok {
		return chat.Errorf(chat.RateLimited, "too many %s: limit is %d per %s, retry shortly", what, n, s.rateWindow)
	}
	return nil
}

// storeErr passes coded store errors on and wraps anything else as Internal.
func storeErr(err error, what string) error {
	var coded *chat.Error
	if errors.As(err, &coded) {
		return err
	}
	return chat.Wrap(err, "%s failed", what)
}
