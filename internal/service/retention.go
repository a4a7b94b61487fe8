package service

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Retention (issue 15): the workspace's default retention (admins,
// getWorkspaceSettings/setWorkspaceSettings; before any is stored, the
// deploy-time Config.RetentionDays), a room's own (its managers,
// setRoomRetention), and each message's expiry stamped when it is stored
// from the room's effective retention (messageExpiry). A change of a room's
// retention re-stamps its stored messages in the background: the room's
// META MODIFY reaches the stream, whose internal/retention consumer pages
// through them (RestampMessages).

// settingsCacheTTL is how long a function instance trusts the workspace
// settings it read: a change reaches every instance within it (the one
// that made it at once).
const settingsCacheTTL = time.Minute

// settingsCache holds the workspace settings last read.
type settingsCache struct {
	mu   sync.Mutex
	ws   chat.WorkspaceSettings
	read time.Time
}

// workspaceSettings returns the workspace settings, from the cache when it
// is younger than settingsCacheTTL; the deploy-time default when none are
// stored or the read fails (logged: a send is not refused for it).
func (s *Chat) workspaceSettings(ctx context.Context) chat.WorkspaceSettings {
	now := s.now()
	s.settings.mu.Lock()
	if !s.settings.read.IsZero() && now.Sub(s.settings.read) < settingsCacheTTL && !now.Before(s.settings.read) {
		ws := s.settings.ws
		s.settings.mu.Unlock()
		return ws
	}
	s.settings.mu.Unlock()
	ws, found, err := s.store.GetWorkspaceSettings(ctx)
	if err != nil {
		s.log.WarnContext(ctx, "workspace settings not read: the deploy-time default applies", slog.Any("error", err))
		return chat.WorkspaceSettings{RetentionDays: s.retentionDays}
	}
	if !found {
		ws = chat.WorkspaceSettings{RetentionDays: s.retentionDays}
	}
	s.settings.mu.Lock()
	s.settings.ws, s.settings.read = ws, now
	s.settings.mu.Unlock()
	return ws
}

// roomRetention is the room's effective retention in days (0: forever).
func (s *Chat) roomRetention(ctx context.Context, room chat.Room) int {
	if room.RetentionDays != nil {
		return *room.RetentionDays
	}
	return s.workspaceSettings(ctx).RetentionDays
}

// messageExpiry is when a message stored now in room expires.
func (s *Chat) messageExpiry(ctx context.Context, room chat.Room, createdAt time.Time) time.Time {
	return chat.MessageExpiry(createdAt, s.roomRetention(ctx, room))
}

// roomExpiry is messageExpiry for callers that have not read the room (a
// system line): one GetRoom; a failed read keeps the message (logged).
func (s *Chat) roomExpiry(ctx context.Context, roomID string, createdAt time.Time) time.Time {
	room, err := s.store.GetRoom(ctx, roomID)
	if err != nil {
		s.log.WarnContext(ctx, "room not read for its retention", slog.String("roomId", roomID), slog.Any("error", err))
		return time.Time{}
	}
	return s.messageExpiry(ctx, room, createdAt)
}

// GetWorkspaceSettings answers the workspace's settings (everyone may read
// them: the rooms show how long they keep messages).
func (s *Chat) GetWorkspaceSettings(ctx context.Context, c chat.Connection) (protocol.WorkspaceSettingsEvent, error) {
	if err := chat.Authorize(chat.ActGetWorkspaceSettings, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.WorkspaceSettingsEvent{}, err
	}
	ws, found, err := s.store.GetWorkspaceSettings(ctx)
	if err != nil {
		return protocol.WorkspaceSettingsEvent{}, storeErr(err, "read workspace settings")
	}
	if !found {
		ws = chat.WorkspaceSettings{RetentionDays: s.retentionDays}
	}
	return settingsEvent(ws), nil
}

