package service

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// DeleteAccount deletes the caller's own account. The request does only
// what must happen at once: the profile is marked (so $connect refuses
// the person from this write on, whatever token they hold), the account
// is disabled and signed out everywhere in the pool, their other
// connections are told (signedOut "deleted") and closed, and the erasure
// is queued. This connection is closed by the erasure, after the answer.
func (s *Chat) DeleteAccount(ctx context.Context, c chat.Connection, r protocol.DeleteAccountRequest) (protocol.AccountDeletionEvent, error) {
	if err := chat.Authorize(chat.ActDeleteAccount, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.AccountDeletionEvent{}, err
	}
	if r.Confirm != protocol.DeleteAccountConfirmation {
		return protocol.AccountDeletionEvent{}, chat.Errorf(chat.Invalid, "type %s to confirm that your account and data are deleted", protocol.DeleteAccountConfirmation)
	}
	return s.startErasure(ctx, c, chat.ActDeleteAccount, c.UserID, c.Username, c.ID)
}

// DeleteUser is an admin deleting someone else's account: the same as
// DeleteAccount, and all of their connections close at once.
func (s *Chat) DeleteUser(ctx context.Context, c chat.Connection, r protocol.PersonRequest) (protocol.AccountDeletionEvent, error) {
	if err := s.peopleAllowed(c, chat.ActDeleteUser); err != nil {
		return protocol.AccountDeletionEvent{}, err
	}
	p, err := s.person(ctx, c, r.Username, "delete your own account here: use the settings")
	if err != nil {
		return protocol.AccountDeletionEvent{}, err
	}
	if p.UserID == "" {
		return protocol.AccountDeletionEvent{}, chat.Errorf(chat.Invalid, "this account has no user id")
	}
	return s.startErasure(ctx, c, chat.ActDeleteUser, p.UserID, p.Username, "")
}

func (s *Chat) startErasure(ctx context.Context, c chat.Connection, act chat.Action, userID, username, keep string) (protocol.AccountDeletionEvent, error) {
	if s.erasure == nil {
		return protocol.AccountDeletionEvent{}, chat.Errorf(chat.Internal, "account deletion is not configured")
	}
	if err := s.markDeactivated(ctx, chat.Person{UserID: userID, Username: username}, true); err != nil {
		return protocol.AccountDeletionEvent{}, err
	}
	// No link back: the entry names no target, and a self-deletion no
	// actor. Written before the job is queued, so the erasure's scan
	// cannot pass it by.
	actor := c
	if act == chat.ActDeleteAccount {
		actor.UserID = chat.DeletedActor
	}
	s.audit(ctx, actor, act, "", chat.DeletedActor, 0, "", "")
	if err := s.erasure.EnqueueErasure(ctx, chat.ErasureJob{UserID: userID}); err != nil {
		return protocol.AccountDeletionEvent{}, storeErr(err, "queue the erasure")
	}
	if s.people != nil && username != "" {
		// The erasure deletes the account; disabling it now refuses a
		// password sign-in and every refresh token at once.
		if err := s.people.Deactivate(ctx, username); err != nil {
			s.log.WarnContext(ctx, "account deletion: disable the account", slog.String("userId", userID), slog.Any("error", err))
		}
	}
	closed := s.closeConnectionsFor(ctx, userID, protocol.SignedOutDeleted, keep)
	s.log.InfoContext(ctx, "account deletion queued", slog.String("by", c.UserID), slog.String("userId", userID),
		slog.String("policy", string(s.erasurePolicy)), slog.Int("connectionsClosed", closed))
	return protocol.AccountDeletionEvent{Head: protocol.Head{Type: protocol.EventAccountDeletion}, UserID: userID, Policy: string(s.erasurePolicy)}, nil
}

// ErasurePolicy is the workspace's policy for a deleted person's messages.
func (s *Chat) ErasurePolicy() chat.ErasurePolicy { return s.erasurePolicy }

