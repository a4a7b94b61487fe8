package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Privacy controls and blocking (issue #15), end to end over real sockets
// on the emulators.

func setPrivacy(t testing.TB, c *client, privacy map[string]any) chat.Preferences {
	t.Helper()
	return decode[protocol.PreferencesEvent](t, c.call(protocol.ActionSetPreferences, map[string]any{"privacy": privacy}, protocol.EventPreferences)).Preferences
}

func userIn(users []chat.Profile, id string) (chat.Profile, bool) {
	for _, u := range users {
		if u.UserID == id {
			return u, true
		}
	}
	return chat.Profile{}, false
}

// TestPrivacyAppearOffline: Bob appears offline. Ann gets one presence
// "offline" with no last seen, then no presence at all for Bob's
// disconnects and connects; every listing shows him offline with no last
// seen; Bob still chats and sees himself online.
func TestPrivacyAppearOffline(t *testing.T) {
	tr := newTrio(t, generousLimits)
	got := setPrivacy(t, tr.b, map[string]any{"appearOffline": true})
	if !got.Privacy.AppearOffline || got.Privacy.DMFrom != chat.DMEveryone {
		t.Fatalf("reply privacy = %+v", got.Privacy)
	}
	ev := decode[protocol.PresenceEvent](t, tr.a.expectEvent(protocol.EventPresence, func(f frame) bool { return f.fields["userId"] == tr.bob.id }))
	if ev.Online || ev.LastSeen != 0 {
		t.Errorf("presence after appearOffline = %+v, want offline with no lastSeen", ev)
	}

	// A second device of Bob, then it goes: nobody hears of it.
	b2, _ := tr.s.online(tr.bob)
	_ = b2.conn.Close(websocket.StatusNormalClosure, "bye")
	tr.b.conn.CloseNow()
	time.Sleep(300 * time.Millisecond) // let $disconnect run before asserting silence
	tr.a.expectNoEvent(protocol.EventPresence, func(f frame) bool { return f.fields["userId"] == tr.bob.id })
	b, stB := tr.s.online(tr.bob)
	tr.a.expectNoEvent(protocol.EventPresence, func(f frame) bool { return f.fields["userId"] == tr.bob.id })
	if !stB.Preferences.Privacy.AppearOffline {
		t.Errorf("Bob's state lost the setting: %+v", stB.Preferences.Privacy)
	}

	// Every view of Ann's: offline, no last seen.
	users := decode[protocol.UsersEvent](t, tr.a.call(protocol.ActionListUsers, nil, protocol.EventUsers)).Users
	if p, ok := userIn(users, tr.bob.id); !ok || p.Online || !p.LastSeen.IsZero() {
		t.Errorf("listUsers shows Bob as %+v", p)
	}
	_, stA := tr.s.online(tr.ann)
	if p, ok := userIn(stA.Users, tr.bob.id); ok && (p.Online || !p.LastSeen.IsZero()) {
		t.Errorf("state.users shows Bob as %+v", p)
	}
	for _, m := range decode[protocol.MembersEvent](t, tr.a.call(protocol.ActionListMembers, room(chat.GeneralRoomID), protocol.EventMembers)).Members {
		if m.UserID == tr.bob.id && (m.Online || !m.LastSeen.IsZero()) {
			t.Errorf("members shows Bob as %+v", m.Profile)
		}
		if m.UserID == tr.ann.id && !m.Online {
			t.Errorf("Ann, not hidden, shows offline")
		}
	}
	// Bob sees himself as he is, and still chats.
	mine := decode[protocol.UsersEvent](t, b.call(protocol.ActionListUsers, nil, protocol.EventUsers)).Users
	if p, _ := userIn(mine, tr.bob.id); !p.Online {
		t.Errorf("Bob sees himself as %+v", p)
	}
	b.call(protocol.ActionSendMessage, message(chat.GeneralRoomID, "ao-1", "still here"), protocol.EventAck)
	tr.a.expectEvent(protocol.EventMessage, func(f frame) bool {
		return decode[protocol.MessageEvent](t, f).Message.Text == "still here"
	})
	// A profile change of his goes out without his presence.
	b.call(protocol.ActionUpdateProfile, map[string]any{"avatarColor": "#112233"}, protocol.EventProfile)
	up := decode[protocol.ProfileEvent](t, tr.a.expectEvent(protocol.EventUserUpdated, func(f frame) bool {
		return decode[protocol.ProfileEvent](t, f).Profile.UserID == tr.bob.id
	}))
	if up.Profile.Online {
		t.Errorf("userUpdated shows Bob online")
	}

	// Back online: Ann hears so at once.
	setPrivacy(t, b, map[string]any{"appearOffline": false})
	back := decode[protocol.PresenceEvent](t, tr.a.expectEvent(protocol.EventPresence, func(f frame) bool { return f.fields["userId"] == tr.bob.id }))
	if !back.Online {
		t.Errorf("presence after appearOffline off = %+v", back)
	}
}

// TestPrivacyReadReceipts: Bob hides his read receipts. His markRead still
// moves his own position (his other device hears it) but Ann and Cyd get
// no read event and see readSeq 0 for him; and he sees nobody's.
func TestPrivacyReadReceipts(t *testing.T) {
	tr := newTrio(t, generousLimits)
	setPrivacy(t, tr.b, map[string]any{"hideReceipts": true})
	b2, _ := tr.s.online(tr.bob)
	tr.a.drain()
	seqs := sendN(t, tr.a, chat.GeneralRoomID, "rr", 3)

	read := decode[protocol.ReadEvent](t, tr.b.call(protocol.ActionMarkRead, map[string]any{"roomId": chat.GeneralRoomID, "seq": seqs[2]}, protocol.EventRead))
	if read.Seq != seqs[2] {
		t.Fatalf("Bob's read reply = %+v", read)
	}
	b2.expectEvent(protocol.EventRead, func(f frame) bool { return f.fields["userId"] == tr.bob.id })
	tr.a.expectNoEvent(protocol.EventRead, func(f frame) bool { return f.fields["userId"] == tr.bob.id })
	tr.c.expectNoEvent(protocol.EventRead, func(f frame) bool { return f.fields["userId"] == tr.bob.id })
	_, st := tr.s.online(tr.bob)
	if g, _ := findRoom(st.Rooms, chat.GeneralRoomID); g.ReadSeq != seqs[2] || g.Unread != 0 {
		t.Errorf("Bob's own position: readSeq %d unread %d", g.ReadSeq, g.Unread)
	}

	// Cyd reads: Ann hears, Bob (hiding his) does not.
	tr.c.call(protocol.ActionMarkRead, map[string]any{"roomId": chat.GeneralRoomID, "seq": seqs[1]}, protocol.EventRead)
	tr.a.expectEvent(protocol.EventRead, func(f frame) bool { return f.fields["userId"] == tr.cyd.id })
	tr.b.expectNoEvent(protocol.EventRead, func(f frame) bool { return f.fields["userId"] == tr.cyd.id })

	for _, m := range decode[protocol.MembersEvent](t, tr.a.call(protocol.ActionListMembers, room(chat.GeneralRoomID), protocol.EventMembers)).Members {
		switch m.UserID {
		case tr.bob.id:
			if m.ReadSeq != 0 {
				t.Errorf("Ann sees Bob's readSeq %d, want 0 (hidden)", m.ReadSeq)
			}
		case tr.cyd.id:
			if m.ReadSeq != seqs[1] {
				t.Errorf("Ann sees Cyd's readSeq %d, want %d", m.ReadSeq, seqs[1])
			}
		}
	}
	for _, m := range decode[protocol.MembersEvent](t, tr.b.call(protocol.ActionListMembers, room(chat.GeneralRoomID), protocol.EventMembers)).Members {
		switch m.UserID {
		case tr.cyd.id:
			if m.ReadSeq != 0 {
				t.Errorf("Bob (hiding his) sees Cyd's readSeq %d, want 0", m.ReadSeq)
			}
		case tr.bob.id:
			if m.ReadSeq != seqs[2] {
				t.Errorf("Bob sees his own readSeq %d, want %d", m.ReadSeq, seqs[2])
			}
		}
	}
}

// TestPrivacyWhoMayDM: "nobody" refuses a new DM with a clear forbidden
// error naming the reason; a DM that existed keeps working; "rooms"
// accepts people sharing a room (everyone shares #general); bad values are
// invalid.
func TestPrivacyWhoMayDM(t *testing.T) {
	tr := newTrio(t, generousLimits)
	ab := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{tr.bob.id}}, protocol.EventRoom)).Room
	setPrivacy(t, tr.b, map[string]any{"dmFrom": "nobody"})
	tr.b.drain() // the roomAdded of the DM above

	f := tr.c.callError(protocol.ActionOpenDirect, map[string]any{"userIds": []string{tr.bob.id}}, "forbidden")
	if msg, _ := f.fields["message"].(string); msg != tr.bob.display+" does not accept new direct messages" {
		t.Errorf("refusal = %q", msg)
	}
	tr.c.callError(protocol.ActionOpenDirect, map[string]any{"userIds": []string{tr.ann.id, tr.bob.id}}, "forbidden") // a group DM too
	tr.b.expectNoEvent(protocol.EventRoomAdded, nil)
	// The existing one keeps working.
	again := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{tr.bob.id}}, protocol.EventRoom)).Room
	if again.ID != ab.ID {
		t.Errorf("existing DM reopened as %s, want %s", again.ID, ab.ID)
	}
	tr.a.call(protocol.ActionSendMessage, message(ab.ID, "dm-ok", "still fine"), protocol.EventAck)
	tr.b.expectEvent(protocol.EventMessage, func(f frame) bool { return decode[protocol.MessageEvent](t, f).Message.Text == "still fine" })
	// Bob himself may still start DMs.
	decode[protocol.RoomEvent](t, tr.b.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{tr.cyd.id}}, protocol.EventRoom))

	setPrivacy(t, tr.b, map[string]any{"dmFrom": "rooms"})
	// Cyd and Bob share #general: allowed (it exists now anyway); a new
	// group with Ann as well:
	decode[protocol.RoomEvent](t, tr.c.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{tr.ann.id, tr.bob.id}}, protocol.EventRoom))
	f = tr.b.callError(protocol.ActionSetPreferences, map[string]any{"privacy": map[string]any{"dmFrom": "friends"}}, "invalid")
	if msg, _ := f.fields["message"].(string); !strings.Contains(msg, "privacy.dmFrom") {
		t.Errorf("bad dmFrom: %s", f.raw)
	}
}

