package service_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// TestPushMapsEachEvent: the WebSocket push turns each domain event into
// its protocol event, for the room's connections but the actor's
// connection (and, for membership events, the member's connections).
func TestPushMapsEachEvent(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	store := chattest.NewStore()
	// Room r: ann on a1 and a2, bob on b1, cat on c1.
	for _, c := range []struct{ user, conn string }{{"ann", "a1"}, {"ann", "a2"}, {"bob", "b1"}, {"cat", "c1"}} {
		if _, _, err := store.EnsureProfile(ctx, chat.Profile{UserID: c.user, DisplayName: c.user, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := store.PutConnection(ctx, chat.Connection{ID: c.conn, Identity: chat.Identity{UserID: c.user}, ConnectedAt: now}, []string{"r"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.CreateRoom(ctx, chat.Room{ID: "r", Kind: chat.KindPublic, Name: "r", CreatedAt: now},
		[]chat.Member{{RoomID: "r", UserID: "ann", Role: chat.RoleOwner}, {RoomID: "r", UserID: "bob", Role: chat.RoleMember}, {RoomID: "r", UserID: "cat", Role: chat.RoleMember}}); err != nil {
		t.Fatal(err)
	}
	ann := chat.Actor{UserID: "ann", ConnectionID: "a1"}
	msg := chat.Message{RoomID: "r", Seq: 1, SenderID: "ann", Text: "hi", CreatedAt: now}
	room := chat.Room{ID: "r", Kind: chat.KindPublic, Name: "r"}
	cases := []struct {
		ev        chat.Event
		wantType  string
		wantConns []string
	}{
		{chat.MessageCreated{Actor: ann, Message: msg}, protocol.EventMessage, []string{"a2", "b1", "c1"}},
		{chat.MessageEdited{Actor: ann, Message: msg}, protocol.EventMessageUpdated, []string{"a2", "b1", "c1"}},
		{chat.MessageDeleted{Actor: ann, Message: msg}, protocol.EventMessageUpdated, []string{"a2", "b1", "c1"}},
		{chat.MemberJoined{Actor: ann, Member: chat.Member{RoomID: "r", UserID: "bob"}}, protocol.EventMemberJoined, []string{"a2", "c1"}},
		{chat.MemberJoined{Actor: ann, Member: chat.Member{RoomID: "r", UserID: "bob"}, WithRoom: true}, "", nil},
		{chat.MemberLeft{Actor: chat.Actor{UserID: "bob", ConnectionID: "b1"}, RoomID: "r", UserID: "bob"}, protocol.EventMemberLeft, []string{"a1", "a2", "c1"}},
		{chat.RoomCreated{Actor: ann, Room: room}, protocol.EventRoomAdded, []string{"a2", "b1", "c1"}},
		{chat.RoomUpdated{Actor: ann, Room: room}, protocol.EventRoomUpdated, []string{"a2", "b1", "c1"}},
		{chat.ProfileUpdated{Actor: ann, Profile: chat.Profile{UserID: "ann", DisplayName: "Ann"}}, protocol.EventUserUpdated, []string{"a2", "b1", "c1"}},
	}
	for _, c := range cases {
		t.Run(string(c.ev.Type()), func(t *testing.T) {
			fan := chattest.NewFanout()
			push := service.NewPush(store, fan, nil)
			delivered := push.Notify(ctx, c.ev)
			var got []string
			for _, conn := range []string{"a1", "a2", "b1", "c1"} {
				for _, d := range fan.Deliveries(conn) {
					if d.Type != c.wantType {
						t.Errorf("%s got %q, want %q", conn, d.Type, c.wantType)
					}
					got = append(got, conn)
				}
			}
			if !slices.Equal(got, c.wantConns) {
				t.Errorf("delivered to %v, want %v", got, c.wantConns)
			}
			if delivered != len(c.wantConns) {
				t.Errorf("Notify = %d, want %d", delivered, len(c.wantConns))
			}
		})
	}
}
