package integration

import (
	"slices"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// listedChannels pages through listChannels and returns every room id.
func listedChannels(t *testing.T, c *client) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for {
		ev := decode[protocol.ChannelsEvent](t, c.call(protocol.ActionListChannels, map[string]any{"cursor": cursor}, protocol.EventChannels))
		for _, r := range ev.Rooms {
			ids = append(ids, r.ID)
		}
		if ev.Cursor == "" {
			return ids
		}
		cursor = ev.Cursor
	}
}

func memberIDs(ev protocol.MembersEvent) []string {
	var ids []string
	for _, m := range ev.Members {
		ids = append(ids, m.UserID)
	}
	slices.Sort(ids)
	return ids
}

func sortedIDs(ids ...string) []string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return ids
}

// TestPublicChannels: create, browse, join, members, rename and topic, leave.
func TestPublicChannels(t *testing.T) {
	tr := newTrio(t, generousLimits)

	created := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel,
		map[string]any{"name": "book-club", "topic": "what we read"}, protocol.EventRoom))
	club := created.Room.ID
	if created.Room.Kind != chat.KindPublic || created.Room.Name != "book-club" || created.Room.MemberCount != 1 {
		t.Fatalf("created %+v", created.Room)
	}
	if !slices.Contains(listedChannels(t, tr.b), club) {
		t.Fatalf("bob cannot browse the new public channel %s", club)
	}

	joined := decode[protocol.RoomEvent](t, tr.b.call(protocol.ActionJoinChannel, room(club), protocol.EventRoom))
	if joined.Room.ID != club || joined.Room.MemberCount != 2 {
		t.Errorf("joined %+v, want member count 2", joined.Room)
	}
	tr.a.expectEvent(protocol.EventMemberJoined, func(f frame) bool {
		ev := decode[protocol.MemberEvent](t, f)
		return ev.RoomID == club && ev.User.UserID == tr.bob.id
	})
	// Joining again is harmless.
	tr.b.call(protocol.ActionJoinChannel, room(club), protocol.EventRoom)

	members := decode[protocol.MembersEvent](t, tr.b.call(protocol.ActionListMembers, room(club), protocol.EventMembers))
	if got, want := memberIDs(members), sortedIDs(tr.ann.id, tr.bob.id); !slices.Equal(got, want) {
		t.Errorf("members %v, want %v", got, want)
	}
	for _, m := range members.Members {
		if wantRole := map[string]chat.Role{tr.ann.id: chat.RoleOwner, tr.bob.id: chat.RoleMember}[m.UserID]; m.Role != wantRole {
			t.Errorf("%s has role %s, want %s", m.UserID, m.Role, wantRole)
		}
	}

	renamed := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionUpdateChannel,
		map[string]any{"roomId": club, "name": "reading-room", "topic": "novels only"}, protocol.EventRoom))
	if renamed.Room.Name != "reading-room" || renamed.Room.Topic != "novels only" {
		t.Errorf("renamed %+v", renamed.Room)
	}
	tr.b.expectEvent(protocol.EventRoomUpdated, func(f frame) bool {
		ev := decode[protocol.RoomEvent](t, f)
		return ev.Room.ID == club && ev.Room.Name == "reading-room" && ev.Room.Topic == "novels only"
	})
	tr.c.expectNoEvent(protocol.EventRoomUpdated, nil) // not a member

	left := decode[protocol.RoomRemovedEvent](t, tr.b.call(protocol.ActionLeaveChannel, room(club), protocol.EventRoomRemoved))
	if left.RoomID != club {
		t.Errorf("left %+v", left)
	}
	tr.a.expectEvent(protocol.EventMemberLeft, func(f frame) bool {
		ev := decode[protocol.MemberEvent](t, f)
		return ev.RoomID == club && ev.User.UserID == tr.bob.id
	})
	// Gone means gone: no history, no posting.
	tr.b.callError(protocol.ActionHistory, room(club), "forbidden")
	tr.b.callError(protocol.ActionSendMessage, message(club, "after-leave", "hello?"), "forbidden")

	// #general cannot be left, nor can a second one be created.
	tr.a.callError(protocol.ActionLeaveChannel, room(chat.GeneralRoomID), "invalid")
	tr.a.callError(protocol.ActionCreateChannel, map[string]any{"name": "general"}, "conflict")
	tr.a.callError(protocol.ActionCreateChannel, map[string]any{"name": "Has Spaces"}, "invalid")
}

