package chat_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// The rows of support-hours' actions in the policy matrix: in a public
// channel requestTranscript (visitors only) and handOverSupport (bots only)
// are refused to everyone the matrix tries (none is a visitor or a bot).
//
//	out mem own rmod wmod adm wmodOut admOut muted banned
func init() {
	none := [10]string{F, F, F, F, F, F, F, F, F, F}
	for _, a := range []chat.Action{chat.ActRequestTranscript, chat.ActHandOverSupport} {
		matrix = append(matrix, matrixRow{action: a, want: none})
		directGoneWant[a] = F
	}
	workspaceMatrix[chat.ActLeaveSupportMessage] = [3]string{F, F, F}
}

// TestHandOverIsForBotsInTheirSupportRooms: a bot may hand over only a
// support conversation it is a member of; a visitor, an agent or an admin
// may not (they have requestHuman, claim, transfer).
func TestHandOverIsForBotsInTheirSupportRooms(t *testing.T) {
	room := supportRoom(visA, chat.SupportBot)
	bot := func(role chat.Role, r chat.Room) chat.Access {
		return chat.Access{UserID: "bot-1", Groups: []string{chat.GroupBots}, Role: role, Room: r}
	}
	if err := chat.Authorize(chat.ActHandOverSupport, bot(chat.RoleMember, room)); err != nil {
		t.Fatalf("a member bot: %v", err)
	}
	for name, c := range map[string]struct {
		acc  chat.Access
		want chat.Code
	}{
		"a bot not in the room":       {bot("", room), chat.NotFound}, // as a room it is not in
		"a bot in a public channel":   {bot(chat.RoleMember, publicRoom), chat.Invalid},
		"the visitor":                 {visitor(visA, chat.RoleMember, room), chat.Forbidden},
		"an admin member":             {chat.Access{UserID: "u1", Groups: []string{chat.GroupAdmins}, Role: chat.RoleOwner, Room: room}, chat.Forbidden},
		"an agent of the team":        {chat.Access{UserID: "u2", Role: chat.RoleMember, Room: room, Support: chat.SupportAccess{Agent: true}}, chat.Forbidden},
		"a bot that is also an admin": {chat.Access{UserID: "bot-1", Groups: []string{chat.GroupBots, chat.GroupAdmins}, Room: room}, chat.NotFound}, // a plain bot, not in it
	} {
		if got := chat.ErrorCode(chat.Authorize(chat.ActHandOverSupport, c.acc)); got != c.want {
			t.Errorf("%s: %s, want %s", name, got, c.want)
		}
	}
}

// TestTranscriptAndLeaveAMessageAreForVisitors: a visitor asks for the
// transcript of its own conversation only (another's is not_found); leave
// a message is a visitor's workspace action.
func TestTranscriptAndLeaveAMessageAreForVisitors(t *testing.T) {
	own, other := supportRoom(visA, chat.SupportClosed), supportRoom(visB, chat.SupportOpen)
	if err := chat.Authorize(chat.ActRequestTranscript, visitor(visA, chat.RoleMember, own)); err != nil {
		t.Fatalf("own, closed: %v", err)
	}
	if got := chat.ErrorCode(chat.Authorize(chat.ActRequestTranscript, visitor(visA, chat.RoleMember, other))); got != chat.NotFound {
		t.Errorf("another visitor's: %s", got)
	}
	if err := chat.Authorize(chat.ActLeaveSupportMessage, chat.Access{UserID: visA, Groups: []string{chat.GroupVisitors}}); err != nil {
		t.Errorf("leave a message: %v", err)
	}
	if got := chat.ErrorCode(chat.Authorize(chat.ActLeaveSupportMessage, chat.Access{UserID: "u1", Groups: []string{chat.GroupAdmins}})); got != chat.Forbidden {
		t.Errorf("an admin leaving a message: %s", got)
	}
}
