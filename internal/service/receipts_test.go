package service_test

import (
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

func TestMarkReadMovesForwardOnly(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	h.connect("bob", "b2")
	h.fill(alice, chat.GeneralRoomID, 5)
	h.fan.Reset()

	ev, err := h.svc.MarkRead(h.ctx, bob, protocol.MarkReadRequest{RoomID: chat.GeneralRoomID, Seq: 4})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != protocol.EventRead || ev.Seq != 4 || ev.UserID != "bob" {
		t.Errorf("read = %+v", ev)
	}
	for _, c := range []string{"a1", "b2"} {
		got := decodeOne[protocol.ReadEvent](t, h.fan, c, protocol.EventRead)
		if got.Seq != 4 || got.UserID != "bob" || got.RoomID != chat.GeneralRoomID {
			t.Errorf("%s saw %+v", c, got)
		}
	}
	if len(h.fan.Deliveries("b1")) != 0 {
		t.Error("the marking connection got a push")
	}

	h.fan.Reset()
	back, err := h.svc.MarkRead(h.ctx, bob, protocol.MarkReadRequest{RoomID: chat.GeneralRoomID, Seq: 2})
	if err != nil || back.Seq != 4 {
		t.Errorf("backwards mark = %+v, %v (want seq 4)", back, err)
	}
	if n := len(h.fan.Sends()); n != 0 {
		t.Errorf("a mark that did not advance pushed %d events", n)
	}
	if m, _ := h.store.GetMember(h.ctx, chat.GeneralRoomID, "bob"); m.ReadSeq != 4 {
		t.Errorf("ReadSeq = %d, want 4", m.ReadSeq)
	}
	_, err = h.svc.MarkRead(h.ctx, bob, protocol.MarkReadRequest{RoomID: chat.GeneralRoomID, Seq: 6})
	wantCode(t, err, chat.Invalid)
	_, err = h.svc.MarkRead(h.ctx, bob, protocol.MarkReadRequest{RoomID: chat.GeneralRoomID, Seq: -1})
	wantCode(t, err, chat.Invalid)
}

func TestStateCountsUnreadAndMentions(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	room := h.channel(alice, "busy", false)
	h.join(bob, room.ID)

	h.send(alice, chat.GeneralRoomID, "one")
	h.send(bob, chat.GeneralRoomID, "my own words do not count")
	h.send(alice, chat.GeneralRoomID, "hey @bob")
	gone := h.send(alice, chat.GeneralRoomID, "deleted @bob")
	if _, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: chat.GeneralRoomID, Seq: gone.Seq}); err != nil {
		t.Fatal(err)
	}
	h.send(alice, chat.GeneralRoomID, "@Bob again")
	h.fill(alice, room.ID, 130)

	state, err := h.svc.GetState(h.ctx, bob)
	if err != nil {
		t.Fatal(err)
	}
	rooms := map[string]protocol.RoomState{}
	for _, r := range state.Rooms {
		rooms[r.ID] = r
	}
	g := rooms[chat.GeneralRoomID]
	if g.Unread != 3 || g.Mentions != 2 || g.ReadSeq != 0 {
		t.Errorf("general: unread %d mentions %d readSeq %d, want 3/2/0", g.Unread, g.Mentions, g.ReadSeq)
	}
	if b := rooms[room.ID]; b.Unread != 100 || b.LastSeq != 130 {
		t.Errorf("busy: unread %d (want capped 100), lastSeq %d", b.Unread, b.LastSeq)
	}

	if _, err := h.svc.MarkRead(h.ctx, bob, protocol.MarkReadRequest{RoomID: chat.GeneralRoomID, Seq: 3}); err != nil {
		t.Fatal(err)
	}
	state, _ = h.svc.GetState(h.ctx, bob)
	for _, r := range state.Rooms {
		if r.ID == chat.GeneralRoomID && (r.Unread != 1 || r.Mentions != 1 || r.ReadSeq != 3) {
			t.Errorf("after markRead: %+v", r)
		}
	}
	// Users carries the people bob shares rooms with, with presence.
	if len(state.Users) != 1 || state.Users[0].UserID != "alice" || !state.Users[0].Online {
		t.Errorf("users = %+v", state.Users)
	}
	if !strings.EqualFold(state.Me.DisplayName, "bob") {
		t.Errorf("me = %+v", state.Me)
	}
}
