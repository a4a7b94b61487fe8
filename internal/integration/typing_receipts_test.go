package integration

import (
	"testing"

	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// TestTypingGoesToMembersOnly: room-mates see typing, others do not, and a
// non-member cannot type into a room.
func TestTypingGoesToMembersOnly(t *testing.T) {
	tr := newTrio(t, generousLimits)
	pair := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "pair"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(pair), protocol.EventRoom)

	// typing has no reply: the next frame Ann gets for her ping is the pong.
	tr.a.sendRaw(websocket.MessageText, []byte(`{"action":"typing","roomId":"`+pair+`"}`))
	ev := decode[protocol.TypingEvent](t, tr.b.expectEvent(protocol.EventTyping, nil))
	if ev.RoomID != pair || ev.UserID != tr.ann.id || ev.DisplayName != tr.ann.display {
		t.Errorf("typing %+v", ev)
	}
	tr.a.expectNoEvent(protocol.EventTyping, nil) // not echoed to the typist
	tr.a.expectNoEvent(protocol.EventError, nil)  // and not answered
	tr.c.expectNoEvent(protocol.EventTyping, nil) // not a member

	// Cyd is not a member of the public channel: refused, and nobody hears.
	tr.c.callError(protocol.ActionTyping, room(pair), "forbidden")
	tr.a.expectNoEvent(protocol.EventTyping, nil)
	tr.b.expectNoEvent(protocol.EventTyping, func(f frame) bool { return f.fields["userId"] == tr.cyd.id })
}

// TestReadReceiptsAndUnread: markRead tells the room, and unread counts
// survive a reconnect.
func TestReadReceiptsAndUnread(t *testing.T) {
	tr := newTrio(t, generousLimits)
	seqs := sendN(t, tr.a, chat.GeneralRoomID, "r", 5)

	// Bob reads up to the third message.
	read := decode[protocol.ReadEvent](t, tr.b.call(protocol.ActionMarkRead,
		map[string]any{"roomId": chat.GeneralRoomID, "seq": seqs[2]}, protocol.EventRead))
	if read.UserID != tr.bob.id || read.Seq != seqs[2] || read.RoomID != chat.GeneralRoomID {
		t.Errorf("read reply %+v", read)
	}
	for _, c := range []*client{tr.a, tr.c} {
		c.expectEvent(protocol.EventRead, func(f frame) bool {
			ev := decode[protocol.ReadEvent](t, f)
			return ev.UserID == tr.bob.id && ev.Seq == seqs[2]
		})
	}
	// Never backwards.
	back := decode[protocol.ReadEvent](t, tr.b.call(protocol.ActionMarkRead,
		map[string]any{"roomId": chat.GeneralRoomID, "seq": seqs[0]}, protocol.EventRead))
	if back.Seq != seqs[2] {
		t.Errorf("read position moved back to %d", back.Seq)
	}
	tr.b.callError(protocol.ActionMarkRead, map[string]any{"roomId": chat.GeneralRoomID, "seq": seqs[4] + 100}, "invalid")

	// Bob reconnects: two unread, read position kept; the read receipt is
	// in the member list.
	tr.b.conn.CloseNow()
	tr.a.expectEvent(protocol.EventPresence, func(f frame) bool { return f.fields["userId"] == tr.bob.id && f.fields["online"] == false })
	_, st := tr.s.online(tr.bob)
	general, _ := findRoom(st.Rooms, chat.GeneralRoomID)
	if general.ReadSeq != seqs[2] || general.Unread != 2 {
		t.Errorf("bob's #general after reconnect: readSeq %d unread %d, want %d and 2", general.ReadSeq, general.Unread, seqs[2])
	}
	// Ann's own messages are never unread for her.
	_, stA := tr.s.online(tr.ann)
	if g, _ := findRoom(stA.Rooms, chat.GeneralRoomID); g.Unread != 0 {
		t.Errorf("ann has %d unread of her own messages", g.Unread)
	}
	members := decode[protocol.MembersEvent](t, tr.a.call(protocol.ActionListMembers, room(chat.GeneralRoomID), protocol.EventMembers))
	for _, m := range members.Members {
		if m.UserID == tr.bob.id && m.ReadSeq != seqs[2] {
			t.Errorf("bob's readSeq in members = %d, want %d", m.ReadSeq, seqs[2])
		}
	}
}
