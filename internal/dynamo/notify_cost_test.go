package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/notify"
)

type jobs struct{ n int }

func (j *jobs) Enqueue(_ context.Context, js []notify.Job) error { j.n += len(js); return nil }

// TestNotifyCostPerMessage measures the table's side of a notified
// message (docs/ARCHITECTURE.md, "Notifications"): the notifier's reads
// for a DM to a person with a hidden tab, and the push sender's read of
// their subscriptions. Reads only, so DynamoDB Local's units are billed
// units (its transactional-write discount does not apply).
func TestNotifyCostPerMessage(t *testing.T) {
	var log requestLog
	s, _ := newStore(t, dynamo.WithCapacityRecorder(log.record))
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, u := range []string{"ana", "bo"} {
		if _, _, err := s.EnsureProfile(ctx, chat.Profile{UserID: u, Username: u, DisplayName: u, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	dm := testRoom("d_ab", chat.KindDirect, "")
	dm.MemberIDs = []string{"ana", "bo"}
	mustCreateRoom(t, s, dm, "ana", "bo")
	if err := s.PutConnection(ctx, chat.Connection{ID: "b1", Identity: chat.Identity{UserID: "bo"}, ConnectedAt: now}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SetConnectionVisible(ctx, "bo", "b1", false); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPushSubscription(ctx, chat.PushSubscription{UserID: "bo", Endpoint: "https://push.example/1", P256dh: "k", Auth: "a"}, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdatePreferences(ctx, "bo", func(p *chat.Preferences) error { p.Appearance.Theme = "dark"; return nil }); err != nil {
		t.Fatal(err)
	}
	m, _, err := s.AppendMessage(ctx, testMessage("d_ab", "ana", "c1", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	q := &jobs{}
	n, err := notify.New(notify.Config{Store: s, Queue: q, Previews: true})
	if err != nil {
		t.Fatal(err)
	}
	log.reset()
	out, err := n.Decide(ctx, m)
	if err != nil || len(out.Push) != 1 {
		t.Fatalf("Decide = %+v, %v", out, err)
	}
	ops, units := log.reset()
	t.Logf("notifier, DM to one person with a hidden tab: %d requests %v, %.1f RCU", len(ops), ops, units)
	if len(ops) != 4 || units > 4 {
		t.Errorf("notifier: %d requests, %.1f units; want 4 requests (room, profiles, preferences, presence), at most 4 RCU", len(ops), units)
	}
	if _, err := s.PushSubscriptions(ctx, "bo"); err != nil {
		t.Fatal(err)
	}
	ops, units = log.reset()
	t.Logf("push sender, one person: %d requests %v, %.1f RCU", len(ops), ops, units)
}

// TestRoomNotifyAllIndex: setting a room to "all" writes its NOTIFYALL#
// item, another level removes it; other rooms' items stay.
func TestRoomNotifyAllIndex(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	set := func(room string, level chat.NotifyLevel) {
		t.Helper()
		if _, err := s.UpdatePreferences(ctx, "bo", func(p *chat.Preferences) error {
			p.Rooms[room] = chat.RoomNotify{Level: level}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(room string, want ...string) {
		t.Helper()
		got, err := s.RoomNotifyAll(ctx, room)
		if err != nil || len(got) != len(want) || (len(want) == 1 && got[0] != want[0]) {
			t.Fatalf("RoomNotifyAll(%s) = %v, %v; want %v", room, got, err, want)
		}
	}
	set("c1", chat.LevelAll)
	set("c2", chat.LevelAll)
	check("c1", "bo")
	set("c1", chat.LevelMentions)
	check("c1")
	check("c2", "bo")
	set("c2", chat.LevelAll) // unchanged: no write, still there
	check("c2", "bo")
}
