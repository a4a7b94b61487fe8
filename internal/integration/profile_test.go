package integration

import (
	"slices"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

func findRoom(rooms []protocol.RoomState, id string) (protocol.RoomState, bool) {
	i := slices.IndexFunc(rooms, func(r protocol.RoomState) bool { return r.ID == id })
	if i < 0 {
		return protocol.RoomState{}, false
	}
	return rooms[i], true
}

func findUser(users []chat.Profile, id string) (chat.Profile, bool) {
	i := slices.IndexFunc(users, func(p chat.Profile) bool { return p.UserID == id })
	if i < 0 {
		return chat.Profile{}, false
	}
	return users[i], true
}

// TestFirstSignInProfileUsersAndPresence: the first connection creates the
// profile and joins #general; room-mates see each other come and go.
func TestFirstSignInProfileUsersAndPresence(t *testing.T) {
	tr := newTrio(t, generousLimits)

	for _, st := range []protocol.StateEvent{tr.stateA, tr.stateB, tr.stateC} {
		general, ok := findRoom(st.Rooms, chat.GeneralRoomID)
		if !ok || general.Kind != chat.KindPublic {
			t.Fatalf("%s: rooms %+v lack #general", st.Me.DisplayName, st.Rooms)
		}
		if st.Me.AvatarColor == "" || st.Me.CreatedAt.IsZero() || !st.Me.Online {
			t.Errorf("profile %+v: want avatar colour, createdAt, online", st.Me)
		}
	}
	if tr.stateC.Me.DisplayName != tr.cyd.display || tr.stateC.Me.UserID != tr.cyd.id {
		t.Errorf("cyd's profile = %+v", tr.stateC.Me)
	}
	// Cyd, last to arrive, sees the two others online as room-mates.
	for _, u := range []user{tr.ann, tr.bob} {
		if p, ok := findUser(tr.stateC.Users, u.id); !ok || !p.Online {
			t.Errorf("cyd's state: %s = %+v (found %v), want online", u.name, p, ok)
		}
	}

	// listUsers: everyone, with presence.
	users := decode[protocol.UsersEvent](t, tr.a.call(protocol.ActionListUsers, nil, protocol.EventUsers))
	for _, u := range []user{tr.ann, tr.bob, tr.cyd} {
		if p, ok := findUser(users.Users, u.id); !ok || !p.Online {
			t.Errorf("listUsers: %s = %+v (found %v), want online", u.name, p, ok)
		}
	}

	// Profile update: the reply, and room-mates are told.
	prof := decode[protocol.ProfileEvent](t, tr.b.call(protocol.ActionUpdateProfile,
		map[string]any{"displayName": "Robert Baker", "avatarColor": "#123abc"}, protocol.EventProfile))
	if prof.Profile.DisplayName != "Robert Baker" || prof.Profile.AvatarColor != "#123abc" {
		t.Errorf("updated profile = %+v", prof.Profile)
	}
	tr.a.expectEvent(protocol.EventUserUpdated, func(f frame) bool {
		ev := decode[protocol.ProfileEvent](t, f)
		return ev.Profile.UserID == tr.bob.id && ev.Profile.DisplayName == "Robert Baker"
	})
	tr.b.callError(protocol.ActionUpdateProfile, map[string]any{"avatarColor": "red"}, "invalid")

	// Cyd leaves: room-mates get presence offline with lastSeen, and
	// listUsers shows it.
	tr.c.conn.CloseNow()
	off := decode[protocol.PresenceEvent](t, tr.a.expectEvent(protocol.EventPresence, func(f frame) bool {
		return f.fields["userId"] == tr.cyd.id && f.fields["online"] == false
	}))
	if off.LastSeen == 0 {
		t.Errorf("offline presence %+v lacks lastSeen", off)
	}
	tr.b.expectEvent(protocol.EventPresence, func(f frame) bool {
		return f.fields["userId"] == tr.cyd.id && f.fields["online"] == false
	})
	users = decode[protocol.UsersEvent](t, tr.a.call(protocol.ActionListUsers, nil, protocol.EventUsers))
	if p, _ := findUser(users.Users, tr.cyd.id); p.Online || p.LastSeen.IsZero() {
		t.Errorf("after disconnect, cyd = %+v: want offline with lastSeen", p)
	}

	// Cyd comes back: online again for the others; not a second first
	// sign-in (#general is not joined twice).
	c2, st := tr.s.online(tr.cyd)
	tr.a.expectEvent(protocol.EventPresence, func(f frame) bool {
		return f.fields["userId"] == tr.cyd.id && f.fields["online"] == true
	})
	if general, _ := findRoom(st.Rooms, chat.GeneralRoomID); general.MemberCount != 3 {
		t.Errorf("#general has %d members after reconnect, want 3", general.MemberCount)
	}
	c2.call(protocol.ActionPing, nil, protocol.EventPong)
}
