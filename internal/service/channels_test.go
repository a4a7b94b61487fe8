package service_test

import (
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

func TestCreateChannelValidatesNames(t *testing.T) {
	cases := []struct {
		name, want string
		code       chat.Code
	}{
		{"random", "random", ""},
		{"  Dev-Ops_2  ", "dev-ops_2", ""},
		{"café", "café", ""},
		{"", "", chat.Invalid},
		{"   ", "", chat.Invalid},
		{"two words", "", chat.Invalid},
		{"#hash", "", chat.Invalid},
		{"dot.name", "", chat.Invalid},
		{strings.Repeat("a", protocol.MaxNameRunes), strings.Repeat("a", protocol.MaxNameRunes), ""},
		{strings.Repeat("a", protocol.MaxNameRunes+1), "", chat.Invalid},
		{"bad\xffutf8", "", chat.Invalid},
		{"General", "", chat.Conflict},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			alice := h.connect("alice", "a1")
			ev, err := h.svc.CreateChannel(h.ctx, alice, protocol.CreateChannelRequest{Name: tc.name})
			wantCode(t, err, tc.code)
			if tc.code == "" && ev.Room.Name != tc.want {
				t.Errorf("name = %q, want %q", ev.Room.Name, tc.want)
			}
		})
	}
}

func TestCreateChannel(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("alice", "a2")
	ev, err := h.svc.CreateChannel(h.ctx, alice, protocol.CreateChannelRequest{Name: "plans", Topic: " the future ", Private: true})
	if err != nil {
		t.Fatal(err)
	}
	r := ev.Room
	if ev.Type != protocol.EventRoom || !strings.HasPrefix(r.ID, "c_") || len(r.ID) < 20 {
		t.Errorf("event %q room id %q", ev.Type, r.ID)
	}
	if r.Kind != chat.KindPrivate || r.Topic != "the future" || r.CreatedBy != "alice" || r.MemberCount != 1 {
		t.Errorf("room = %+v", r.Room)
	}
	m, err := h.store.GetMember(h.ctx, r.ID, "alice")
	if err != nil || m.Role != chat.RoleOwner {
		t.Errorf("creator membership = %+v, %v", m, err)
	}
	// The creator's other connection learns of the room; the calling one
	// has the reply.
	decodeOne[protocol.RoomEvent](t, h.fan, "a2", protocol.EventRoomAdded)
	if got := h.fan.OfType("a1", protocol.EventRoomAdded); len(got) != 0 {
		t.Errorf("calling connection got roomAdded too")
	}
	other := h.channel(alice, "plans2", false)
	if other.ID == r.ID {
		t.Error("two channels share an id")
	}
	_, err = h.svc.CreateChannel(h.ctx, alice, protocol.CreateChannelRequest{Name: "x", Topic: strings.Repeat("t", protocol.MaxTopicRunes+1)})
	wantCode(t, err, chat.Invalid)
}

func TestJoinAndLeavePublicChannel(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	h.connect("bob", "b2")
	room := h.channel(alice, "open", false)
	h.send(alice, room.ID, "before bob")
	h.fan.Reset()

	ev, err := h.svc.JoinChannel(h.ctx, bob, protocol.RoomRequest{RoomID: room.ID})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Room.MemberCount != 2 || ev.Room.ReadSeq != 1 || ev.Room.Unread != 0 {
		t.Errorf("joined room = %+v", ev.Room)
	}
	joined := decodeOne[protocol.MemberEvent](t, h.fan, "a1", protocol.EventMemberJoined)
	if joined.User.UserID != "bob" || !joined.User.Online {
		t.Errorf("memberJoined = %+v", joined)
	}
	decodeOne[protocol.RoomEvent](t, h.fan, "b2", protocol.EventRoomAdded)
	if n := len(h.fan.Deliveries("b1")); n != 0 {
		t.Errorf("joining connection got %d pushes: %v", n, h.fan.Types("b1"))
	}

	// Joining again is an idempotent no-op.
	h.fan.Reset()
	if _, err := h.svc.JoinChannel(h.ctx, bob, protocol.RoomRequest{RoomID: room.ID}); err != nil {
		t.Fatal(err)
	}
	if n := len(h.fan.Sends()); n != 0 {
		t.Errorf("second join pushed %d events", n)
	}
	if r, _ := h.store.GetRoom(h.ctx, room.ID); r.MemberCount != 2 {
		t.Errorf("member count = %d after double join", r.MemberCount)
	}

	// Both of bob's connections now hear the room.
	h.send(alice, room.ID, "hi bob")
	for _, c := range []string{"b1", "b2"} {
		if len(h.fan.OfType(c, protocol.EventMessage)) != 1 {
			t.Errorf("%s did not get the message", c)
		}
	}

	h.fan.Reset()
	left, err := h.svc.LeaveChannel(h.ctx, bob, protocol.RoomRequest{RoomID: room.ID})
	if err != nil {
		t.Fatal(err)
	}
	if left.Type != protocol.EventRoomRemoved || left.RoomID != room.ID {
		t.Errorf("leave reply = %+v", left)
	}
	gone := decodeOne[protocol.MemberEvent](t, h.fan, "a1", protocol.EventMemberLeft)
	if gone.User.UserID != "bob" {
		t.Errorf("memberLeft = %+v", gone)
	}
	decodeOne[protocol.RoomEvent](t, h.fan, "b2", protocol.EventRoomRemoved)

	h.fan.Reset()
	h.send(alice, room.ID, "bob is gone")
	for _, c := range []string{"b1", "b2"} {
		if n := len(h.fan.Deliveries(c)); n != 0 {
			t.Errorf("%s still hears the room after leaving", c)
		}
	}
	_, err = h.svc.History(h.ctx, bob, protocol.HistoryRequest{RoomID: room.ID})
	wantCode(t, err, chat.Forbidden)
}

