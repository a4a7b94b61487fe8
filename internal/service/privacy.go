package service

import (
	"context"
	"log/slog"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Privacy controls and blocking (issue #15). The settings and the block
// list live in the person's preferences item (synced to their devices by
// the preferences event); "appear offline" and "hide read receipts" are
// mirrored onto the profile so the listings others see honour them
// without another read. The rules themselves are domain functions
// (chat.CanOpenDirect, chat.DeliverInvite, chat.PresenceSeenBy,
// chat.ReceiptVisible, and DecideNotify for blocked senders).

// applyPrivacy applies a setPreferences privacy patch and checks it.
func applyPrivacy(p *chat.Privacy, patch *protocol.PrivacyPatch) error {
	if patch == nil {
		return nil
	}
	setIf(&p.AppearOffline, patch.AppearOffline)
	setIf(&p.HideReceipts, patch.HideReceipts)
	if patch.DMFrom != nil {
		p.DMFrom = chat.DMFrom(*patch.DMFrom)
	}
	return p.Validate()
}

// privacyChanged mirrors the two settings others' views need onto the
// profile (one UpdateItem, only when one of them changed) and, when
// "appear offline" flipped while the person is connected, tells the people
// sharing a room with them: offline with no last seen, or online again.
func (s *Chat) privacyChanged(ctx context.Context, c chat.Connection, before, after chat.Privacy) error {
	if before.AppearOffline == after.AppearOffline && before.HideReceipts == after.HideReceipts {
		return nil
	}
	if err := s.store.SetProfilePrivacy(ctx, c.UserID, after.AppearOffline, after.HideReceipts); err != nil {
		return storeErr(err, "set profile privacy")
	}
	if before.AppearOffline == after.AppearOffline {
		return nil
	}
	roomIDs, err := s.userRoomIDs(ctx, c.UserID)
	if err != nil {
		s.log.WarnContext(ctx, "presence change not announced", slog.Any("error", err))
		return nil
	}
	ev := protocol.PresenceEvent{Head: protocol.Head{Type: protocol.EventPresence}, UserID: c.UserID, Online: !after.AppearOffline}
	s.push.send(ctx, s.push.sharedAudience(ctx, c.UserID, roomIDs), ev)
	return nil
}

// BlockUser adds a person to the caller's block list. Nobody else is told.
// Cost: GetProfile of the person, then as setPreferences.
func (s *Chat) BlockUser(ctx context.Context, c chat.Connection, r protocol.BlockUserRequest) (protocol.PreferencesEvent, error) {
	if err := chat.Authorize(chat.ActBlockUser, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.PreferencesEvent{}, err
	}
	if r.UserID == "" || r.UserID == c.UserID {
		return protocol.PreferencesEvent{}, chat.Errorf(chat.Invalid, "userId must name someone other than you")
	}
	if _, err := s.requireProfiles(ctx, []string{r.UserID}); err != nil {
		return protocol.PreferencesEvent{}, err
	}
	p, err := s.store.UpdatePreferences(ctx, c.UserID, func(p *chat.Preferences) error {
		return p.Block(c.UserID, r.UserID)
	})
	if err != nil {
		return protocol.PreferencesEvent{}, storeErr(err, "block")
	}
	// Not in the audit log: who blocked whom is nobody's business, an
	// admin's neither.
	return s.preferencesChanged(ctx, c, p), nil
}

// UnblockUser removes a person from the caller's block list (unblocking
// someone not blocked is fine).
func (s *Chat) UnblockUser(ctx context.Context, c chat.Connection, r protocol.BlockUserRequest) (protocol.PreferencesEvent, error) {
	if err := chat.Authorize(chat.ActUnblockUser, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.PreferencesEvent{}, err
	}
	if r.UserID == "" || r.UserID == c.UserID {
		return protocol.PreferencesEvent{}, chat.Errorf(chat.Invalid, "userId must name someone other than you")
	}
	p, err := s.store.UpdatePreferences(ctx, c.UserID, func(p *chat.Preferences) error {
		p.Unblock(r.UserID)
		return nil
	})
	if err != nil {
		return protocol.PreferencesEvent{}, storeErr(err, "unblock")
	}
	return s.preferencesChanged(ctx, c, p), nil
}

// ListBlocked answers the profiles of the people the caller blocked
// (presence as the caller may see it). Cost: the preferences GetItem and
// one BatchGetItem per 100 people.
func (s *Chat) ListBlocked(ctx context.Context, c chat.Connection) (protocol.UsersEvent, error) {
	if err := chat.Authorize(chat.ActListBlocked, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.UsersEvent{}, err
	}
	p, err := s.store.GetPreferences(ctx, c.UserID)
	if err != nil {
		return protocol.UsersEvent{}, storeErr(err, "get preferences")
	}
	users, err := s.profilesOf(ctx, p.Blocked)
	if err != nil {
		return protocol.UsersEvent{}, err
	}
	for i := range users {
		users[i] = chat.PresenceSeenBy(users[i], c.UserID)
	}
	return protocol.UsersEvent{Head: protocol.Head{Type: protocol.EventUsers}, Users: users}, nil
}

// checkDirect asks chat.CanOpenDirect for each other person of a new
// direct conversation: one preferences GetItem each, and, only for those
// accepting people of their rooms, the two people's room lists.
func (s *Chat) checkDirect(ctx context.Context, c chat.Connection, others []string, profiles map[string]chat.Profile) error {
	var mine map[string]bool
	for _, id := range others {
		prefs, err := s.store.GetPreferences(ctx, id)
		if err != nil {
			return storeErr(err, "get preferences")
		}
		shares := false
		if chat.NeedsSharedRoom(prefs, c.UserID) {
			if mine == nil {
				ids, err := s.userRoomIDs(ctx, c.UserID)
				if err != nil {
					return err
				}
				mine = make(map[string]bool, len(ids))
				for _, r := range ids {
					mine[r] = true
				}
			}
			theirs, err := s.userRoomIDs(ctx, id)
			if err != nil {
				return err
			}
			for _, r := range theirs {
				if mine[r] {
					shares = true
					break
				}
			}
		}
		if err := chat.CanOpenDirect(prefs, profiles[id].DisplayName, c.UserID, shares); err != nil {
			return err
		}
	}
	return nil
}

// deliverable keeps the invitees who did not block the inviter (one
// preferences GetItem each); the others are dropped silently.
func (s *Chat) deliverable(ctx context.Context, inviterID string, ids []string) ([]string, error) {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		prefs, err := s.store.GetPreferences(ctx, id)
		if err != nil {
			return nil, storeErr(err, "get preferences")
		}
		if chat.DeliverInvite(prefs, inviterID) {
			out = append(out, id)
		}
	}
	return out, nil
}

// presenceHidden says whether userID appears offline (their profile's
// mirror); an unreadable profile counts as not hidden.
func (s *Chat) presenceHidden(ctx context.Context, userID string) bool {
	p, err := s.store.GetProfile(ctx, userID)
	return err == nil && p.HidePresence
}