// TestBlockUser: Ann blocks Cyd. Cyd's new DM is refused exactly as
// "nobody" would be, his invitation never reaches Ann, and he is told
// nothing; Ann's other device gets the new list; unblocking restores it.
func TestBlockUser(t *testing.T) {
	tr := newTrio(t, generousLimits)
	a2, _ := tr.s.online(tr.ann)
	prefs := decode[protocol.PreferencesEvent](t, tr.a.call(protocol.ActionBlockUser, map[string]any{"userId": tr.cyd.id}, protocol.EventPreferences)).Preferences
	if len(prefs.Blocked) != 1 || prefs.Blocked[0] != tr.cyd.id {
		t.Fatalf("blocked = %v", prefs.Blocked)
	}
	synced := decode[protocol.PreferencesEvent](t, a2.expectEvent(protocol.EventPreferences, nil)).Preferences
	if len(synced.Blocked) != 1 {
		t.Errorf("other device got blocked = %v", synced.Blocked)
	}
	list := decode[protocol.UsersEvent](t, tr.a.call(protocol.ActionListBlocked, nil, protocol.EventUsers)).Users
	if len(list) != 1 || list[0].UserID != tr.cyd.id || list[0].DisplayName != tr.cyd.display {
		t.Errorf("listBlocked = %+v", list)
	}
	tr.a.callError(protocol.ActionBlockUser, map[string]any{"userId": tr.ann.id}, "invalid")
	tr.a.callError(protocol.ActionBlockUser, map[string]any{"userId": "nobody-here"}, "not_found")

	// A DM: refused with the words of "nobody", the block not named.
	f := tr.c.callError(protocol.ActionOpenDirect, map[string]any{"userIds": []string{tr.ann.id}}, "forbidden")
	msg, _ := f.fields["message"].(string)
	if msg != tr.ann.display+" does not accept new direct messages" || strings.Contains(strings.ToLower(msg), "block") {
		t.Errorf("refusal = %q", msg)
	}
	// An invitation to a private channel: Cyd's reply is the member list as
	// usual; Ann gets nothing and has no invitation.
	priv := decode[protocol.RoomEvent](t, tr.c.call(protocol.ActionCreateChannel, map[string]any{"name": "cyds-den", "private": true}, protocol.EventRoom)).Room
	tr.c.call(protocol.ActionInviteToChannel, map[string]any{"roomId": priv.ID, "userIds": []string{tr.ann.id}}, protocol.EventMembers)
	tr.a.expectNoEvent(protocol.EventInvited, nil)
	if _, st := tr.s.online(tr.ann); len(st.Invites) != 0 {
		t.Errorf("Ann has invitations %+v", st.Invites)
	}
	tr.a.callError(protocol.ActionAcceptInvite, room(priv.ID), "not_found")
	// Bob's invitation to the same channel (he is not blocked) reaches Ann.
	pub := decode[protocol.RoomEvent](t, tr.c.call(protocol.ActionCreateChannel, map[string]any{"name": "cyds-hall"}, protocol.EventRoom)).Room
	tr.c.call(protocol.ActionInviteToChannel, map[string]any{"roomId": pub.ID, "userIds": []string{tr.ann.id, tr.bob.id}}, protocol.EventMembers)
	tr.b.expectEvent(protocol.EventRoomAdded, func(f frame) bool { return decode[protocol.RoomEvent](t, f).Room.ID == pub.ID })
	tr.a.expectNoEvent(protocol.EventRoomAdded, func(f frame) bool { return decode[protocol.RoomEvent](t, f).Room.ID == pub.ID })

	// Cyd is told nothing: no event names the block, his view of Ann is as before.
	tr.c.expectNoEvent(protocol.EventPreferences, nil)
	users := decode[protocol.UsersEvent](t, tr.c.call(protocol.ActionListUsers, nil, protocol.EventUsers)).Users
	if p, ok := userIn(users, tr.ann.id); !ok || !p.Online {
		t.Errorf("Cyd sees Ann as %+v", p)
	}
	// In #general Cyd's messages still reach Ann (her client collapses them).
	tr.c.call(protocol.ActionSendMessage, message(chat.GeneralRoomID, "blk-1", "hello all"), protocol.EventAck)
	tr.a.expectEvent(protocol.EventMessage, func(f frame) bool { return decode[protocol.MessageEvent](t, f).Message.Text == "hello all" })

	// Unblocked: the DM opens.
	un := decode[protocol.PreferencesEvent](t, tr.a.call(protocol.ActionUnblockUser, map[string]any{"userId": tr.cyd.id}, protocol.EventPreferences)).Preferences
	if len(un.Blocked) != 0 {
		t.Errorf("after unblock = %v", un.Blocked)
	}
	decode[protocol.RoomEvent](t, tr.c.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{tr.ann.id}}, protocol.EventRoom))
}