// EraseAccount runs one pass of an account's erasure (functions/erasure):
// on the first pass the pool account is deleted, every connection closed,
// pending scheduled items' schedules cancelled and the person's files
// (uploads, thumbnails, pictures) deleted; then every pass scans the
// table from the job's cursor (chat.ErasureStore). It returns the result,
// whose Cursor is "" when the erasure is complete. Every step is
// idempotent: a retried or repeated job does no harm.
func (s *Chat) EraseAccount(ctx context.Context, job chat.ErasureJob, stop func() bool) (chat.ErasureResult, error) {
	if job.UserID == "" {
		return chat.ErasureResult{}, chat.Errorf(chat.Invalid, "user id is required")
	}
	es, ok := s.store.(chat.ErasureStore)
	if !ok {
		return chat.ErasureResult{}, chat.Errorf(chat.Internal, "the store cannot erase")
	}
	log := s.log.With(slog.String("userId", job.UserID), slog.Int("pass", job.Pass))
	if job.Cursor == "" {
		prof, err := s.store.GetProfile(ctx, job.UserID)
		if err != nil && chat.ErrorCode(err) != chat.NotFound {
			return chat.ErasureResult{}, storeErr(err, "get profile")
		}
		if err == nil && prof.Username != "" {
			if d, ok := s.people.(chat.AccountDeleter); ok {
				if err := d.DeleteAccount(ctx, prof.Username); err != nil {
					return chat.ErasureResult{}, storeErr(err, "delete the account")
				}
			} else if s.people != nil {
				log.WarnContext(ctx, "erasure: the directory cannot delete accounts")
			}
		}
		s.closeConnectionsFor(ctx, job.UserID, protocol.SignedOutDeleted, "")
		if err := s.cancelSchedules(ctx, job.UserID); err != nil {
			return chat.ErasureResult{}, err
		}
		if err := s.eraseFiles(ctx, job.UserID); err != nil {
			return chat.ErasureResult{}, err
		}
		if err := s.eraseAnalytics(ctx, job.UserID); err != nil { // issue 16
			return chat.ErasureResult{}, err
		}
	}
	res, err := es.EraseUserItems(ctx, job.UserID, s.erasurePolicy, job.Cursor, stop)
	if err != nil {
		return res, storeErr(err, "erase items")
	}
	s.pushErased(ctx, res.Messages)
	log.InfoContext(ctx, "erasure pass", slog.Int("scanned", res.Scanned), slog.Int("deleted", res.Deleted),
		slog.Int("updated", res.Updated), slog.Int("messages", len(res.Messages)), slog.Bool("more", res.Cursor != ""))
	if res.Cursor == "" {
		// The erasure's progress marker: finished (a restore taken before
		// this shows it unfinished: scripts/erasure-replay runs it again).
		if m, ok := s.store.(chat.ErasureMarker); ok {
			if err := m.MarkErased(ctx, job.UserID, s.clock()); err != nil {
				return res, storeErr(err, "mark the erasure finished")
			}
		}
		if prof, err := s.store.GetProfile(ctx, job.UserID); err == nil {
			s.publish(ctx, chat.ProfileUpdated{Actor: chat.Actor{UserID: job.UserID}, Profile: prof})
		}
	}
	return res, nil
}

// maxErasedPushes bounds the messageUpdated pushes of one pass: the
// people online see the erasure of the latest messages at once; anything
// else they see on their next resume (the change log) or load.
const maxErasedPushes = 100

// pushErased tells the rooms of the latest changed messages
// (messageUpdated, with the change number), as an edit or a delete would.
func (s *Chat) pushErased(ctx context.Context, refs []chat.MessageRef) {
	refs = slices.Clone(refs) // the scan's order: newest first instead
	slices.SortFunc(refs, func(a, b chat.MessageRef) int { return cmp.Compare(b.Seq, a.Seq) })
	if len(refs) > maxErasedPushes {
		refs = refs[:maxErasedPushes]
	}
	actor := chat.Actor{UserID: chat.DeletedActor}
	for _, r := range refs {
		m, err := s.store.GetMessage(ctx, r.RoomID, r.Seq)
		if err != nil {
			continue
		}
		if m.Deleted {
			s.publish(ctx, chat.MessageDeleted{Actor: actor, Message: m, Chg: r.Chg})
		} else {
			s.publish(ctx, chat.MessageEdited{Actor: actor, Message: m, Chg: r.Chg})
		}
	}
}

// cancelSchedules deletes the schedules of the person's pending
// scheduled messages and reminders (their items go with the table pass).
func (s *Chat) cancelSchedules(ctx context.Context, userID string) error {
	if s.sched == nil || s.timer == nil {
		return nil
	}
	items, err := s.sched.ListScheduled(ctx, userID)
	if err != nil {
		return storeErr(err, "list scheduled")
	}
	for _, it := range items {
		if it.State == chat.ScheduledPending {
			s.cancelSchedule(ctx, s.timer, it)
		}
	}
	return nil
}

// eraseFiles deletes every object of the person: uploads
// (rooms/<roomId>/<userId>/…) and their thumbnails (thumbs/rooms/…), found
// by listing both prefixes (a file never sent is in no message), and
// their profile pictures (avatars/<userId>/).
func (s *Chat) eraseFiles(ctx context.Context, userID string) error {
	if s.blobs == nil {
		return nil
	}
	lister, ok := s.blobs.(chat.BlobLister)
	if !ok {
		return chat.Errorf(chat.Internal, "the file store cannot list")
	}
	theirs := func(key string) bool {
		rest := strings.TrimPrefix(key, chat.ThumbsPrefix)
		parts := strings.SplitN(rest, "/", 4)
		return len(parts) >= 3 && parts[0] == "rooms" && parts[2] == userID
	}
	deleted := 0
	for _, prefix := range []string{"rooms/", chat.ThumbsPrefix + "rooms/", chat.AvatarsPrefix + userID + "/"} {
		if purger, ok := s.blobs.(chat.BlobVersionPurger); ok {
			// Every version, not just the current objects.
			n, err := purger.PurgeVersions(ctx, prefix, func(k string) bool { return strings.HasPrefix(k, chat.AvatarsPrefix) || theirs(k) })
			deleted += n
			if err != nil {
				return storeErr(err, "erase files")
			}
			continue
		}
		err := lister.ListKeys(ctx, prefix, func(keys []string) error {
			var del []string
			for _, k := range keys {
				if strings.HasPrefix(k, chat.AvatarsPrefix) || theirs(k) {
					del = append(del, k)
				}
			}
			deleted += len(del)
			return s.blobs.Delete(ctx, del)
		})
		if err != nil {
			return storeErr(err, "erase files")
		}
	}
	s.log.InfoContext(ctx, "erasure: files deleted", slog.String("userId", userID), slog.Int("objects", deleted))
	return nil
}
