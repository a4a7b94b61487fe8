package service_test

import (
	"context"
	"slices"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// wantEvents fails unless exactly events of these types (in order) were
// published since the last reset, and returns them.
func wantEvents(t *testing.T, h *harness, types ...chat.EventType) []chat.Event {
	t.Helper()
	got := h.events.All()
	var gotTypes []chat.EventType
	for _, ev := range got {
		gotTypes = append(gotTypes, ev.Type())
	}
	if !slices.Equal(gotTypes, types) {
		t.Fatalf("published %v, want %v", gotTypes, types)
	}
	h.events.Reset()
	return got
}

func wantActor(t *testing.T, got chat.Actor, c chat.Connection) {
	t.Helper()
	if got.UserID != c.UserID || got.ConnectionID != c.ID {
		t.Errorf("actor = %+v, want %s on %s", got, c.UserID, c.ID)
	}
}

func TestSignInPublishesGeneral(t *testing.T) {
	h := newHarness(t)
	h.connect("alice", "a1") // creates #general
	evs := wantEvents(t, h, chat.EventRoomCreated, chat.EventMemberJoined)
	if rc := evs[0].(chat.RoomCreated); rc.Room.ID != chat.GeneralRoomID || rc.Actor.UserID != "alice" || rc.Actor.ConnectionID != "" {
		t.Errorf("RoomCreated = %+v", rc)
	}
	if mj := evs[1].(chat.MemberJoined); !mj.WithRoom || mj.Member.UserID != "alice" || mj.Member.RoomID != chat.GeneralRoomID {
		t.Errorf("MemberJoined = %+v", mj)
	}
	h.connect("bob", "b1") // joins #general
	evs = wantEvents(t, h, chat.EventMemberJoined)
	if mj := evs[0].(chat.MemberJoined); mj.WithRoom || mj.Member.UserID != "bob" || mj.Profile.UserID != "bob" || mj.Profile.DisplayName != "Bob" {
		t.Errorf("MemberJoined = %+v", mj)
	}
	h.connect("bob", "b2") // a second connection: nothing happened to the domain
	wantEvents(t, h)
}

func TestMessageUseCasesPublish(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.connect("alice", "a1"), h.connect("bob", "b1")
	h.events.Reset()

	req := protocol.SendMessageRequest{RoomID: chat.GeneralRoomID, ClientID: "k1", Text: "hello"}
	ack, err := h.svc.SendMessage(h.ctx, alice, req)
	if err != nil {
		t.Fatal(err)
	}
	mc := wantEvents(t, h, chat.EventMessageCreated)[0].(chat.MessageCreated)
	wantActor(t, mc.Actor, alice)
	if mc.Message.Seq != ack.Message.Seq || mc.Message.Text != "hello" || mc.Message.SenderID != "alice" {
		t.Errorf("MessageCreated = %+v", mc)
	}
	if ack.Delivered != 1 { // b1
		t.Errorf("delivered = %d, want 1", ack.Delivered)
	}

	// An idempotent retry stores and publishes nothing.
	again, err := h.svc.SendMessage(h.ctx, alice, req)
	if err != nil || !again.Duplicate {
		t.Fatalf("retry: %+v, %v", again, err)
	}
	wantEvents(t, h)

	seq := ack.Message.Seq
	if _, err := h.svc.EditMessage(h.ctx, alice, protocol.EditMessageRequest{RoomID: chat.GeneralRoomID, Seq: seq, Text: "hello, world"}); err != nil {
		t.Fatal(err)
	}
	me := wantEvents(t, h, chat.EventMessageEdited)[0].(chat.MessageEdited)
	wantActor(t, me.Actor, alice)
	if me.Message.Text != "hello, world" || me.Message.EditedAt.IsZero() {
		t.Errorf("MessageEdited = %+v", me)
	}

	// Refused: not the author.
	_, err = h.svc.EditMessage(h.ctx, bob, protocol.EditMessageRequest{RoomID: chat.GeneralRoomID, Seq: seq, Text: "mine"})
	wantCode(t, err, chat.Forbidden)
	_, err = h.svc.DeleteMessage(h.ctx, bob, protocol.MessageRef{RoomID: chat.GeneralRoomID, Seq: seq})
	wantCode(t, err, chat.Forbidden)
	wantEvents(t, h)

	if _, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: chat.GeneralRoomID, Seq: seq}); err != nil {
		t.Fatal(err)
	}
	md := wantEvents(t, h, chat.EventMessageDeleted)[0].(chat.MessageDeleted)
	wantActor(t, md.Actor, alice)
	if !md.Message.Deleted || md.Message.Text != "" || md.Message.Seq != seq {
		t.Errorf("MessageDeleted = %+v", md)
	}
	// Deleting a tombstone again changes nothing and publishes nothing;
	// editing it is refused.
	if _, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: chat.GeneralRoomID, Seq: seq}); err != nil {
		t.Fatal(err)
	}
	_, err = h.svc.EditMessage(h.ctx, alice, protocol.EditMessageRequest{RoomID: chat.GeneralRoomID, Seq: seq, Text: "back"})
	wantCode(t, err, chat.Conflict)
	wantEvents(t, h)
}

