package service_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// world is alice's rooms and an outsider, bob, who is in none of them
// (only #general). Carol is alice's partner in a direct room.
type world struct {
	*harness
	alice, bob, carol       chat.Connection
	public, private, direct chat.Room
	publicMsg, privateMsg   chat.Message
	directMsg               chat.Message
}

func newWorld(t *testing.T) *world {
	h := newHarness(t)
	w := &world{harness: h}
	w.alice = h.connect("alice", "a1")
	w.bob = h.connect("bob", "b1")
	w.carol = h.connect("carol", "c1")
	w.public = h.channel(w.alice, "open", false)
	w.private = h.channel(w.alice, "secret", true)
	w.direct = h.direct(w.alice, "carol")
	w.publicMsg = h.send(w.alice, w.public.ID, "public words")
	w.privateMsg = h.send(w.alice, w.private.ID, "private words")
	w.directMsg = h.send(w.alice, w.direct.ID, "direct words")
	h.fan.Reset()
	return w
}

// TestNonMembersAreRefusedEverything is the authorization matrix: each room
// action by a non-member, on a public channel (Forbidden: it may know the
// channel exists), a private channel, a direct room and a room that does
// not exist (NotFound all three: existence is not leaked).
func TestNonMembersAreRefusedEverything(t *testing.T) {
	actions := []struct {
		name string
		do   func(w *world, room chat.Room, seq int64) error
	}{
		{"history", func(w *world, r chat.Room, _ int64) error {
			_, err := w.svc.History(w.ctx, w.bob, protocol.HistoryRequest{RoomID: r.ID})
			return err
		}},
		{"send", func(w *world, r chat.Room, _ int64) error {
			_, err := w.svc.SendMessage(w.ctx, w.bob, protocol.SendMessageRequest{RoomID: r.ID, ClientID: "x1", Text: "let me in"})
			return err
		}},
		{"typing", func(w *world, r chat.Room, _ int64) error {
			return w.svc.Typing(w.ctx, w.bob, protocol.TypingRequest{RoomID: r.ID})
		}},
		{"markRead", func(w *world, r chat.Room, seq int64) error {
			_, err := w.svc.MarkRead(w.ctx, w.bob, protocol.MarkReadRequest{RoomID: r.ID, Seq: seq})
			return err
		}},
		{"listMembers", func(w *world, r chat.Room, _ int64) error {
			_, err := w.svc.ListMembers(w.ctx, w.bob, protocol.RoomRequest{RoomID: r.ID})
			return err
		}},
		{"invite", func(w *world, r chat.Room, _ int64) error {
			_, err := w.svc.InviteToChannel(w.ctx, w.bob, protocol.InviteRequest{RoomID: r.ID, UserIDs: []string{"bob"}})
			return err
		}},
		{"rename", func(w *world, r chat.Room, _ int64) error {
			name := "mine"
			_, err := w.svc.UpdateChannel(w.ctx, w.bob, protocol.UpdateChannelRequest{RoomID: r.ID, Name: &name})
			return err
		}},
		{"edit", func(w *world, r chat.Room, seq int64) error {
			_, err := w.svc.EditMessage(w.ctx, w.bob, protocol.EditMessageRequest{RoomID: r.ID, Seq: seq, Text: "pwned"})
			return err
		}},
		{"delete", func(w *world, r chat.Room, seq int64) error {
			_, err := w.svc.DeleteMessage(w.ctx, w.bob, protocol.MessageRef{RoomID: r.ID, Seq: seq})
			return err
		}},
		{"leave", func(w *world, r chat.Room, _ int64) error {
			_, err := w.svc.LeaveChannel(w.ctx, w.bob, protocol.RoomRequest{RoomID: r.ID})
			return err
		}},
	}
	rooms := []struct {
		name string
		pick func(w *world) (chat.Room, int64)
		want chat.Code
	}{
		{"public", func(w *world) (chat.Room, int64) { return w.public, w.publicMsg.Seq }, chat.Forbidden},
		{"private", func(w *world) (chat.Room, int64) { return w.private, w.privateMsg.Seq }, chat.NotFound},
		{"direct", func(w *world) (chat.Room, int64) { return w.direct, w.directMsg.Seq }, chat.NotFound},
		{"missing", func(w *world) (chat.Room, int64) { return chat.Room{ID: "c_doesnotexist"}, 1 }, chat.NotFound},
	}
	for _, a := range actions {
		for _, r := range rooms {
			t.Run(a.name+"/"+r.name, func(t *testing.T) {
				w := newWorld(t)
				room, seq := r.pick(w)
				before, _, _ := w.store.MessagesAfter(w.ctx, room.ID, 0, 100)
				wantCode(t, a.do(w, room, seq), r.want)
				if sends := w.fan.Sends(); len(sends) != 0 {
					t.Errorf("refused action still pushed %d events", len(sends))
				}
				after, _, _ := w.store.MessagesAfter(w.ctx, room.ID, 0, 100)
				if !slices.EqualFunc(before, after, func(x, y chat.Message) bool {
					return x.Seq == y.Seq && x.Text == y.Text && x.Deleted == y.Deleted
				}) {
					t.Errorf("refused action changed the room's messages")
				}
				if _, err := w.store.GetMember(w.ctx, room.ID, "bob"); err == nil {
					t.Errorf("bob became a member")
				}
				if got, err := w.store.GetRoom(w.ctx, room.ID); err == nil && got.Name != room.Name {
					t.Errorf("room renamed to %q", got.Name)
				}
			})
		}
	}
}