func TestNobodyLeavesGeneral(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	_, err := h.svc.LeaveChannel(h.ctx, alice, protocol.RoomRequest{RoomID: chat.GeneralRoomID})
	wantCode(t, err, chat.Invalid)
}

func TestUpdateChannel(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	room := h.channel(alice, "old", false)
	h.join(bob, room.ID)
	h.fan.Reset()

	name, topic := "New-Name", "fresh topic"
	// A plain member may not; the owner may.
	_, err := h.svc.UpdateChannel(h.ctx, bob, protocol.UpdateChannelRequest{RoomID: room.ID, Name: &name, Topic: &topic})
	wantCode(t, err, chat.Forbidden)
	if r, _ := h.store.GetRoom(h.ctx, room.ID); r.Name != "old" || len(h.fan.Sends()) != 0 {
		t.Fatalf("refused update changed %+v or pushed %v", r, h.fan.Sends())
	}
	ev, err := h.svc.UpdateChannel(h.ctx, alice, protocol.UpdateChannelRequest{RoomID: room.ID, Name: &name, Topic: &topic})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Room.Name != "new-name" || ev.Room.Topic != "fresh topic" {
		t.Errorf("room = %+v", ev.Room.Room)
	}
	upd := decodeOne[protocol.RoomEvent](t, h.fan, "b1", protocol.EventRoomUpdated)
	if upd.Room.Name != "new-name" {
		t.Errorf("roomUpdated = %+v", upd.Room.Room)
	}
	_, err = h.svc.UpdateChannel(h.ctx, alice, protocol.UpdateChannelRequest{RoomID: room.ID})
	wantCode(t, err, chat.Invalid)
	bad := "no spaces"
	_, err = h.svc.UpdateChannel(h.ctx, alice, protocol.UpdateChannelRequest{RoomID: room.ID, Name: &bad})
	wantCode(t, err, chat.Invalid)

	// Not even an admin renames #general; its topic is theirs to set.
	admin := h.connect("root", "r1")
	admin.Groups = []string{chat.GroupAdmins}
	renamed := "lobby"
	_, err = h.svc.UpdateChannel(h.ctx, admin, protocol.UpdateChannelRequest{RoomID: chat.GeneralRoomID, Name: &renamed})
	wantCode(t, err, chat.Invalid)
	_, err = h.svc.UpdateChannel(h.ctx, admin, protocol.UpdateChannelRequest{RoomID: chat.GeneralRoomID, Topic: &topic})
	if err != nil {
		t.Errorf("topic of #general: %v", err)
	}
}

