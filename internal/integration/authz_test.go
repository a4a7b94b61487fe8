package integration

import (
	"testing"

	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// TestAuthorizationMatrix: every room action is refused to non-members
// (forbidden for a public channel, not_found for a private one, so private
// ids cannot be probed), nothing leaks to them, and identity fields in
// payloads change nothing.
func TestAuthorizationMatrix(t *testing.T) {
	tr := newTrio(t, generousLimits)
	public := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "open"}, protocol.EventRoom)).Room.ID
	private := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "closed", "private": true}, protocol.EventRoom)).Room.ID
	tr.a.call(protocol.ActionInviteToChannel, map[string]any{"roomId": private, "userIds": []string{tr.bob.id}}, protocol.EventMembers)
	tr.b.call(protocol.ActionAcceptInvite, room(private), protocol.EventRoom)
	tr.b.call(protocol.ActionJoinChannel, room(public), protocol.EventRoom)
	ack := decode[protocol.AckEvent](t, tr.a.call(protocol.ActionSendMessage, message(private, "p-1", "secret plans"), protocol.EventAck))
	tr.a.call(protocol.ActionSendMessage, message(public, "o-1", "open plans"), protocol.EventAck)

	for _, rm := range []struct {
		id, code string
	}{{public, "forbidden"}, {private, "not_found"}} {
		cases := []struct {
			action  string
			payload map[string]any
		}{
			{protocol.ActionHistory, room(rm.id)},
			{protocol.ActionSendMessage, message(rm.id, "intruder", "hi")},
			{protocol.ActionTyping, room(rm.id)},
			{protocol.ActionMarkRead, map[string]any{"roomId": rm.id, "seq": 1}},
			{protocol.ActionEditMessage, map[string]any{"roomId": rm.id, "seq": 1, "text": "x"}},
			{protocol.ActionDeleteMessage, map[string]any{"roomId": rm.id, "seq": 1}},
			{protocol.ActionListMembers, room(rm.id)},
			{protocol.ActionInviteToChannel, map[string]any{"roomId": rm.id, "userIds": []string{tr.bob.id}}},
			{protocol.ActionUpdateChannel, map[string]any{"roomId": rm.id, "topic": "hijacked"}},
		}
		for _, c := range cases {
			tr.c.callError(c.action, c.payload, rm.code)
		}
		ev := decode[protocol.MissedEvent](t, tr.c.call(protocol.ActionResume, map[string]any{"rooms": map[string]int64{rm.id: 0}}, protocol.EventMissed))
		if len(ev.Rooms) != 0 {
			t.Errorf("non-member resumed %s: %+v", rm.id, ev.Rooms)
		}
	}
	// The private channel's id leaks nowhere.
	tr.c.callError(protocol.ActionJoinChannel, room(private), "not_found")

	// Members' receipts and typing in the private channel stay inside it.
	tr.b.call(protocol.ActionMarkRead, map[string]any{"roomId": private, "seq": ack.Message.Seq}, protocol.EventRead)
	tr.b.sendRaw(websocket.MessageText, []byte(`{"action":"typing","roomId":"`+private+`"}`))
	tr.a.expectEvent(protocol.EventTyping, func(f frame) bool { return f.fields["roomId"] == private })
	tr.a.expectEvent(protocol.EventRead, func(f frame) bool { return f.fields["roomId"] == private })
	tr.c.expectNoEvent(protocol.EventRead, nil)
	tr.c.expectNoEvent(protocol.EventTyping, nil)
	tr.c.expectNoEvent(protocol.EventMessage, nil)

	// Nobody edits or deletes another's message, even as a member.
	tr.b.callError(protocol.ActionEditMessage, map[string]any{"roomId": private, "seq": ack.Message.Seq, "text": "forged"}, "forbidden")
	tr.b.callError(protocol.ActionDeleteMessage, map[string]any{"roomId": private, "seq": ack.Message.Seq}, "forbidden")

	// Identity fields in payloads are ignored: Cyd claims to be Ann.
	forged := decode[protocol.AckEvent](t, tr.c.call(protocol.ActionSendMessage, map[string]any{
		"roomId": "general", "clientId": "forged-1", "text": "I am Ann",
		"senderId": tr.ann.id, "senderName": tr.ann.display, "userId": tr.ann.id, "connectionId": tr.stateA.ConnectionID,
	}, protocol.EventAck)).Message
	if forged.SenderID != tr.cyd.id || forged.SenderName != tr.cyd.display {
		t.Errorf("forged send stored as %s (%s), want cyd", forged.SenderID, forged.SenderName)
	}
	prof := decode[protocol.ProfileEvent](t, tr.c.call(protocol.ActionUpdateProfile,
		map[string]any{"userId": tr.ann.id, "displayName": "Not Ann"}, protocol.EventProfile)).Profile
	if prof.UserID != tr.cyd.id {
		t.Errorf("updateProfile with ann's userId changed %s", prof.UserID)
	}
	users := decode[protocol.UsersEvent](t, tr.a.call(protocol.ActionListUsers, nil, protocol.EventUsers))
	if p, _ := findUser(users.Users, tr.ann.id); p.DisplayName != tr.ann.display {
		t.Errorf("ann's profile became %+v", p)
	}
}
