package service

import (
	"context"
	"log/slog"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// systemLine stores a line about the room in its timeline (someone joined,
// left, was invited, removed or banned, or got a new role; a rename, a
// topic, a change of kind; archiving) as a message with System set, sent
// by the actor, and delivers it like any message, so it survives a reload
// and takes its place in the room's order. It is best-effort: the action it
// records has happened already, so a failure is logged, not returned.
// Clients that do not know a kind show Text, a plain-English fallback.
func (s *Chat) systemLine(ctx context.Context, roomID string, actor chat.Actor, line chat.SystemLine, names ...string) {
	if !s.systemLines {
		return
	}
	who := s.profileOrStub(ctx, actor.UserID).DisplayName
	now := s.clock()
	msg, _, err := s.store.AppendMessage(ctx, chat.Message{
		RoomID: roomID, ClientID: "sys-" + strings.TrimPrefix(newChannelID(), channelIDPrefix),
		SenderID: actor.UserID, SenderName: who,
		Text:      systemText(line, names),
		CreatedAt: now, ExpiresAt: s.roomExpiry(ctx, roomID, now),
		System: &line,
	})
	if err != nil {
		s.log.WarnContext(ctx, "system line not stored", slog.String("roomId", roomID), slog.String("kind", string(line.Kind)), slog.Any("error", err))
		return
	}
	// Without the actor's connection: unlike a send (answered by an ack),
	// the action's reply does not carry the line, so that connection gets
	// it pushed like everyone else.
	s.publish(ctx, chat.MessageCreated{Actor: chat.Actor{UserID: actor.UserID}, Message: msg})
}

// roleText: a room role in words, after "made Bo …".
func roleText(r chat.Role) string {
	switch r {
	case chat.RoleOwner:
		return "an owner"
	case chat.RoleModerator:
		return "a moderator"
	}
	return "a member"
}

// systemText: the fallback text ("joined", "invited Bo Berg", "changed the
// topic to …"), without the actor's name (clients show the sender).
func systemText(l chat.SystemLine, names []string) string {
	switch l.Kind {
	case chat.SystemJoined:
		return "joined the channel"
	case chat.SystemLeft:
		return "left the channel"
	case chat.SystemInvited:
		return "added " + strings.Join(names, ", ")
	case chat.SystemRenamed:
		return "renamed the channel to #" + l.Name
	case chat.SystemTopic:
		if l.Topic == "" {
			return "cleared the topic"
		}
		return "changed the topic to \u201c" + l.Topic + "\u201d"
	case chat.SystemRemoved:
		return "removed " + strings.Join(names, ", ") + " from the channel"
	case chat.SystemBanned:
		return "banned " + strings.Join(names, ", ") + " from the channel"
	case chat.SystemKindChange:
		return "made the channel " + string(l.RoomKind)
	case chat.SystemArchived:
		return "archived the channel"
	case chat.SystemUnarchived:
		return "unarchived the channel"
	case chat.SystemRole:
		return "made " + strings.Join(names, ", ") + " " + roleText(l.Role)
	case chat.SystemMissedCall:
		what := "called"
		if l.Video {
			what = "video called"
		}
		return what + ": missed by " + strings.Join(names, ", ")
	}
	return ""
}