// TestBlockedSenderNoPush: Bo blocked Cy. Cy's DM in their existing
// conversation is decided by the notifier and pushes nothing; Ana's next
// DM is Bo's next push.
func TestBlockedSenderNoPush(t *testing.T) {
	s, p := newPushStack(t)
	ana, bo, cy := s.newUser("ana", "Ana Alves"), s.newUser("bo", "Bo Berg"), s.newUser("cy", "Cy Cruz")
	a, _ := s.online(ana)
	b, _ := s.online(bo)
	c, _ := s.online(cy)
	sub := p.subscribe(t, b, "Bo's phone")
	cb := decode[protocol.RoomEvent](t, c.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{bo.id}}, protocol.EventRoom)).Room
	ab := decode[protocol.RoomEvent](t, a.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{bo.id}}, protocol.EventRoom)).Room
	b.call(protocol.ActionBlockUser, map[string]any{"userId": cy.id}, protocol.EventPreferences)
	setVisible(b, false)

	m1 := sendText(t, c, cb.ID, "c1", "you there?")
	p.waitHandled(t, m1)
	m2 := sendText(t, a, ab.ID, "a1", "hi Bo")
	pl, _ := p.next(t, sub.Endpoint, 0)
	if pl.RoomID != ab.ID || pl.Seq != m2.Seq {
		t.Fatalf("first push = %+v, want Ana's %s/%d (Cy is blocked)", pl, ab.ID, m2.Seq)
	}
	if n := p.count(sub.Endpoint); n != 1 {
		t.Errorf("pushes = %d, want 1", n)
	}
	c.expectNoEvent(protocol.EventError, nil)
}

