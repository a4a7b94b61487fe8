package chat_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// botIn is a bot's access in room: a member (added to the room) or not.
func botIn(room chat.Room, added bool, author chat.Authorship) chat.Access {
	acc := chat.Access{Groups: []string{chat.GroupBots}, Room: room, Author: author}
	if added {
		acc.Role = chat.RoleMember
	}
	return acc
}

// TestPolicyBotsOnlyInTheirRooms: a bot acts only in the rooms it was
// added to, and only with the actions bots may use; everywhere else it is
// refused as an outsider is (Forbidden in a public channel, NotFound in a
// private or direct room, so ids cannot be probed).
func TestPolicyBotsOnlyInTheirRooms(t *testing.T) {
	allowed := []chat.Action{chat.ActSendMessage, chat.ActHistory, chat.ActResume, chat.ActReact,
		chat.ActThreadHistory, chat.ActListMembers, chat.ActTyping, chat.ActMarkRead, chat.ActScheduleMessage}
	for _, room := range []chat.Room{publicRoom, privateRoom, directRoom, generalRoom} {
		for _, a := range allowed {
			if err := chat.Authorize(a, botIn(room, true, chat.AuthorUnchecked)); err != nil {
				t.Errorf("%s by a bot added to %s: %v, want allowed", a, room.ID, err)
			}
			want := chat.NotFound
			if room.Kind == chat.KindPublic {
				want = chat.Forbidden
			}
			if got := chat.ErrorCode(chat.Authorize(a, botIn(room, false, chat.AuthorUnchecked))); got != want {
				t.Errorf("%s by a bot not in %s: %q, want %q", a, room.ID, got, want)
			}
		}
	}
	// Its own messages only.
	for _, a := range []chat.Action{chat.ActEditMessage, chat.ActDeleteMessage} {
		if err := chat.Authorize(a, botIn(publicRoom, true, chat.AuthorSelf)); err != nil {
			t.Errorf("%s own message by a bot: %v", a, err)
		}
		if got := chat.ErrorCode(chat.Authorize(a, botIn(publicRoom, true, chat.AuthorOther))); got != chat.Forbidden {
			t.Errorf("%s other's message by a bot: %q, want forbidden", a, got)
		}
	}
	// Archived rooms are read-only for bots too.
	if got := chat.ErrorCode(chat.Authorize(chat.ActSendMessage, botIn(archivedRoom, true, chat.AuthorUnchecked))); got != chat.Forbidden {
		t.Errorf("send in an archived room by a bot: %q", got)
	}
	if err := chat.Authorize(chat.ActHistory, botIn(archivedRoom, true, chat.AuthorUnchecked)); err != nil {
		t.Errorf("history of an archived room by a bot: %v", err)
	}
}

// TestPolicyBotsCannotDoAdminThings: every action outside the bots' list
// is refused to a bot, in a room it is in or not, even were it given a
// higher role or an admin group beside the bots group.
func TestPolicyBotsCannotDoAdminThings(t *testing.T) {
	for _, a := range chat.Actions() {
		if chat.BotMay(a) {
			continue
		}
		for _, acc := range []chat.Access{
			botIn(publicRoom, true, chat.AuthorSelf),
			{Groups: []string{chat.GroupBots, chat.GroupAdmins}, Role: chat.RoleOwner, Room: publicRoom},
			{Groups: []string{chat.GroupBots}},
		} {
			if got := chat.ErrorCode(chat.Authorize(a, acc)); got != chat.Forbidden {
				t.Errorf("%s by a bot (%v): %q, want forbidden", a, acc.Groups, got)
			}
		}
	}
	for _, a := range []chat.Action{chat.ActCreateChannel, chat.ActOpenDirect, chat.ActJoinChannel,
		chat.ActCreateBot, chat.ActAddBotToRoom, chat.ActRemoveMember, chat.ActPinMessage, chat.ActSearch} {
		if chat.BotMay(a) {
			t.Errorf("bots may %s", a)
		}
	}
	// A bot made a room moderator still moderates nothing: it deletes only
	// its own messages.
	acc := chat.Access{Groups: []string{chat.GroupBots, chat.GroupAdmins}, Role: chat.RoleOwner, Room: publicRoom, Author: chat.AuthorOther}
	if got := chat.ErrorCode(chat.Authorize(chat.ActDeleteMessage, acc)); got != chat.Forbidden {
		t.Errorf("a bot with the owner role deleting another's message: %q", got)
	}
	// Not added, it is an outsider even in a group that is staff elsewhere.
	acc = chat.Access{Groups: []string{chat.GroupBots, chat.GroupAdmins}, Room: privateRoom}
	if got := chat.ErrorCode(chat.Authorize(chat.ActHistory, acc)); got != chat.NotFound {
		t.Errorf("a bot in the admins group reading a private room it is not in: %q", got)
	}
}
