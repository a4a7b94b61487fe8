package chat_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// The calls' rows of the policy matrix (issue #18). The participants-only
// rows answer forbidden to every persona here: none of them is in a call
// (Access.InCall); TestCallParticipantsOnly has them in one.
//
//	out mem own rmod wmod adm wmodOut admOut muted banned
func init() {
	members := [10]string{F, y, y, y, y, y, F, F, y, F}
	inCall := [10]string{F, F, F, F, F, F, F, F, F, F}
	matrix = append(matrix,
		matrixRow{action: chat.ActStartCall, want: [10]string{F, y, y, y, y, y, F, F, F, F}},
		matrixRow{action: chat.ActJoinCall, want: members},
		matrixRow{action: chat.ActLeaveCall, want: members},
		matrixRow{action: chat.ActDeclineCall, want: members},
		matrixRow{action: chat.ActCallSignal, want: inCall},
		matrixRow{action: chat.ActSetCallMedia, want: inCall},
		matrixRow{action: chat.ActCallHeartbeat, want: inCall},
		matrixRow{action: chat.ActGetIceServers, want: inCall},
	)
	directGoneWant[chat.ActStartCall] = "read_only"
	for _, a := range []chat.Action{chat.ActCallSignal, chat.ActSetCallMedia, chat.ActCallHeartbeat, chat.ActGetIceServers} {
		directGoneWant[a] = F // not in a call here
	}
}

// TestCallParticipantsOnly: signalling, media, heartbeats and ICE servers
// are for the call's participants who are still members of its room; a
// participant who is no longer a member (removed from a private room)
// gets not_found as for any room they cannot see; bots never call.
func TestCallParticipantsOnly(t *testing.T) {
	private := chat.Room{ID: "c_p", Kind: chat.KindPrivate, Name: "p"}
	for _, a := range []chat.Action{chat.ActCallSignal, chat.ActSetCallMedia, chat.ActCallHeartbeat, chat.ActGetIceServers} {
		if err := chat.Authorize(a, chat.Access{Room: private, Role: chat.RoleMember, InCall: true}); err != nil {
			t.Errorf("%s by a participant: %v", a, err)
		}
		if err := chat.Authorize(a, chat.Access{Room: private, Role: chat.RoleMember}); chat.ErrorCode(err) != chat.Forbidden {
			t.Errorf("%s by a member not in the call: %v, want forbidden", a, err)
		}
		if err := chat.Authorize(a, chat.Access{Room: private, InCall: true}); chat.ErrorCode(err) != chat.NotFound {
			t.Errorf("%s by a participant no longer a member: %v, want not_found", a, err)
		}
		if err := chat.Authorize(a, chat.Access{Room: private, Role: chat.RoleMember, InCall: true, Groups: []string{chat.GroupAdmins}}); err != nil {
			t.Errorf("%s by an admin participant: %v", a, err)
		}
	}
	for _, a := range []chat.Action{chat.ActStartCall, chat.ActJoinCall, chat.ActCallSignal, chat.ActGetIceServers} {
		if err := chat.Authorize(a, chat.Access{Room: private, Role: chat.RoleMember, InCall: true, Groups: []string{chat.GroupBots}}); chat.ErrorCode(err) != chat.Forbidden {
			t.Errorf("%s by a bot: %v, want forbidden", a, err)
		}
	}
	// Calls in direct conversations and archived channels.
	dm := chat.Room{ID: "d_x", Kind: chat.KindDirect}
	if err := chat.Authorize(chat.ActStartCall, chat.Access{Room: dm, Role: chat.RoleMember}); err != nil {
		t.Errorf("a call in a DM: %v", err)
	}
	archived := chat.Room{ID: "c_a", Kind: chat.KindPublic, Name: "a", Archived: true}
	if err := chat.Authorize(chat.ActStartCall, chat.Access{Room: archived, Role: chat.RoleMember}); chat.ErrorCode(err) != chat.Forbidden {
		t.Errorf("a call in an archived channel: %v, want forbidden", err)
	}
}
