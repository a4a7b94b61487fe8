package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Handles are derived, not asked for: a new person's first connect (their
// sign-up) claims one made from their display name or their email's local
// part ("Bo Berg" -> "bo.berg", taken -> "bo.berg2" …), and so does the
// next connect of anyone who signed up before handles existed (their
// profile has none). They change it in the settings (updateProfile
// {handle}).

// placeholderHandle reports whether p still has the display name and the
// handle its token gave it at sign-up when that token carried no name (the
// pool's name claim missing: cognito-local, or a pool without the
// attribute), so the name is the email's local part, a placeholder, and the
// handle was derived from it. The client then sends the name given at
// sign-up (issue 10 item 8), and the handle follows that first rename once:
// after it the display name is no longer the placeholder. A handle the
// person chose never matches (it is not derived from the placeholder).
func placeholderHandle(c chat.Connection, p chat.Profile) bool {
	// The connection keeps no email (issue #15): NameFromEmail says it.
	if !c.PlaceholderName() || p.DisplayName != cleanName(c.DisplayName) || p.Handle == "" {
		return false
	}
	base := chat.DeriveHandle(p.DisplayName, "") // the name is the email's local part
	rest, found := strings.CutPrefix(p.Handle, base)
	return found && len(rest) <= 4 && strings.Trim(rest, "0123456789") == ""
}

// handleNumbered and handleRandom bound the claims one derivation makes: the base, then the
// base with 2..9 appended, then a few random 4-digit suffixes.
const (
	handleNumbered = 9
	handleRandom   = 4
)

// ensureHandle gives p a handle if it has none and returns p as stored. A
// failure is logged and p returned without one: a handle is not worth a
// refused connection, and the next connect tries again.
func (s *Chat) ensureHandle(ctx context.Context, p chat.Profile, email string) chat.Profile {
	if p.Handle != "" {
		return p
	}
	return s.deriveHandle(ctx, p, email)
}

// deriveHandle claims the first free candidate made from p's display name
// (or email), keeping p's handle when it is one of them.
func (s *Chat) deriveHandle(ctx context.Context, p chat.Profile, email string) chat.Profile {
	base := chat.DeriveHandle(p.DisplayName, email)
	for i := 1; i <= handleNumbered+handleRandom; i++ {
		h := handleCandidate(base, i)
		got, err := s.store.SetHandle(ctx, p.UserID, h)
		if err == nil {
			return got
		}
		if !errors.Is(err, chat.ErrHandleTaken) {
			s.log.WarnContext(ctx, "could not give a handle", slog.String("userId", p.UserID), slog.Any("error", err))
			return p
		}
	}
	s.log.WarnContext(ctx, "no free handle found", slog.String("userId", p.UserID), slog.String("base", base))
	return p
}

// handleCandidate is the i-th handle tried for base (i from 1).
func handleCandidate(base string, i int) string {
	switch {
	case i == 1:
		return base
	case i <= handleNumbered:
		return fmt.Sprintf("%s%d", base, i)
	default:
		return fmt.Sprintf("%s%04d", base, rand.IntN(10000))
	}
}