func TestOutsiderCannotSeePrivateRooms(t *testing.T) {
	w := newWorld(t)
	list, err := w.svc.ListChannels(w.ctx, w.bob, protocol.ListChannelsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range list.Rooms {
		names = append(names, r.Name)
		if r.Kind != chat.KindPublic {
			t.Errorf("ListChannels shows %s room %q", r.Kind, r.ID)
		}
	}
	if !slices.Equal(names, []string{"general", "open"}) {
		t.Errorf("channels = %v, want [general open]", names)
	}
	for _, room := range []chat.Room{w.private, w.direct} {
		_, err := w.svc.JoinChannel(w.ctx, w.bob, protocol.RoomRequest{RoomID: room.ID})
		wantCode(t, err, chat.NotFound)
	}
	state, err := w.svc.GetState(w.ctx, w.bob)
	if err != nil {
		t.Fatal(err)
	}
	if ids := roomIDs(state.Rooms); !slices.Equal(ids, []string{chat.GeneralRoomID}) {
		t.Errorf("bob's rooms = %v", ids)
	}
	missed, err := w.svc.Resume(w.ctx, w.bob, protocol.ResumeRequest{Rooms: map[string]int64{w.private.ID: 0, w.direct.ID: 0}})
	if err != nil {
		t.Fatal(err)
	}
	if len(missed.Rooms) != 0 {
		t.Errorf("resume gave bob %d foreign rooms", len(missed.Rooms))
	}
}

func TestOnlyTheAuthorEditsOrDeletes(t *testing.T) {
	w := newWorld(t)
	w.join(w.bob, w.public.ID) // a member, but not the author
	_, err := w.svc.EditMessage(w.ctx, w.bob, protocol.EditMessageRequest{RoomID: w.public.ID, Seq: w.publicMsg.Seq, Text: "mine now"})
	wantCode(t, err, chat.Forbidden)
	_, err = w.svc.DeleteMessage(w.ctx, w.bob, protocol.MessageRef{RoomID: w.public.ID, Seq: w.publicMsg.Seq})
	wantCode(t, err, chat.Forbidden)
	_, err = w.svc.EditMessage(w.ctx, w.carol, protocol.EditMessageRequest{RoomID: w.direct.ID, Seq: w.directMsg.Seq, Text: "mine now"})
	wantCode(t, err, chat.Forbidden)
	m, _ := w.store.GetMessage(w.ctx, w.public.ID, w.publicMsg.Seq)
	if m.Text != "public words" || m.Deleted {
		t.Errorf("message changed: %+v", m)
	}
}

// A client cannot name a sender: the request type has no such field, and
// extra JSON fields are ignored. Sender id and name come from the stored
// connection and the profile.
func TestSenderComesFromTheConnection(t *testing.T) {
	w := newWorld(t)
	var req protocol.SendMessageRequest
	raw := `{"roomId":"general","clientId":"k1","text":"hi","senderId":"alice","senderName":"Alice","userId":"alice","seq":99,"createdAt":"2000-01-01T00:00:00Z"}`
	if err := json.Unmarshal([]byte(raw), &req); err != nil {
		t.Fatal(err)
	}
	ack, err := w.svc.SendMessage(w.ctx, w.bob, req)
	if err != nil {
		t.Fatal(err)
	}
	m := ack.Message
	if m.SenderID != "bob" || m.SenderName != "Bob" {
		t.Errorf("sender = %q/%q, want bob/Bob", m.SenderID, m.SenderName)
	}
	if m.Seq == 99 || !m.CreatedAt.Equal(w.clock()) {
		t.Errorf("seq %d / createdAt %v taken from the payload", m.Seq, m.CreatedAt)
	}
}

func TestDirectRoomsCannotBeJoinedLeftRenamedOrInvitedTo(t *testing.T) {
	w := newWorld(t)
	name := "ours"
	_, err := w.svc.JoinChannel(w.ctx, w.alice, protocol.RoomRequest{RoomID: w.direct.ID})
	wantCode(t, err, chat.Invalid)
	_, err = w.svc.LeaveChannel(w.ctx, w.alice, protocol.RoomRequest{RoomID: w.direct.ID})
	wantCode(t, err, chat.Invalid)
	_, err = w.svc.UpdateChannel(w.ctx, w.alice, protocol.UpdateChannelRequest{RoomID: w.direct.ID, Name: &name})
	wantCode(t, err, chat.Invalid)
	_, err = w.svc.InviteToChannel(w.ctx, w.alice, protocol.InviteRequest{RoomID: w.direct.ID, UserIDs: []string{"bob"}})
	wantCode(t, err, chat.Invalid)
	if _, err := w.store.GetMember(w.ctx, w.direct.ID, "bob"); err == nil {
		t.Error("bob was added to a direct room")
	}
}

func TestPrivateChannelByInvitationOnly(t *testing.T) {
	w := newWorld(t)
	// Bob cannot invite himself, but alice (the owner) can invite him.
	_, err := w.svc.InviteToChannel(w.ctx, w.bob, protocol.InviteRequest{RoomID: w.private.ID, UserIDs: []string{"bob"}})
	wantCode(t, err, chat.NotFound)
	members, err := w.svc.InviteToChannel(w.ctx, w.alice, protocol.InviteRequest{RoomID: w.private.ID, UserIDs: []string{"bob"}})
	if err != nil {
		t.Fatal(err)
	}
	// An invitation, not yet a membership: bob sees it and accepts.
	if len(members.Members) != 1 || members.Type != protocol.EventMembers {
		t.Errorf("members = %+v", members)
	}
	inv := decodeOne[protocol.InvitedEvent](t, w.fan, "b1", protocol.EventInvited)
	if inv.Invite.RoomID != w.private.ID || inv.Invite.RoomName != "secret" || inv.Invite.InvitedBy != "alice" {
		t.Errorf("invited = %+v", inv)
	}
	_, err = w.svc.History(w.ctx, w.bob, protocol.HistoryRequest{RoomID: w.private.ID})
	wantCode(t, err, chat.NotFound)
	if st, _ := w.svc.GetState(w.ctx, w.bob); len(st.Invites) != 1 || st.Invites[0].RoomID != w.private.ID {
		t.Errorf("state invites = %+v", st.Invites)
	}
	// Carol, never invited, cannot accept.
	_, err = w.svc.AcceptInvite(w.ctx, w.carol, protocol.RoomRequest{RoomID: w.private.ID})
	wantCode(t, err, chat.NotFound)
	joined, err := w.svc.AcceptInvite(w.ctx, w.bob, protocol.RoomRequest{RoomID: w.private.ID})
	if err != nil || joined.Room.ID != w.private.ID || joined.Room.MemberCount != 2 {
		t.Fatalf("accept: %+v, %v", joined.Room, err)
	}
	if st, _ := w.svc.GetState(w.ctx, w.bob); len(st.Invites) != 0 {
		t.Errorf("invitation left after accepting: %+v", st.Invites)
	}
	// Now a member, bob reads the history and hears new messages.
	hist, err := w.svc.History(w.ctx, w.bob, protocol.HistoryRequest{RoomID: w.private.ID})
	if err != nil || len(hist.Messages) != 1 {
		t.Fatalf("history: %d messages, err %v", len(hist.Messages), err)
	}
	w.fan.Reset()
	w.send(w.alice, w.private.ID, "hi bob")
	if got := w.fan.OfType("b1", protocol.EventMessage); len(got) != 1 {
		t.Errorf("bob got %d messages", len(got))
	}
}

// An invitee may decline: the invitation is gone, and accepting after
// that is refused as for any outsider.
func TestInvitationCanBeDeclined(t *testing.T) {
	w := newWorld(t)
	if _, err := w.svc.InviteToChannel(w.ctx, w.alice, protocol.InviteRequest{RoomID: w.private.ID, UserIDs: []string{"bob"}}); err != nil {
		t.Fatal(err)
	}
	left, err := w.svc.DeclineInvite(w.ctx, w.bob, protocol.RoomRequest{RoomID: w.private.ID})
	if err != nil || len(left.Invites) != 0 {
		t.Fatalf("decline: %+v, %v", left, err)
	}
	_, err = w.svc.AcceptInvite(w.ctx, w.bob, protocol.RoomRequest{RoomID: w.private.ID})
	wantCode(t, err, chat.NotFound)
	if _, err := w.store.GetMember(w.ctx, w.private.ID, "bob"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("bob is a member after declining: %v", err)
	}
	// A plain member of a private channel may not invite.
	if _, err := w.svc.InviteToChannel(w.ctx, w.alice, protocol.InviteRequest{RoomID: w.private.ID, UserIDs: []string{"carol"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.AcceptInvite(w.ctx, w.carol, protocol.RoomRequest{RoomID: w.private.ID}); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.InviteToChannel(w.ctx, w.carol, protocol.InviteRequest{RoomID: w.private.ID, UserIDs: []string{"bob"}})
	wantCode(t, err, chat.Forbidden)
}