// TestConnectionItemHoldsNoEmail: the CONN# item stored at $connect has
// only what authorization needs: no email (the token had one).
func TestConnectionItemHoldsNoEmail(t *testing.T) {
	s := newStack(t, generousLimits)
	u := s.newUser("dora", "Dora Diaz")
	s.online(u)
	db := dynamodb.NewFromConfig(s.awsCfg, func(o *dynamodb.Options) { o.DisableValidateResponseChecksum = true })
	ctx := context.Background()
	links, err := db.Query(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(s.table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :conn)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: "USER#" + u.id}, ":conn": &types.AttributeValueMemberS{Value: "CONN#"},
		},
	})
	if err != nil || len(links.Items) == 0 {
		t.Fatalf("user's connection links: %v, %d items", err, len(links.Items))
	}
	for _, l := range links.Items {
		id := l["connectionId"].(*types.AttributeValueMemberS).Value
		it, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), ConsistentRead: aws.Bool(true), Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "CONN#" + id}, "sk": &types.AttributeValueMemberS{Value: "META"},
		}})
		if err != nil || it.Item == nil {
			t.Fatalf("connection item %s: %v", id, err)
		}
		var names []string
		for k, v := range it.Item {
			names = append(names, k)
			if sv, ok := v.(*types.AttributeValueMemberS); ok && strings.Contains(sv.Value, "@") {
				t.Errorf("attribute %s holds %q", k, sv.Value)
			}
		}
		if _, ok := it.Item["email"]; ok {
			t.Errorf("connection item has an email: %v", names)
		}
		t.Logf("connection item attributes: %s", fmt.Sprint(names))
	}
}