func TestChannelUseCasesPublish(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.connect("alice", "a1"), h.connect("bob", "b1")
	h.connect("carol", "c1")
	h.events.Reset()

	room := h.channel(alice, "plans", false)
	evs := wantEvents(t, h, chat.EventRoomCreated, chat.EventMemberJoined)
	rc, mj := evs[0].(chat.RoomCreated), evs[1].(chat.MemberJoined)
	wantActor(t, rc.Actor, alice)
	if rc.Room.ID != room.ID || rc.Room.Name != "plans" {
		t.Errorf("RoomCreated = %+v", rc)
	}
	if !mj.WithRoom || mj.Member.UserID != "alice" || mj.Member.Role != chat.RoleOwner {
		t.Errorf("MemberJoined = %+v", mj)
	}

	h.join(bob, room.ID)
	mj = wantEvents(t, h, chat.EventMemberJoined)[0].(chat.MemberJoined)
	wantActor(t, mj.Actor, bob)
	if mj.WithRoom || mj.Member.UserID != "bob" || mj.Member.RoomID != room.ID || mj.Profile.UserID != "bob" || !mj.Profile.Online {
		t.Errorf("MemberJoined = %+v", mj)
	}
	h.join(bob, room.ID) // a rejoin: nothing happened
	wantEvents(t, h)

	// Inviting publishes one join per user added; members already in are
	// skipped.
	if _, err := h.svc.InviteToChannel(h.ctx, alice, protocol.InviteRequest{RoomID: room.ID, UserIDs: []string{"bob", "carol"}}); err != nil {
		t.Fatal(err)
	}
	mj = wantEvents(t, h, chat.EventMemberJoined)[0].(chat.MemberJoined)
	wantActor(t, mj.Actor, alice)
	if mj.Member.UserID != "carol" || mj.Profile.UserID != "carol" {
		t.Errorf("MemberJoined = %+v", mj)
	}

	topic := "Q3"
	if _, err := h.svc.UpdateChannel(h.ctx, alice, protocol.UpdateChannelRequest{RoomID: room.ID, Topic: &topic}); err != nil {
		t.Fatal(err)
	}
	ru := wantEvents(t, h, chat.EventRoomUpdated)[0].(chat.RoomUpdated)
	wantActor(t, ru.Actor, alice)
	if ru.Room.ID != room.ID || ru.Room.Topic != "Q3" {
		t.Errorf("RoomUpdated = %+v", ru)
	}

	if _, err := h.svc.LeaveChannel(h.ctx, bob, protocol.RoomRequest{RoomID: room.ID}); err != nil {
		t.Fatal(err)
	}
	ml := wantEvents(t, h, chat.EventMemberLeft)[0].(chat.MemberLeft)
	wantActor(t, ml.Actor, bob)
	if ml.RoomID != room.ID || ml.UserID != "bob" || !ml.At.Equal(h.clock()) {
		t.Errorf("MemberLeft = %+v", ml)
	}

	// Refusals publish nothing.
	_, err := h.svc.LeaveChannel(h.ctx, bob, protocol.RoomRequest{RoomID: chat.GeneralRoomID})
	wantCode(t, err, chat.Invalid)
	_, err = h.svc.UpdateChannel(h.ctx, bob, protocol.UpdateChannelRequest{RoomID: room.ID, Topic: &topic})
	wantCode(t, err, chat.Forbidden)
	general := "lobby"
	_, err = h.svc.UpdateChannel(h.ctx, bob, protocol.UpdateChannelRequest{RoomID: chat.GeneralRoomID, Name: &general})
	wantCode(t, err, chat.Forbidden)
	_, err = h.svc.CreateChannel(h.ctx, bob, protocol.CreateChannelRequest{Name: "plans"})
	wantCode(t, err, chat.Conflict)
	wantEvents(t, h)
}