// SetWorkspaceSettings changes the workspace's settings (admins). A new
// default retention applies to messages sent from then on in rooms
// without their own, and their stored messages are re-stamped in the
// background (ContinueWorkspaceRestamp: the stream's internal/retention
// pages through the rooms; docs/ARCHITECTURE.md "Retention").
func (s *Chat) SetWorkspaceSettings(ctx context.Context, c chat.Connection, r protocol.SetWorkspaceSettingsRequest) (protocol.WorkspaceSettingsEvent, error) {
	if err := chat.Authorize(chat.ActSetWorkspaceSettings, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.WorkspaceSettingsEvent{}, err
	}
	ws, found, err := s.store.GetWorkspaceSettings(ctx)
	if err != nil {
		return protocol.WorkspaceSettingsEvent{}, storeErr(err, "read workspace settings")
	}
	if !found {
		ws = chat.WorkspaceSettings{RetentionDays: s.retentionDays}
	}
	if r.RetentionDays != nil {
		if err := chat.CheckRetentionDays(*r.RetentionDays); err != nil {
			return protocol.WorkspaceSettingsEvent{}, err
		}
		ws.RetentionDays = *r.RetentionDays
	}
	ws.UpdatedBy, ws.UpdatedAt = c.UserID, s.clock()
	if err := s.store.PutWorkspaceSettings(ctx, ws); err != nil {
		return protocol.WorkspaceSettingsEvent{}, storeErr(err, "store workspace settings")
	}
	s.settings.mu.Lock()
	s.settings.ws, s.settings.read = ws, s.now()
	s.settings.mu.Unlock()
	// The rooms that follow the default have their stored messages
	// re-stamped in the background: the stream's retention consumer pages
	// through the rooms and starts each one's re-stamp (internal/retention).
	if r.RetentionDays != nil {
		if wr, ok := s.store.(chat.WorkspaceRestampStore); ok {
			if err := wr.ContinueWorkspaceRestamp(ctx, ""); err != nil {
				return protocol.WorkspaceSettingsEvent{}, storeErr(err, "start re-stamping the rooms that follow the default")
			}
		}
	}
	s.audit(ctx, c, chat.ActSetWorkspaceSettings, "", "", 0, "", fmt.Sprintf("retentionDays: %d", ws.RetentionDays))
	return settingsEvent(ws), nil
}

func settingsEvent(ws chat.WorkspaceSettings) protocol.WorkspaceSettingsEvent {
	return protocol.WorkspaceSettingsEvent{Head: protocol.Head{Type: protocol.EventWorkspaceSettings}, Settings: ws}
}

// SetRoomRetention sets how long the room keeps its messages (its owners
// and moderators, workspace admins): days, or the workspace's default
// (nil). The members get roomUpdated; the stored messages are re-stamped in
// the background (internal/retention, from the stream).
func (s *Chat) SetRoomRetention(ctx context.Context, c chat.Connection, r protocol.SetRoomRetentionRequest) (protocol.RoomEvent, error) {
	if r.RetentionDays != nil {
		if err := chat.CheckRetentionDays(*r.RetentionDays); err != nil {
			return protocol.RoomEvent{}, err
		}
	}
	ra, err := s.authorize(ctx, c, chat.ActSetRoomRetention, r.RoomID, true)
	if err != nil {
		return protocol.RoomEvent{}, err
	}
	room, err := s.store.SetRoomRetention(ctx, ra.room.ID, r.RetentionDays)
	if err != nil {
		return protocol.RoomEvent{}, roomLookupErr(err)
	}
	detail := "retentionDays: workspace default"
	if r.RetentionDays != nil {
		detail = fmt.Sprintf("retentionDays: %d", *r.RetentionDays)
	}
	s.audit(ctx, c, chat.ActSetRoomRetention, room.ID, "", 0, "", detail)
	s.publish(ctx, chat.RoomUpdated{Actor: chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, Room: room})
	st := protocol.RoomState{Room: room}
	if ra.member != nil {
		st.ReadSeq, st.Role = ra.member.ReadSeq, ra.member.Role
	}
	return protocol.RoomEvent{Head: protocol.Head{Type: protocol.EventRoom}, Room: st}, nil
}

// keepFiles takes the pending tag off a message's files before it is
// stored (the bucket's lifecycle removes uploads still pending after a
// day): a failure fails the send, which the client retries, rather than
// store a message whose file would vanish. Without a BlobLifecycle
// (the in-memory fake) there is nothing to do.
func (s *Chat) keepFiles(ctx context.Context, atts []chat.Attachment) error {
	lc, ok := s.blobs.(chat.BlobLifecycle)
	if !ok || len(atts) == 0 {
		return nil
	}
	keys := make([]string, 0, 2*len(atts))
	for _, a := range atts {
		// The thumbnail too: the thumbnail function tags it as its original
		// (internal/thumbnail); a missing one is skipped.
		keys = append(keys, a.Key)
		if fk, ok := chat.ParseFileKey(a.Key); ok {
			keys = append(keys, fk.ThumbKey())
		}
	}
	if err := lc.Keep(ctx, keys); err != nil {
		return storeErr(err, "keep files")
	}
	return nil
}

// keepAvatar takes the pending tag off a new profile picture (before the
// profile points at it).
func (s *Chat) keepAvatar(ctx context.Context, key string) error {
	lc, ok := s.blobs.(chat.BlobLifecycle)
	if !ok || key == "" {
		return nil
	}
	if err := lc.Keep(ctx, []string{key}); err != nil {
		return storeErr(err, "keep picture")
	}
	return nil
}

// discardAvatar tags a replaced profile picture pending: the lifecycle
// removes it within a day (clients showing it meanwhile keep working).
// Best-effort: the profile has changed already.
func (s *Chat) discardAvatar(ctx context.Context, old, now string) {
	lc, ok := s.blobs.(chat.BlobLifecycle)
	if !ok || old == "" || old == now {
		return
	}
	if err := lc.Discard(ctx, []string{old}); err != nil {
		s.log.WarnContext(ctx, "replaced picture not discarded", slog.String("key", old), slog.Any("error", err))
	}
}
