package chattest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// contractPreferences: defaults first, edits stored and read back, an
// edit's error stores nothing, concurrent edits all land.
func contractPreferences(t *testing.T, s chat.Store) {
	ctx := context.Background()
	u := uniq("prefs-")
	p, err := s.GetPreferences(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	def := chat.DefaultPreferences()
	if p.Notify.EmailDelayMinutes != def.Notify.EmailDelayMinutes || p.Appearance.Theme != "system" || len(p.Rooms) != 0 {
		t.Fatalf("GetPreferences before any = %+v, want the defaults", p)
	}
	until := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	got, err := s.UpdatePreferences(ctx, u, func(p *chat.Preferences) error {
		p.Appearance.Theme = "dark"
		p.Notify.DND = chat.DND{Enabled: true, Start: "22:00", End: "07:00", TZ: "Europe/Berlin", Days: []int{5, 1}}
		p.Rooms["r1"] = chat.RoomNotify{Level: chat.LevelAll, MuteUntil: until}
		p.PushKey = "not stored"
		return nil
	})
	if err != nil || got.Appearance.Theme != "dark" {
		t.Fatalf("UpdatePreferences = %+v, %v", got, err)
	}
	p, err = s.GetPreferences(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if p.Appearance.Theme != "dark" || !p.Notify.DND.Enabled || p.Notify.DND.TZ != "Europe/Berlin" ||
		!slices.Equal(p.Notify.DND.Days, []int{1, 5}) || p.Rooms["r1"].Level != chat.LevelAll ||
		!p.Rooms["r1"].MuteUntil.Equal(until) || p.PushKey != "" {
		t.Fatalf("GetPreferences = %+v", p)
	}
	boom := errors.New("refused")
	if _, err := s.UpdatePreferences(ctx, u, func(p *chat.Preferences) error {
		p.Appearance.Theme = "light"
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("UpdatePreferences with a failing edit = %v", err)
	}
	if p, _ := s.GetPreferences(ctx, u); p.Appearance.Theme != "dark" {
		t.Fatal("a failed edit was stored")
	}
	// Concurrent edits of different rooms: every one lands.
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			if _, err := s.UpdatePreferences(ctx, u, func(p *chat.Preferences) error {
				p.Rooms[fmt.Sprintf("c%d", i)] = chat.RoomNotify{Level: chat.LevelNothing}
				return nil
			}); err != nil && chat.ErrorCode(err) != chat.Conflict {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	p, _ = s.GetPreferences(ctx, u)
	n := 0
	for i := range 4 {
		if p.Rooms[fmt.Sprintf("c%d", i)].Level == chat.LevelNothing {
			n++
		}
	}
	if n < 3 { // five retries each: at most a pathological loser answers Conflict
		t.Errorf("concurrent edits: %d of 4 landed: %+v", n, p.Rooms)
	}
}

// contractPushSubscriptions: keyed by endpoint, one per device label, a
// cap dropping the oldest, delete reports whether there was one.
func contractPushSubscriptions(t *testing.T, s chat.Store) {
	ctx := context.Background()
	u := uniq("push-")
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	sub := func(i int, device string) chat.PushSubscription {
		return chat.PushSubscription{
			UserID: u, Endpoint: fmt.Sprintf("https://push.example/%s/%d", u, i), P256dh: "k", Auth: "a",
			Device: device, CreatedAt: t0.Add(time.Duration(i) * time.Minute),
		}
	}
	endpoints := func() []string {
		subs, err := s.PushSubscriptions(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range subs {
			out = append(out, x.Endpoint)
		}
		return out
	}
	for i := range 3 {
		if err := s.PutPushSubscription(ctx, sub(i, ""), 3); err != nil {
			t.Fatal(err)
		}
	}
	if got := endpoints(); len(got) != 3 || got[0] != sub(0, "").Endpoint {
		t.Fatalf("after 3: %v", got)
	}
	again := sub(1, "")
	again.Auth = "b"
	if err := s.PutPushSubscription(ctx, again, 3); err != nil {
		t.Fatal(err)
	}
	if got := endpoints(); len(got) != 3 {
		t.Fatalf("the same endpoint again: %v, want 3", got)
	}
	if err := s.PutPushSubscription(ctx, sub(3, ""), 3); err != nil {
		t.Fatal(err)
	}
	if got := endpoints(); len(got) != 3 || slices.Contains(got, sub(0, "").Endpoint) {
		t.Fatalf("past the cap: %v, want the oldest dropped", got)
	}
	// A device label keeps one subscription per device.
	if err := s.PutPushSubscription(ctx, sub(4, "laptop"), 10); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPushSubscription(ctx, sub(5, "laptop"), 10); err != nil {
		t.Fatal(err)
	}
	got := endpoints()
	if slices.Contains(got, sub(4, "").Endpoint) || !slices.Contains(got, sub(5, "").Endpoint) {
		t.Fatalf("same device: %v, want only the newer", got)
	}
	if ok, err := s.DeletePushSubscription(ctx, u, sub(5, "").Endpoint); err != nil || !ok {
		t.Fatalf("DeletePushSubscription = %v, %v", ok, err)
	}
	if ok, err := s.DeletePushSubscription(ctx, u, sub(5, "").Endpoint); err != nil || ok {
		t.Fatalf("DeletePushSubscription again = %v, %v; want false", ok, err)
	}
}

// contractVisibility: a new connection is visible; hidden and visible
// again; a missing connection is NotFound.
func contractVisibility(t *testing.T, s chat.Store) {
	ctx := context.Background()
	u := uniq("vis-")
	c1, c2 := chat.Connection{ID: uniq("c1-")}, chat.Connection{ID: uniq("c2-")}
	for _, c := range []*chat.Connection{&c1, &c2} {
		c.UserID = u
		c.ConnectedAt = time.Now()
		if err := s.PutConnection(ctx, *c, nil); err != nil {
			t.Fatal(err)
		}
	}
	check := func(conns, visible int) {
		t.Helper()
		n, v, err := s.UserPresence(ctx, u)
		if err != nil || n != conns || v != visible {
			t.Fatalf("UserPresence = %d, %d, %v; want %d, %d", n, v, err, conns, visible)
		}
	}
	check(2, 2)
	if err := s.SetConnectionVisible(ctx, u, c1.ID, false); err != nil {
		t.Fatal(err)
	}
	check(2, 1)
	if err := s.SetConnectionVisible(ctx, u, c2.ID, false); err != nil {
		t.Fatal(err)
	}
	check(2, 0)
	if err := s.SetConnectionVisible(ctx, u, c2.ID, true); err != nil {
		t.Fatal(err)
	}
	check(2, 1)
	if err := s.DeleteConnection(ctx, c2, nil); err != nil {
		t.Fatal(err)
	}
	check(1, 0)
	wantCode(t, "SetConnectionVisible of a gone connection", s.SetConnectionVisible(ctx, u, c2.ID, true), chat.NotFound)
}