func TestListMembersWithPresence(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("bob", "b1")
	if err := h.svc.Disconnect(h.ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	ev, err := h.svc.ListMembers(h.ctx, alice, protocol.RoomRequest{RoomID: chat.GeneralRoomID})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, m := range ev.Members {
		got[m.UserID] = m.Online
		if m.DisplayName == "" {
			t.Errorf("member %s has no profile", m.UserID)
		}
	}
	if len(got) != 2 || !got["alice"] || got["bob"] {
		t.Errorf("members online = %v, want alice online, bob offline", got)
	}
}

func TestInviteValidation(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("bob", "b1")
	room := h.channel(alice, "team", true)
	_, err := h.svc.InviteToChannel(h.ctx, alice, protocol.InviteRequest{RoomID: room.ID, UserIDs: []string{"bob", "ghost"}})
	wantCode(t, err, chat.NotFound)
	if _, err := h.store.GetMember(h.ctx, room.ID, "bob"); err == nil {
		t.Error("bob was added although the request failed")
	}
	_, err = h.svc.InviteToChannel(h.ctx, alice, protocol.InviteRequest{RoomID: room.ID, UserIDs: []string{"alice"}})
	wantCode(t, err, chat.Invalid)
	_, err = h.svc.InviteToChannel(h.ctx, alice, protocol.InviteRequest{RoomID: room.ID, UserIDs: []string{"bad id!"}})
	wantCode(t, err, chat.Invalid)
	// Inviting again is harmless: one invitation (a private channel), and
	// once accepted, one member.
	for range 2 {
		if _, err := h.svc.InviteToChannel(h.ctx, alice, protocol.InviteRequest{RoomID: room.ID, UserIDs: []string{"bob", "bob"}}); err != nil {
			t.Fatal(err)
		}
	}
	if invs, _ := h.store.UserInvites(h.ctx, "bob"); len(invs) != 1 {
		t.Errorf("invitations = %+v, want one", invs)
	}
	bob := h.connect("bob", "b2")
	if _, err := h.svc.AcceptInvite(h.ctx, bob, protocol.RoomRequest{RoomID: room.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.InviteToChannel(h.ctx, alice, protocol.InviteRequest{RoomID: room.ID, UserIDs: []string{"bob"}}); err != nil {
		t.Fatal(err)
	}
	if r, _ := h.store.GetRoom(h.ctx, room.ID); r.MemberCount != 2 {
		t.Errorf("member count = %d, want 2", r.MemberCount)
	}
	if invs, _ := h.store.UserInvites(h.ctx, "bob"); len(invs) != 0 {
		t.Errorf("a member was invited again: %+v", invs)
	}
}

func TestListChannelsPages(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	for i := range 60 {
		h.channel(alice, "ch-"+string(rune('a'+i/26))+string(rune('a'+i%26)), false)
	}
	first, err := h.svc.ListChannels(h.ctx, alice, protocol.ListChannelsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Rooms) != 50 || first.Cursor == "" {
		t.Fatalf("first page: %d rooms, cursor %q", len(first.Rooms), first.Cursor)
	}
	second, err := h.svc.ListChannels(h.ctx, alice, protocol.ListChannelsRequest{Cursor: first.Cursor})
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Rooms) != 11 || second.Cursor != "" { // 60 + #general
		t.Errorf("second page: %d rooms, cursor %q", len(second.Rooms), second.Cursor)
	}
}

func TestJoinRepairsAHalfDoneJoin(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	room := h.channel(alice, "open", false)

	h.store.FailOnce("AddRoomConnections", chat.Errorf(chat.Internal, "throttled"))
	_, err := h.svc.JoinChannel(h.ctx, bob, protocol.RoomRequest{RoomID: room.ID})
	wantCode(t, err, chat.Internal)
	h.send(alice, room.ID, "not heard yet")
	if len(h.fan.OfType("b1", protocol.EventMessage)) != 0 {
		t.Fatal("bob's connection was indexed despite the failure")
	}
	// The client retries: bob is a member already, and the index is repaired.
	h.join(bob, room.ID)
	h.send(alice, room.ID, "heard")
	if len(h.fan.OfType("b1", protocol.EventMessage)) != 1 {
		t.Error("retry did not repair bob's connection index")
	}
}

func TestConcurrentJoinAnswersTheMembership(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	room := h.channel(alice, "open", false)
	h.join(bob, room.ID)
	h.fan.Reset()
	// Bob's second tab joins at the same moment: its read finds no
	// membership, then AddMember says he is a member.
	h.store.FailOnce("GetMember", chat.Errorf(chat.NotFound, "not a member"))
	ev, err := h.svc.JoinChannel(h.ctx, bob, protocol.RoomRequest{RoomID: room.ID})
	if err != nil || ev.Room.ID != room.ID {
		t.Fatalf("join = %+v, %v", ev, err)
	}
	if n := len(h.fan.Sends()); n != 0 {
		t.Errorf("the losing join announced itself %d times", n)
	}
	if r, _ := h.store.GetRoom(h.ctx, room.ID); r.MemberCount != 2 {
		t.Errorf("member count = %d", r.MemberCount)
	}
}
