package chat_test

import (
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// TestDecideNotifyTable is the decision table of issue #13: who is notified
// of which message under which preference.
func TestDecideNotifyTable(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) // a Monday, noon UTC
	dm := chat.Room{ID: "d1", Kind: chat.KindDirect}
	ch := chat.Room{ID: "c1", Kind: chat.KindPublic}
	msg := func(mentions ...string) chat.Message {
		return chat.Message{RoomID: "x", Seq: 5, SenderID: "ana", Text: "hi", Mentions: mentions}
	}
	def := chat.DefaultPreferences()
	with := func(room string, rn chat.RoomNotify) chat.Preferences {
		p := chat.DefaultPreferences()
		p.Rooms[room] = rn
		return p
	}
	dnd := chat.DefaultPreferences()
	dnd.Notify.DND = chat.DND{Enabled: true, Start: "11:00", End: "13:00", TZ: "UTC", Days: []int{1}}
	future, past := now.Add(time.Hour), now.Add(-time.Hour)

	cases := []struct {
		name   string
		m      chat.Message
		room   chat.Room
		r      chat.Recipient
		notify bool
		reason chat.NotifyReason
		inter  bool
	}{
		{"DM, defaults", msg(), dm, chat.Recipient{UserID: "bo", Prefs: def}, true, chat.ReasonDM, true},
		{"channel, defaults, no mention", msg(), ch, chat.Recipient{UserID: "bo", Prefs: def}, false, "", false},
		{"channel, defaults, mentioned", msg("bo"), ch, chat.Recipient{UserID: "bo", Prefs: def}, true, chat.ReasonMention, true},
		{"channel, someone else mentioned", msg("cy"), ch, chat.Recipient{UserID: "bo", Prefs: def}, false, "", false},
		{"channel set to all", msg(), ch, chat.Recipient{UserID: "bo", Prefs: with("c1", chat.RoomNotify{Level: chat.LevelAll})}, true, chat.ReasonAll, true},
		{"channel set to all, mentioned: mention wins", msg("bo"), ch, chat.Recipient{UserID: "bo", Prefs: with("c1", chat.RoomNotify{Level: chat.LevelAll})}, true, chat.ReasonMention, true},
		{"channel set to nothing, mentioned", msg("bo"), ch, chat.Recipient{UserID: "bo", Prefs: with("c1", chat.RoomNotify{Level: chat.LevelNothing})}, false, "", false},
		{"DM set to nothing", msg(), dm, chat.Recipient{UserID: "bo", Prefs: with("d1", chat.RoomNotify{Level: chat.LevelNothing})}, false, "", false},
		{"DM set to mentions still notifies (a DM)", msg(), dm, chat.Recipient{UserID: "bo", Prefs: with("d1", chat.RoomNotify{Level: chat.LevelMentions})}, true, chat.ReasonDM, true},
		{"DM muted", msg(), dm, chat.Recipient{UserID: "bo", Prefs: with("d1", chat.RoomNotify{MuteUntil: future})}, false, "", false},
		{"DM mute ended", msg(), dm, chat.Recipient{UserID: "bo", Prefs: with("d1", chat.RoomNotify{MuteUntil: past})}, true, chat.ReasonDM, true},
		{"muted channel at all, no mention", msg(), ch, chat.Recipient{UserID: "bo", Prefs: with("c1", chat.RoomNotify{Level: chat.LevelAll, MuteUntil: future})}, false, "", false},
		{"muted channel, mentioned", msg("bo"), ch, chat.Recipient{UserID: "bo", Prefs: with("c1", chat.RoomNotify{MuteUntil: future})}, true, chat.ReasonMention, true},
		{"muted DM, mentioned", msg("bo"), dm, chat.Recipient{UserID: "bo", Prefs: with("d1", chat.RoomNotify{MuteUntil: future})}, true, chat.ReasonDM, true},
		{"DM during do-not-disturb: counts, no interruption", msg(), dm, chat.Recipient{UserID: "bo", Prefs: dnd}, true, chat.ReasonDM, false},
		{"own message", msg("ana"), dm, chat.Recipient{UserID: "ana", Prefs: def}, false, "", false},
		{"deactivated recipient", msg(), dm, chat.Recipient{UserID: "bo", Prefs: def, Deactivated: true}, false, "", false},
		{"system line", chat.Message{SenderID: "ana", Mentions: []string{"bo"}, System: &chat.SystemLine{Kind: chat.SystemJoined}}, dm, chat.Recipient{UserID: "bo", Prefs: def}, false, "", false},
		{"deleted message", chat.Message{SenderID: "ana", Deleted: true}, dm, chat.Recipient{UserID: "bo", Prefs: def}, false, "", false},
		{"private channel behaves as a channel", msg(), chat.Room{ID: "p1", Kind: chat.KindPrivate}, chat.Recipient{UserID: "bo", Prefs: def}, false, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := chat.DecideNotify(c.m, c.room, c.r, now)
			if d.Notify != c.notify || d.Reason != c.reason || d.Interrupt != c.inter {
				t.Errorf("DecideNotify = %+v; want notify=%v reason=%q interrupt=%v", d, c.notify, c.reason, c.inter)
			}
		})
	}
}