// TestPrivateChannels: invisible to non-members, entered only by invitation.
func TestPrivateChannels(t *testing.T) {
	tr := newTrio(t, generousLimits)

	created := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel,
		map[string]any{"name": "ops", "private": true}, protocol.EventRoom))
	ops := created.Room.ID
	if created.Room.Kind != chat.KindPrivate {
		t.Fatalf("created %+v, want private", created.Room)
	}
	if slices.Contains(listedChannels(t, tr.b), ops) {
		t.Fatal("a private channel is listed to a non-member")
	}
	// To a non-member it does not exist: the same answer as an unknown id.
	tr.b.callError(protocol.ActionJoinChannel, room(ops), "not_found")
	tr.b.callError(protocol.ActionListMembers, room(ops), "not_found")
	tr.b.callError(protocol.ActionHistory, room(ops), "not_found")
	tr.b.callError(protocol.ActionJoinChannel, room("c_doesnotexist"), "not_found")

	// Inviting to a private channel leaves an invitation: Bob sees it and
	// accepts; only then is he a member.
	invited := decode[protocol.MembersEvent](t, tr.a.call(protocol.ActionInviteToChannel,
		map[string]any{"roomId": ops, "userIds": []string{tr.bob.id}}, protocol.EventMembers))
	if got, want := memberIDs(invited), sortedIDs(tr.ann.id); !slices.Equal(got, want) {
		t.Errorf("members after invite %v, want %v", got, want)
	}
	inv := decode[protocol.InvitedEvent](t, tr.b.expectEvent(protocol.EventInvited, func(f frame) bool {
		return decode[protocol.InvitedEvent](t, f).Invite.RoomID == ops
	}))
	if inv.Invite.RoomName != "ops" || inv.Invite.InvitedBy != tr.ann.id {
		t.Errorf("invited %+v", inv.Invite)
	}
	tr.b.callError(protocol.ActionHistory, room(ops), "not_found")
	tr.c.callError(protocol.ActionAcceptInvite, room(ops), "not_found")
	added := decode[protocol.RoomEvent](t, tr.b.call(protocol.ActionAcceptInvite, room(ops), protocol.EventRoom))
	if added.Room.Kind != chat.KindPrivate || added.Room.Name != "ops" || added.Room.MemberCount != 2 {
		t.Errorf("accepted room %+v", added.Room)
	}
	tr.c.expectNoEvent(protocol.EventRoomAdded, nil)

	// Bob is in: he can post; Cyd still cannot see it.
	tr.b.call(protocol.ActionSendMessage, message(ops, "ops-1", "paged"), protocol.EventAck)
	tr.a.expectEvent(protocol.EventMessage, func(f frame) bool {
		return decode[protocol.MessageEvent](t, f).Message.RoomID == ops
	})
	tr.c.expectNoEvent(protocol.EventMessage, nil)
	tr.c.callError(protocol.ActionSendMessage, message(ops, "sneak", "hi"), "not_found")
	// Inviting someone who does not exist.
	tr.a.callError(protocol.ActionInviteToChannel, map[string]any{"roomId": ops, "userIds": []string{"no-such-user"}}, "not_found")
	// A non-member cannot invite themselves in.
	tr.c.callError(protocol.ActionInviteToChannel, map[string]any{"roomId": ops, "userIds": []string{tr.cyd.id}}, "not_found")
}
