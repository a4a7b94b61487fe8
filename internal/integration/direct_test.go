package integration

import (
	"slices"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// TestDirectMessages: a pair always meets in the same room, a group DM is
// its own room, and outsiders see none of it.
func TestDirectMessages(t *testing.T) {
	tr := newTrio(t, generousLimits)

	ab := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionOpenDirect,
		map[string]any{"userIds": []string{tr.bob.id}}, protocol.EventRoom)).Room
	if ab.Kind != chat.KindDirect || !slices.Equal(ab.MemberIDs, sortedIDs(tr.ann.id, tr.bob.id)) {
		t.Fatalf("DM %+v, want direct between ann and bob", ab)
	}
	tr.b.expectEvent(protocol.EventRoomAdded, func(f frame) bool {
		return decode[protocol.RoomEvent](t, f).Room.ID == ab.ID
	})
	// Bob opening it from his side, and Ann again (with a duplicate id),
	// land in the same room.
	ba := decode[protocol.RoomEvent](t, tr.b.call(protocol.ActionOpenDirect,
		map[string]any{"userIds": []string{tr.ann.id}}, protocol.EventRoom)).Room
	again := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionOpenDirect,
		map[string]any{"userIds": []string{tr.bob.id, tr.bob.id, tr.ann.id}}, protocol.EventRoom)).Room
	if ba.ID != ab.ID || again.ID != ab.ID {
		t.Fatalf("same pair got rooms %s, %s and %s", ab.ID, ba.ID, again.ID)
	}

	tr.a.call(protocol.ActionSendMessage, message(ab.ID, "dm-1", "psst"), protocol.EventAck)
	got := decode[protocol.MessageEvent](t, tr.b.expectEvent(protocol.EventMessage, func(f frame) bool {
		return decode[protocol.MessageEvent](t, f).Message.RoomID == ab.ID
	}))
	if got.Message.Text != "psst" || got.Message.SenderID != tr.ann.id {
		t.Errorf("bob got %+v", got.Message)
	}
	tr.c.expectNoEvent(protocol.EventMessage, nil)
	// Cyd cannot read, post to, join or learn about the pair's DM.
	tr.c.callError(protocol.ActionHistory, room(ab.ID), "not_found")
	tr.c.callError(protocol.ActionSendMessage, message(ab.ID, "x", "let me in"), "not_found")
	tr.c.callError(protocol.ActionJoinChannel, room(ab.ID), "not_found")
	tr.c.callError(protocol.ActionListMembers, room(ab.ID), "not_found")
	// Members cannot turn it into something else.
	tr.a.callError(protocol.ActionInviteToChannel, map[string]any{"roomId": ab.ID, "userIds": []string{tr.cyd.id}}, "invalid")
	tr.a.callError(protocol.ActionLeaveChannel, room(ab.ID), "invalid")

	// A group DM of the three is another room, which all of them get.
	group := decode[protocol.RoomEvent](t, tr.c.call(protocol.ActionOpenDirect,
		map[string]any{"userIds": []string{tr.ann.id, tr.bob.id}}, protocol.EventRoom)).Room
	if group.ID == ab.ID || group.MemberCount != 3 {
		t.Fatalf("group DM %+v", group)
	}
	for _, c := range []*client{tr.a, tr.b} {
		c.expectEvent(protocol.EventRoomAdded, func(f frame) bool { return decode[protocol.RoomEvent](t, f).Room.ID == group.ID })
	}
	tr.c.call(protocol.ActionSendMessage, message(group.ID, "g-1", "all three"), protocol.EventAck)
	for _, c := range []*client{tr.a, tr.b} {
		c.expectEvent(protocol.EventMessage, func(f frame) bool { return decode[protocol.MessageEvent](t, f).Message.RoomID == group.ID })
	}

	// A DM with yourself only, or with nobody, is refused.
	tr.a.callError(protocol.ActionOpenDirect, map[string]any{"userIds": []string{tr.ann.id}}, "invalid")
	tr.a.callError(protocol.ActionOpenDirect, map[string]any{"userIds": []string{}}, "invalid")
	tr.a.callError(protocol.ActionOpenDirect, map[string]any{"userIds": []string{"nobody-here"}}, "not_found")
}
