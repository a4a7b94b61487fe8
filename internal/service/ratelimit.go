package service

import (
	"context"
	"errors"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// allow counts one action of the user against RatePerWindow per
// RateWindow. Each user has their own key, so one noisy user never slows
// another. A failing limiter fails the action (closed), like the store
// behind it would.
func (s *Chat) allow(ctx context.Context, userID string) error {
	ok, err := s.store.Allow(ctx, "user:"+userID, s.ratePerWindow, s.rateWindow)
	if err != nil {
		return storeErr(err, "rate limit")
	}
	if !ok {
		return chat.Errorf(chat.RateLimited, "too many requests: limit is %d per %s, retry shortly", s.ratePerWindow, s.rateWindow)
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
