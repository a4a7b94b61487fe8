package chat

import (
	"testing"
	"time"
)

// TestRingPushes: a call's ring is pushed exactly when a message from the
// caller in that conversation would interrupt the callee.
func TestRingPushes(t *testing.T) {
	now := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	dm := Room{ID: "d_x", Kind: KindDirect, MemberIDs: []string{"ada", "bo"}}
	call := Call{ID: "d_x/k", RoomID: "d_x", StartedBy: "ada"}
	prefs := func(f func(*Preferences)) Preferences {
		p := Preferences{Rooms: map[string]RoomNotify{}}
		f(&p)
		return p
	}
	for name, c := range map[string]struct {
		p    Preferences
		want bool
	}{
		"defaults": {prefs(func(*Preferences) {}), true},
		"do-not-disturb": {prefs(func(p *Preferences) {
			p.Notify.DND = DND{Enabled: true, Start: "00:00", End: "00:00", TZ: "UTC", Days: []int{1, 2, 3, 4, 5, 6, 7}}
		}), false},
		"muted":           {prefs(func(p *Preferences) { p.Rooms["d_x"] = RoomNotify{MuteUntil: now.Add(time.Hour)} }), false},
		"a mute that ran": {prefs(func(p *Preferences) { p.Rooms["d_x"] = RoomNotify{MuteUntil: now.Add(-time.Hour)} }), true},
		"set to nothing":  {prefs(func(p *Preferences) { p.Rooms["d_x"] = RoomNotify{Level: LevelNothing} }), false},
		"caller blocked":  {prefs(func(p *Preferences) { p.Blocked = []string{"ada"} }), false},
	} {
		if got := RingPushes(call, dm, Recipient{UserID: "bo", Prefs: c.p}, now); got != c.want {
			t.Errorf("%s: RingPushes = %v, want %v", name, got, c.want)
		}
	}
}
