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
	return s.ChargeN(ctx, userID, b, 1)
}

// ChargeN charges units of budget b at once (a weighted action,
// protocol.ActionSpec.Weight): only the read budget has weighted actions.
func (s *Chat) ChargeN(ctx context.Context, userID string, b protocol.Budget, units int) error {
	if units > 1 && b != protocol.BudgetRead {
		return chat.Errorf(chat.Internal, "rate budget %v is not weighted", b)
	}
	switch b {
	case protocol.BudgetNone:
		return nil
	case protocol.BudgetWrite:
		return s.allow(ctx, userID)
	case protocol.BudgetRead:
		return s.limitN(ctx, "read:"+userID, "reads", max(units, 1), s.readsPerWindow)
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

func (s *Chat) limit(ctx context.Context, key, what string, n int) error {
	return s.limitN(ctx, key, what, 1, n)
}

func (s *Chat) limitN(ctx context.Context, key, what string, units, n int) error {
	ok, err := s.store.AllowN(ctx, key, units, n, s.rateWindow)
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