func TestOpenDirectPublishes(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("bob", "b1")
	h.connect("carol", "c1")
	h.events.Reset()

	room := h.direct(alice, "bob", "carol")
	evs := wantEvents(t, h, chat.EventRoomCreated, chat.EventMemberJoined, chat.EventMemberJoined, chat.EventMemberJoined)
	wantActor(t, evs[0].(chat.RoomCreated).Actor, alice)
	if rc := evs[0].(chat.RoomCreated); rc.Room.ID != room.ID || rc.Room.Kind != chat.KindDirect {
		t.Errorf("RoomCreated = %+v", rc)
	}
	var joined []string
	for _, ev := range evs[1:] {
		mj := ev.(chat.MemberJoined)
		if !mj.WithRoom || mj.Member.RoomID != room.ID {
			t.Errorf("MemberJoined = %+v", mj)
		}
		joined = append(joined, mj.Member.UserID)
	}
	if !slices.Equal(joined, []string{"alice", "bob", "carol"}) {
		t.Errorf("joined = %v", joined)
	}
	// Opening it again finds the room: nothing happened.
	h.direct(alice, "carol", "bob")
	wantEvents(t, h)
}

func TestUpdateProfilePublishes(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.events.Reset()
	name := "Alice L."
	if _, err := h.svc.UpdateProfile(h.ctx, alice, protocol.UpdateProfileRequest{DisplayName: &name}); err != nil {
		t.Fatal(err)
	}
	pu := wantEvents(t, h, chat.EventProfileUpdated)[0].(chat.ProfileUpdated)
	wantActor(t, pu.Actor, alice)
	if pu.Profile.UserID != "alice" || pu.Profile.DisplayName != "Alice L." {
		t.Errorf("ProfileUpdated = %+v", pu)
	}
	bad := "#nothex"
	_, err := h.svc.UpdateProfile(h.ctx, alice, protocol.UpdateProfileRequest{AvatarColor: &bad})
	wantCode(t, err, chat.Invalid)
	wantEvents(t, h)
}

