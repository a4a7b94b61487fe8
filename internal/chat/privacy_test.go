package chat_test

import (
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func TestCanOpenDirect(t *testing.T) {
	prefs := func(dm chat.DMFrom, blocked ...string) chat.Preferences {
		p := chat.DefaultPreferences()
		p.Privacy.DMFrom = dm
		p.Blocked = blocked
		return p
	}
	nobody := "Ada does not accept new direct messages"
	cases := []struct {
		name   string
		p      chat.Preferences
		shares bool
		want   string // "" allowed, else the read_only message
	}{
		{"everyone", prefs(chat.DMEveryone), false, ""},
		{"unset reads as everyone", prefs(""), false, ""},
		{"rooms, shared", prefs(chat.DMRooms), true, ""},
		{"rooms, not shared", prefs(chat.DMRooms), false, "Ada accepts direct messages only from people in their rooms"},
		{"nobody", prefs(chat.DMNobody), true, nobody},
		{"blocked, everyone", prefs(chat.DMEveryone, "bob"), true, nobody},
		{"blocked, rooms", prefs(chat.DMRooms, "bob"), true, nobody},
		{"someone else blocked", prefs(chat.DMEveryone, "eve"), false, ""},
	}
	for _, tc := range cases {
		err := chat.CanOpenDirect(tc.p, "Ada", "bob", tc.shares)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want allowed", tc.name, err)
		case tc.want != "" && (chat.ErrorCode(err) != chat.Forbidden || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want forbidden %q", tc.name, err, tc.want)
		}
	}
	// A block reads exactly as "nobody": the blocked person cannot tell.
	a := chat.CanOpenDirect(prefs(chat.DMEveryone, "bob"), "Ada", "bob", true)
	b := chat.CanOpenDirect(prefs(chat.DMNobody), "Ada", "bob", true)
	if a.Error() != b.Error() {
		t.Errorf("blocked %q differs from nobody %q", a, b)
	}
	if chat.NeedsSharedRoom(prefs(chat.DMEveryone), "bob") || chat.NeedsSharedRoom(prefs(chat.DMRooms, "bob"), "bob") || !chat.NeedsSharedRoom(prefs(chat.DMRooms), "bob") {
		t.Error("NeedsSharedRoom: want true only for rooms and not blocked")
	}
}

func TestPrivacyValidate(t *testing.T) {
	for _, dm := range []chat.DMFrom{"", chat.DMEveryone, chat.DMRooms, chat.DMNobody} {
		if err := (chat.Privacy{DMFrom: dm}).Validate(); err != nil {
			t.Errorf("%q: %v", dm, err)
		}
	}
	if err := (chat.Privacy{DMFrom: "friends"}).Validate(); chat.ErrorCode(err) != chat.Invalid || !strings.Contains(err.Error(), "privacy.dmFrom") {
		t.Errorf("friends: %v, want invalid naming privacy.dmFrom", err)
	}
}

func TestBlockList(t *testing.T) {
	p := chat.DefaultPreferences()
	if err := p.Block("me", "me"); chat.ErrorCode(err) != chat.Invalid {
		t.Errorf("blocking yourself: %v", err)
	}
	for _, id := range []string{"c", "a", "c"} {
		if err := p.Block("me", id); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(p.Blocked, ",") != "a,c" || !p.Blocks("a") || p.Blocks("b") || p.Blocks("") {
		t.Errorf("blocked = %v", p.Blocked)
	}
	p.Unblock("a")
	p.Unblock("zz")
	if strings.Join(p.Blocked, ",") != "c" {
		t.Errorf("after unblock = %v", p.Blocked)
	}
	p.Blocked = make([]string, chat.MaxBlocked)
	for i := range p.Blocked {
		p.Blocked[i] = strings.Repeat("x", 3) + string(rune('0'+i%10)) + strings.Repeat("y", i/10)
	}
	if err := p.Block("me", "new"); chat.ErrorCode(err) != chat.Invalid {
		t.Errorf("past MaxBlocked: %v", err)
	}
	if !chat.DeliverInvite(chat.DefaultPreferences(), "x") {
		t.Error("an invite from someone not blocked is dropped")
	}
	q := chat.DefaultPreferences()
	_ = q.Block("me", "x")
	if chat.DeliverInvite(q, "x") {
		t.Error("an invite from a blocked person is delivered")
	}
}

func TestPresenceSeenBy(t *testing.T) {
	seen := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	p := chat.Profile{UserID: "ada", Online: true, LastSeen: seen, HidePresence: true}
	if got := chat.PresenceSeenBy(p, "bob"); got.Online || !got.LastSeen.IsZero() {
		t.Errorf("others see %+v, want offline with no last seen", got)
	}
	if got := chat.PresenceSeenBy(p, "ada"); !got.Online || !got.LastSeen.Equal(seen) {
		t.Errorf("ada sees herself as %+v", got)
	}
	p.HidePresence = false
	if got := chat.PresenceSeenBy(p, "bob"); !got.Online || !got.LastSeen.Equal(seen) {
		t.Errorf("not hidden: %+v", got)
	}
}

func TestReceiptVisible(t *testing.T) {
	cases := []struct {
		reader     string
		readerHide bool
		viewer     string
		viewerHide bool
		want       bool
	}{
		{"ada", false, "bob", false, true},
		{"ada", true, "bob", false, false},
		{"ada", false, "bob", true, false}, // mutual
		{"ada", true, "ada", true, true},   // your own, always
	}
	for _, tc := range cases {
		if got := chat.ReceiptVisible(tc.reader, tc.readerHide, tc.viewer, tc.viewerHide); got != tc.want {
			t.Errorf("%+v: %v", tc, got)
		}
	}
}

func TestDecideNotifyBlockedSender(t *testing.T) {
	room := chat.Room{ID: "d1", Kind: chat.KindDirect}
	m := chat.Message{RoomID: "d1", SenderID: "eve", Text: "hi", Mentions: []string{"ada"}}
	r := chat.Recipient{UserID: "ada", Prefs: chat.DefaultPreferences()}
	if d := chat.DecideNotify(m, room, r, time.Now()); !d.Notify {
		t.Fatalf("a DM notifies: %+v", d)
	}
	_ = r.Prefs.Block("ada", "eve")
	if d := chat.DecideNotify(m, room, r, time.Now()); d.Notify {
		t.Errorf("a blocked sender notifies: %+v", d)
	}
}

func TestDirectReadOnly(t *testing.T) {
	dm := func(ids ...string) chat.Room { return chat.Room{ID: "r", Kind: chat.KindDirect, MemberIDs: ids} }
	live := func(id string) chat.Profile { return chat.Profile{UserID: id, DisplayName: id} }
	gone := func(id string) chat.Profile {
		return chat.Profile{UserID: id, DisplayName: chat.DeletedUserName, Deleted: true, Deactivated: true}
	}
	cases := []struct {
		name   string
		room   chat.Room
		others []chat.Profile
		want   string // "" allowed, else the read_only message
	}{
		{"partner live", dm("me", "ada"), []chat.Profile{live("ada")}, ""},
		{"partner deactivated, not deleted", dm("me", "ada"), []chat.Profile{{UserID: "ada", Deactivated: true}}, ""},
		{"partner deleted", dm("me", "ada"), []chat.Profile{gone("ada")}, "the other person deleted their account: this conversation is read-only"},
		{"partner's profile missing counts as live", dm("me", "ada"), nil, ""},
		{"group, one of two deleted", dm("me", "ada", "bo"), []chat.Profile{gone("ada"), live("bo")}, ""},
		{"group, both deleted", dm("me", "ada", "bo"), []chat.Profile{gone("ada"), gone("bo")}, "everyone else deleted their account: this conversation is read-only"},
		{"note to oneself", dm("me"), nil, ""},
		{"a channel with a deleted member", chat.Room{ID: "r", Kind: chat.KindPrivate, MemberIDs: []string{"me", "ada"}}, []chat.Profile{gone("ada")}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := chat.DirectReadOnly(tc.room, "me", tc.others)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (chat.ErrorCode(err) != chat.ReadOnly || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want read_only %q", err, tc.want)
			}
			if n := chat.DirectGone(tc.room, "me", tc.others); (n > 0) != (tc.want != "") {
				t.Errorf("DirectGone = %d", n)
			}
		})
	}
	if got := chat.DirectOthers(dm("me", "ada", "bo"), "me"); len(got) != 2 || got[0] != "ada" || got[1] != "bo" {
		t.Errorf("DirectOthers = %v", got)
	}
}
