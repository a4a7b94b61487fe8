package service_test

import (
	"slices"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

func TestNewRequiresStoreAndFanout(t *testing.T) {
	h := newHarness(t)
	if _, err := service.New(service.Config{Fanout: h.fan}); err == nil {
		t.Error("New without Store succeeded")
	}
	if _, err := service.New(service.Config{Store: h.store}); err == nil {
		t.Error("New without Fanout succeeded")
	}
	if _, err := service.New(service.Config{Store: h.store, Fanout: h.fan, RateWindow: -time.Second}); err == nil {
		t.Error("New with a negative limit succeeded")
	}
}

func TestFirstSignInCreatesProfileAndJoinsGeneral(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")

	p, err := h.store.GetProfile(h.ctx, "alice")
	if err != nil {
		t.Fatalf("profile not created: %v", err)
	}
	if p.DisplayName != "Alice" || p.Username != "alice" || !p.CreatedAt.Equal(h.clock()) {
		t.Errorf("profile = %+v", p)
	}
	if len(p.AvatarColor) != 7 || p.AvatarColor[0] != '#' {
		t.Errorf("avatar colour %q is not #rrggbb", p.AvatarColor)
	}
	general, err := h.store.GetRoom(h.ctx, chat.GeneralRoomID)
	if err != nil {
		t.Fatalf("#general not created: %v", err)
	}
	if general.Kind != chat.KindPublic || general.MemberCount != 1 {
		t.Errorf("#general = %+v", general)
	}
	state, err := h.svc.GetState(h.ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(roomIDs(state.Rooms), []string{chat.GeneralRoomID}) {
		t.Errorf("rooms = %v, want [general]", roomIDs(state.Rooms))
	}
	if state.Type != protocol.EventState || state.ConnectionID != "a1" || !state.Me.Online {
		t.Errorf("state head = %q conn %q me.online %v", state.Type, state.ConnectionID, state.Me.Online)
	}
}

func TestAvatarColourIsDeterministic(t *testing.T) {
	h1, h2 := newHarness(t), newHarness(t)
	h1.connect("user-42", "c1")
	h2.connect("user-42", "c9")
	p1, _ := h1.store.GetProfile(h1.ctx, "user-42")
	p2, _ := h2.store.GetProfile(h2.ctx, "user-42")
	if p1.AvatarColor != p2.AvatarColor {
		t.Errorf("colours differ: %s vs %s", p1.AvatarColor, p2.AvatarColor)
	}
}

func TestSecondUserJoinsGeneralWithHistoryRead(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.send(alice, chat.GeneralRoomID, "hello")
	h.send(alice, chat.GeneralRoomID, "anyone?")
	h.fan.Reset()

	bob := h.connect("bob", "b1")

	m, err := h.store.GetMember(h.ctx, chat.GeneralRoomID, "bob")
	if err != nil {
		t.Fatalf("bob not in #general: %v", err)
	}
	if m.ReadSeq != 2 {
		t.Errorf("newcomer ReadSeq = %d, want 2 (history counted as read)", m.ReadSeq)
	}
	joined := decodeOne[protocol.MemberEvent](t, h.fan, "a1", protocol.EventMemberJoined)
	if joined.RoomID != chat.GeneralRoomID || joined.User.UserID != "bob" {
		t.Errorf("memberJoined = %+v", joined)
	}
	// Bob's connection is indexed: he hears #general at once.
	h.send(alice, chat.GeneralRoomID, "welcome bob")
	if got := h.fan.OfType(bob.ID, protocol.EventMessage); len(got) != 1 {
		t.Errorf("bob received %d messages, want 1", len(got))
	}
	if g, _ := h.store.GetRoom(h.ctx, chat.GeneralRoomID); g.MemberCount != 2 {
		t.Errorf("#general member count = %d, want 2", g.MemberCount)
	}
}

func TestConnectionIsTheStoredIdentity(t *testing.T) {
	h := newHarness(t)
	c := h.connect("alice", "a1")
	if c.UserID != "alice" || c.ID != "a1" {
		t.Errorf("connection = %+v", c)
	}
	if !c.ExpiresAt.Equal(h.clock().Add(service.DefaultConnectionTTL)) {
		t.Errorf("ExpiresAt = %v, want now+%v", c.ExpiresAt, service.DefaultConnectionTTL)
	}
	_, err := h.svc.Connection(h.ctx, "nope")
	wantCode(t, err, chat.NotFound)
	_, err = h.svc.Connection(h.ctx, "")
	wantCode(t, err, chat.Invalid)

	h.advance(service.DefaultConnectionTTL)
	_, err = h.svc.Connection(h.ctx, "a1")
	wantCode(t, err, chat.NotFound) // expired though not yet swept by TTL
}

func TestPresenceOnFirstConnectAndLastDisconnect(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	_ = alice
	h.fan.Reset()

	h.connect("bob", "b1")
	on := decodeOne[protocol.PresenceEvent](t, h.fan, "a1", protocol.EventPresence)
	if on.UserID != "bob" || !on.Online || on.LastSeen != 0 {
		t.Errorf("presence = %+v, want bob online", on)
	}
	if got := h.fan.OfType("b1", protocol.EventPresence); len(got) != 0 {
		t.Errorf("bob was told about himself: %d events", len(got))
	}

	h.fan.Reset()
	h.connect("bob", "b2") // second connection: no news
	if got := h.fan.OfType("a1", protocol.EventPresence); len(got) != 0 {
		t.Errorf("second connection announced presence %d times", len(got))
	}

	if err := h.svc.Disconnect(h.ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	if got := h.fan.OfType("a1", protocol.EventPresence); len(got) != 0 {
		t.Errorf("disconnect of a non-last connection announced presence")
	}

	h.advance(time.Minute)
	if err := h.svc.Disconnect(h.ctx, "b2"); err != nil {
		t.Fatal(err)
	}
	off := decodeOne[protocol.PresenceEvent](t, h.fan, "a1", protocol.EventPresence)
	if off.UserID != "bob" || off.Online || off.LastSeen != h.clock().UnixMilli() {
		t.Errorf("presence = %+v, want bob offline last seen now", off)
	}
	p, _ := h.store.GetProfile(h.ctx, "bob")
	if !p.LastSeen.Equal(h.clock()) {
		t.Errorf("LastSeen = %v, want %v", p.LastSeen, h.clock())
	}
}

func TestPresenceReachesEachCoMemberConnectionOnce(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("alice", "a2")
	bob := h.connect("bob", "b1")
	// Alice and Bob share #general and a second channel: one event each.
	room := h.channel(alice, "second", false)
	h.join(bob, room.ID)
	h.fan.Reset()

	if err := h.svc.Disconnect(h.ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	for _, conn := range []string{"a1", "a2"} {
		if got := h.fan.OfType(conn, protocol.EventPresence); len(got) != 1 {
			t.Errorf("%s got %d presence events, want 1", conn, len(got))
		}
	}
}

func TestDisconnectIsIdempotentAndUnindexes(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("bob", "b1")
	if err := h.svc.Disconnect(h.ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	if err := h.svc.Disconnect(h.ctx, "b1"); err != nil {
		t.Errorf("second Disconnect: %v", err)
	}
	if err := h.svc.Disconnect(h.ctx, "never-existed"); err != nil {
		t.Errorf("Disconnect of unknown: %v", err)
	}
	rcs, _ := h.store.RoomConnections(h.ctx, chat.GeneralRoomID)
	for _, rc := range rcs {
		if rc.ConnectionID == "b1" {
			t.Error("b1 still in #general's connection index")
		}
	}
	if _, err := h.svc.Connection(h.ctx, "b1"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("Connection(b1) after disconnect: %v", err)
	}
	ack, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: chat.GeneralRoomID, ClientID: "x", Text: "hi"})
	if err != nil || ack.Delivered != 0 {
		t.Errorf("send after bob left: delivered %d, err %v", ack.Delivered, err)
	}
}

func TestConnectRejectsMissingIdentity(t *testing.T) {
	h := newHarness(t)
	wantCode(t, h.svc.Connect(h.ctx, chat.Connection{ID: "x"}), chat.Invalid)
	wantCode(t, h.svc.Connect(h.ctx, chat.Connection{Identity: chat.Identity{UserID: "u"}}), chat.Invalid)
}

func TestLongTokenNameIsTrimmedNotRefused(t *testing.T) {
	h := newHarness(t)
	long := ""
	for range protocol.MaxNameRunes + 20 {
		long += "é"
	}
	err := h.svc.Connect(h.ctx, chat.Connection{ID: "c", Identity: chat.Identity{UserID: "u", Username: "u", DisplayName: long + "\x01"}})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := h.store.GetProfile(h.ctx, "u")
	if n := len([]rune(p.DisplayName)); n != protocol.MaxNameRunes {
		t.Errorf("display name has %d runes, want %d", n, protocol.MaxNameRunes)
	}
}

func TestConnectRepairsAHalfDoneSignUp(t *testing.T) {
	h := newHarness(t)
	h.connect("alice", "a1")
	h.store.FailOn("EnsureProfile", chat.Errorf(chat.Internal, "boom"))
	err := h.svc.Connect(h.ctx, chat.Connection{ID: "b1", Identity: chat.Identity{UserID: "bob", Username: "bob"}})
	wantCode(t, err, chat.Internal)
	h.store.FailOn("EnsureProfile", nil)
	h.connect("bob", "b1")
	if _, err := h.store.GetMember(h.ctx, chat.GeneralRoomID, "bob"); err != nil {
		t.Errorf("bob not in #general after retry: %v", err)
	}
	if g, _ := h.store.GetRoom(h.ctx, chat.GeneralRoomID); g.MemberCount != 2 {
		t.Errorf("#general member count = %d, want 2 (no double join)", g.MemberCount)
	}
}

// TestGoneKeepsAConnectionThatMayStillBeConnecting: API Gateway answers 410
// to a post to a connection whose $connect has not returned, so the
// gone-cleanup deletes only connections connected more than ConnectGrace
// ago; a young one stays registered and indexed, an old one is forgotten
// like on $disconnect (offline presence included).
func TestGoneKeepsAConnectionThatMayStillBeConnecting(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("bob", "b1")
	if err := h.svc.Gone(h.ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Connection(h.ctx, "b1"); err != nil {
		t.Fatalf("young connection deleted by a 410: %v", err)
	}
	ack, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: chat.GeneralRoomID, ClientID: "y", Text: "hi"})
	if err != nil || ack.Delivered != 1 {
		t.Fatalf("young connection unindexed: delivered %d, err %v", ack.Delivered, err)
	}

	h.advance(service.ConnectGrace + time.Second)
	if err := h.svc.Gone(h.ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Connection(h.ctx, "b1"); chat.ErrorCode(err) != chat.NotFound {
		t.Fatalf("old gone connection kept: %v", err)
	}
	rcs, _ := h.store.RoomConnections(h.ctx, chat.GeneralRoomID)
	for _, rc := range rcs {
		if rc.ConnectionID == "b1" {
			t.Error("b1 still indexed in #general")
		}
	}
	ps := h.fan.OfType("a1", protocol.EventPresence)
	var p protocol.PresenceEvent
	if len(ps) == 0 || ps[len(ps)-1].Decode(&p) != nil || p.UserID != "bob" || p.Online {
		t.Errorf("last presence = %+v, want bob offline", p)
	}
	if err := h.svc.Gone(h.ctx, "b1"); err != nil {
		t.Errorf("Gone of a forgotten connection: %v", err)
	}
}