func TestInDoNotDisturb(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	p := chat.DefaultPreferences()
	p.Notify.DND = chat.DND{Enabled: true, Start: "22:00", End: "07:00", TZ: "Europe/Berlin", Days: []int{1, 2, 3, 4, 5}}
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, berlin) } // 30 Nov 2026 is a Monday
	cases := []struct {
		t    time.Time
		want bool
	}{
		{at(30, 21, 59), false}, // Monday evening before the window
		{at(30, 22, 0), true},   // Monday 22:00
		{at(30, 23, 30), true},
		{at(31, 6, 59), true}, // Tuesday morning: Monday's window
		{at(31, 7, 0), false},
		{at(29, 23, 0), false}, // Sunday evening: Sunday not listed
		{at(30, 3, 0), false},  // Monday 03:00: Sunday's window, not listed
		{time.Date(2026, 11, 30, 21, 30, 0, 0, time.UTC), true}, // 22:30 in Berlin
	}
	for _, c := range cases {
		if got := p.InDoNotDisturb(c.t); got != c.want {
			t.Errorf("InDoNotDisturb(%v) = %v, want %v", c.t, got, c.want)
		}
	}
	p.Notify.DND.Enabled = false
	if p.InDoNotDisturb(at(30, 23, 0)) {
		t.Error("a disabled schedule is never on")
	}
	p.Notify.DND = chat.DND{Enabled: true, Start: "09:00", End: "09:00", TZ: "UTC", Days: []int{6}}
	if !p.InDoNotDisturb(time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)) || p.InDoNotDisturb(time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)) {
		t.Error("start == end: the whole listed day")
	}
}

func TestPreferencesValidate(t *testing.T) {
	def := chat.DefaultPreferences()
	if err := def.Notify.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := def.Appearance.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := []func(*chat.Preferences){
		func(p *chat.Preferences) { p.Notify.DND.TZ = "Mars/Olympus" },
		func(p *chat.Preferences) { p.Notify.DND.TZ = "Local" },
		func(p *chat.Preferences) { p.Notify.DND.Start = "24:00" },
		func(p *chat.Preferences) { p.Notify.DND.End = "7:00" },
		func(p *chat.Preferences) { p.Notify.DND.Days = []int{0} },
		func(p *chat.Preferences) { p.Notify.DND.Days = []int{1, 1} },
		func(p *chat.Preferences) { p.Notify.EmailDelayMinutes = 0 },
		func(p *chat.Preferences) { p.Appearance.Theme = "neon" },
		func(p *chat.Preferences) { p.Appearance.Accent = "blue" },
		func(p *chat.Preferences) { p.Appearance.Layout = "grid" },
		func(p *chat.Preferences) { p.Appearance.Lang = "fr" },
	}
	for i, edit := range bad {
		p := chat.DefaultPreferences()
		edit(&p)
		if p.Notify.Validate() == nil && p.Appearance.Validate() == nil {
			t.Errorf("case %d: %+v validated", i, p)
		}
	}
}

func TestValidatePushSubscription(t *testing.T) {
	key := "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM" // RFC 8291's example
	auth := "BTBZMqHH6r4Tts7J_aSIgg"
	ok := chat.PushSubscription{Endpoint: "https://push.example.net/p/abc", P256dh: key, Auth: auth}
	if err := chat.ValidatePushSubscription(ok); err != nil {
		t.Fatal(err)
	}
	long := "https://push.example.net/" + string(make([]byte, 1024))
	for name, s := range map[string]chat.PushSubscription{
		"http":       {Endpoint: "http://push.example.net/p", P256dh: key, Auth: auth},
		"not a URL":  {Endpoint: "push", P256dh: key, Auth: auth},
		"too long":   {Endpoint: long, P256dh: key, Auth: auth},
		"short key":  {Endpoint: ok.Endpoint, P256dh: auth, Auth: auth},
		"short auth": {Endpoint: ok.Endpoint, P256dh: key, Auth: "AAAA"},
		"not b64":    {Endpoint: ok.Endpoint, P256dh: key, Auth: "!!!!!!!!!!!!!!!!!!!!!!"},
	} {
		if chat.ValidatePushSubscription(s) == nil {
			t.Errorf("%s: validated", name)
		}
	}
}