// Reads, typing, receipts and presence are not domain events.
func TestEphemeralActionsPublishNothing(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.connect("alice", "a1"), h.connect("bob", "b1")
	m := h.send(alice, chat.GeneralRoomID, "hi")
	h.events.Reset()
	calls := []func() error{
		func() error { return h.svc.Typing(h.ctx, bob, protocol.TypingRequest{RoomID: chat.GeneralRoomID}) },
		func() error {
			_, err := h.svc.MarkRead(h.ctx, bob, protocol.MarkReadRequest{RoomID: chat.GeneralRoomID, Seq: m.Seq})
			return err
		},
		func() error {
			_, err := h.svc.History(h.ctx, bob, protocol.HistoryRequest{RoomID: chat.GeneralRoomID})
			return err
		},
		func() error {
			_, err := h.svc.Resume(h.ctx, bob, protocol.ResumeRequest{Rooms: map[string]int64{chat.GeneralRoomID: 0}})
			return err
		},
		func() error {
			_, err := h.svc.ListMembers(h.ctx, bob, protocol.RoomRequest{RoomID: chat.GeneralRoomID})
			return err
		},
		func() error { _, err := h.svc.GetState(h.ctx, bob); return err },
		func() error { _, err := h.svc.ListUsers(h.ctx, bob, protocol.ListUsersRequest{}); return err },
		func() error { _, err := h.svc.ListChannels(h.ctx, bob, protocol.ListChannelsRequest{}); return err },
		func() error { return h.svc.Disconnect(h.ctx, "b1") },
	}
	for i, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if h.fan.Sends() == nil {
		t.Fatal("no direct pushes at all: typing, read and presence go out directly")
	}
	wantEvents(t, h)
}

// Refused room actions by a non-member publish nothing.
func TestRefusedActionsPublishNothing(t *testing.T) {
	w := newWorld(t)
	w.events.Reset()
	text := "x"
	name := "mine"
	for _, r := range []chat.Room{w.public, w.private, w.direct} {
		_, err := w.svc.SendMessage(w.ctx, w.bob, protocol.SendMessageRequest{RoomID: r.ID, ClientID: "x1", Text: text})
		wantRefused(t, err)
		_, err = w.svc.EditMessage(w.ctx, w.bob, protocol.EditMessageRequest{RoomID: r.ID, Seq: 1, Text: text})
		wantRefused(t, err)
		_, err = w.svc.DeleteMessage(w.ctx, w.bob, protocol.MessageRef{RoomID: r.ID, Seq: 1})
		wantRefused(t, err)
		_, err = w.svc.LeaveChannel(w.ctx, w.bob, protocol.RoomRequest{RoomID: r.ID})
		wantRefused(t, err)
		_, err = w.svc.UpdateChannel(w.ctx, w.bob, protocol.UpdateChannelRequest{RoomID: r.ID, Name: &name})
		wantRefused(t, err)
		_, err = w.svc.InviteToChannel(w.ctx, w.bob, protocol.InviteRequest{RoomID: r.ID, UserIDs: []string{"carol"}})
		wantRefused(t, err)
	}
	for _, r := range []chat.Room{w.private, w.direct} {
		_, err := w.svc.JoinChannel(w.ctx, w.bob, protocol.RoomRequest{RoomID: r.ID})
		wantRefused(t, err)
	}
	wantEvents(t, w.harness)
}

func wantRefused(t *testing.T, err error) {
	t.Helper()
	if c := chat.ErrorCode(err); c != chat.Forbidden && c != chat.NotFound {
		t.Fatalf("error = %v, want a refusal", err)
	}
}

// countingSubscriber reports a fixed delivery count for every event.
type countingSubscriber struct{ n int }

func (s countingSubscriber) Notify(context.Context, chat.Event) int { return s.n }

// The ack's Delivered is the sum the subscribers report: the WebSocket
// push's fan-out count, plus any other subscriber's.
func TestDeliveredIsWhatSubscribersReport(t *testing.T) {
	h := newHarness(t, func(cfg *service.Config) {
		cfg.Subscribers = append(cfg.Subscribers, countingSubscriber{n: 5})
	})
	alice := h.connect("alice", "a1")
	h.connect("bob", "b1")
	h.connect("bob", "b2")
	ack, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: chat.GeneralRoomID, ClientID: "k", Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	if ack.Delivered != 2+5 {
		t.Errorf("delivered = %d, want 7 (b1, b2 and the counting subscriber's 5)", ack.Delivered)
	}
}
