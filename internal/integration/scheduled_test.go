package integration

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/scheduledapp"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/localscheduler"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

const (
	scheduledGroup = "backchannel-scheduled"
	scheduledFnARN = "arn:aws:lambda:us-east-1:000000000000:function:backchannel-scheduled"
)

// clockBehind is how far the service's clock runs behind real time in
// these tests: a time a minute ahead of the service's now (the shortest
// allowed) is two seconds ahead of real time, which the EventBridge
// Scheduler stand-in keeps, so a scheduled message arrives at its time
// without minutes of waiting. The other cases fire early (FireNow).
const clockBehind = 58 * time.Second

// newScheduledTrio: the chat with scheduled messages on, as deployed: the
// actions function's schedules go through the real SDK client to the
// EventBridge Scheduler stand-in (AWS_ENDPOINT_URL_SCHEDULER), which
// invokes the scheduled function's handler at their time.
func newScheduledTrio(t *testing.T) (*trio, *localscheduler.Server) {
	t.Helper()
	sched := testenv.NewScheduler(t, scheduledGroup) // before the AWS config is loaded: its endpoint
	s := newStackWithConfig(t, func(c *service.Config) {
		generousLimits(c)
		c.Now = func() time.Time { return time.Now().Add(-clockBehind) }
	}, "", func(c *app.Config) {
		c.Scheduled = app.ScheduledConfig{Group: scheduledGroup, RoleARN: "arn:aws:iam::000000000000:role/backchannel-scheduled-scheduler", TargetARN: scheduledFnARN}
	})
	h := scheduledapp.New(s.app.Service, slog.New(slog.NewJSONHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo})))
	sched.Register(scheduledFnARN, func(ctx context.Context, input []byte) error { return h.Handle(ctx, input) })
	tr := &trio{s: s}
	tr.ann = s.newUser("ann", "Ann Archer")
	tr.bob = s.newUser("bob", "Bob Baker")
	tr.cyd = s.newUser("cyd", "Cyd Cole")
	tr.a, tr.stateA = s.online(tr.ann)
	tr.b, tr.stateB = s.online(tr.bob)
	tr.c, tr.stateC = s.online(tr.cyd)
	tr.a.drain()
	tr.b.drain()
	tr.c.drain()
	return tr, sched
}

func schedule(t *testing.T, c *client, roomID, clientID, text string, at time.Time) chat.ScheduledItem {
	t.Helper()
	return decode[protocol.ScheduledEvent](t, c.call(protocol.ActionScheduleMessage,
		map[string]any{"roomId": roomID, "clientId": clientID, "text": text, "at": at.UTC().Format(time.RFC3339)}, protocol.EventScheduled)).Item
}

// serviceNow is the service's clock (see clockBehind).
func serviceNow() time.Time { return time.Now().Add(-clockBehind) }

func textMessage(roomID, text string) func(frame) bool {
	return func(f frame) bool {
		m, _ := f.fields["message"].(map[string]any)
		return m != nil && m["roomId"] == roomID && m["text"] == text
	}
}

func TestScheduledMessagesAndReminders(t *testing.T) {
	tr, sched := newScheduledTrio(t)
	club := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "later"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(club), protocol.EventRoom)
	tr.c.call(protocol.ActionJoinChannel, room(club), protocol.EventRoom)

	t.Run("a scheduled message arrives at its time", func(t *testing.T) {
		tr.b.drain()
		at := serviceNow().Add(time.Minute) // the shortest allowed: 2 s of real time
		it := schedule(t, tr.a, club, "sched-1", "standup in five", at)
		if it.State != chat.ScheduledPending || it.Kind != chat.ScheduledMessage {
			t.Fatalf("item = %+v", it)
		}
		if p := sched.Pending(); len(p) != 1 || p[0] != scheduledGroup+"/"+service.ScheduleName(it.ID, it.At) {
			t.Fatalf("schedules = %v", p)
		}
		tr.b.expectNoEvent(protocol.EventMessage, textMessage(club, "standup in five"))
		got := decode[protocol.MessageEvent](t, tr.b.expectEvent(protocol.EventMessage, textMessage(club, "standup in five"))).Message
		if got.SenderID != tr.ann.id || got.ClientID != "sched-1" {
			t.Errorf("bob got %+v", got)
		}
		if now := time.Now(); now.Before(it.At) { // it.At is an instant: the stand-in keeps real time
			t.Errorf("arrived before its time: %s < %s", now, it.At)
		}
		// Ann's connection hears that it was sent, and her list is empty.
		done := decode[protocol.ScheduledEvent](t, tr.a.expectEvent(protocol.EventScheduled, func(f frame) bool { return f.fields["sent"] == true }))
		if done.Message == nil || done.Message.Seq != got.Seq {
			t.Errorf("ann's scheduled event = %+v", done)
		}
		list := decode[protocol.ScheduledItemsEvent](t, tr.a.call(protocol.ActionListScheduled, nil, protocol.EventScheduledItems))
		if len(list.Items) != 0 {
			t.Errorf("still listed: %+v", list.Items)
		}
		// Idempotent: the function invoked again with the same event sends nothing.
		inv := sched.Invocations()
		if err := (scheduledapp.New(tr.s.app.Service, nil)).Handle(context.Background(), []byte(inv[len(inv)-1].Input)); err != nil {
			t.Fatal(err)
		}
		tr.b.expectNoEvent(protocol.EventMessage, textMessage(club, "standup in five"))
	})

	t.Run("a cancel before its time sends nothing", func(t *testing.T) {
		it := schedule(t, tr.a, club, "sched-2", "never mind", serviceNow().Add(time.Hour))
		c := decode[protocol.ScheduledEvent](t, tr.a.call(protocol.ActionCancelScheduled, map[string]any{"id": it.ID}, protocol.EventScheduled))
		if !c.Cancelled {
			t.Errorf("cancel = %+v", c)
		}
		if p := sched.Pending(); len(p) != 0 {
			t.Errorf("schedules left: %v", p)
		}
		if n := sched.FireNow(scheduledGroup, ""); n != 0 {
			t.Errorf("fired %d", n)
		}
		tr.b.expectNoEvent(protocol.EventMessage, textMessage(club, "never mind"))
		tr.a.callError(protocol.ActionCancelScheduled, map[string]any{"id": it.ID}, string(chat.NotFound))
	})

	t.Run("an edit changes what is sent", func(t *testing.T) {
		it := schedule(t, tr.a, club, "sched-3", "draft", serviceNow().Add(time.Hour))
		later := it.At.Add(30 * time.Minute)
		up := decode[protocol.ScheduledEvent](t, tr.a.call(protocol.ActionEditScheduled,
			map[string]any{"id": it.ID, "text": "final words", "at": later.Format(time.RFC3339)}, protocol.EventScheduled)).Item
		if up.Text != "final words" || !up.At.Equal(later) {
			t.Fatalf("edited = %+v", up)
		}
		if p := sched.Pending(); len(p) != 1 || p[0] != scheduledGroup+"/"+service.ScheduleName(it.ID, later) {
			t.Fatalf("schedules after the edit = %v", p)
		}
		if n := sched.FireNow(scheduledGroup, ""); n != 1 {
			t.Fatalf("fired %d", n)
		}
		tr.b.expectEvent(protocol.EventMessage, textMessage(club, "final words"))
		tr.b.expectNoEvent(protocol.EventMessage, textMessage(club, "draft"))
	})

	t.Run("a reminder fires", func(t *testing.T) {
		m := sendText(t, tr.a, club, "c-r", "please review the doc")
		it := decode[protocol.ScheduledEvent](t, tr.b.call(protocol.ActionRemindMe,
			map[string]any{"roomId": club, "seq": m.Seq, "at": serviceNow().Add(time.Hour).Format(time.RFC3339), "note": "after lunch"}, protocol.EventScheduled)).Item
		list := decode[protocol.ScheduledItemsEvent](t, tr.b.call(protocol.ActionListScheduled, nil, protocol.EventScheduledItems))
		if len(list.Items) != 1 || list.Items[0].ID != it.ID || list.Items[0].Kind != chat.ScheduledReminder {
			t.Fatalf("list = %+v", list.Items)
		}
		if n := sched.FireNow(scheduledGroup, ""); n != 1 {
			t.Fatalf("fired %d", n)
		}
		rem := decode[protocol.ReminderEvent](t, tr.b.expectEvent(protocol.EventReminder, nil))
		if rem.Item.ID != it.ID || rem.Item.State != chat.ScheduledFired || rem.Message == nil || rem.Message.Text != "please review the doc" || rem.RoomName != "later" {
			t.Errorf("reminder = %+v", rem)
		}
		tr.a.expectNoEvent(protocol.EventReminder, nil)
		list = decode[protocol.ScheduledItemsEvent](t, tr.b.call(protocol.ActionListScheduled, nil, protocol.EventScheduledItems))
		if len(list.Items) != 1 || list.Items[0].State != chat.ScheduledFired {
			t.Errorf("after firing: %+v", list.Items)
		}
		tr.b.call(protocol.ActionCancelScheduled, map[string]any{"id": it.ID}, protocol.EventScheduled) // dismissed
	})

	t.Run("a message of someone who left fails, shown to them", func(t *testing.T) {
		it := schedule(t, tr.c, club, "sched-c", "hello from cyd", serviceNow().Add(time.Hour))
		tr.c.call(protocol.ActionLeaveChannel, room(club), protocol.EventRoomRemoved)
		if n := sched.FireNow(scheduledGroup, ""); n != 1 {
			t.Fatalf("fired %d", n)
		}
		failed := decode[protocol.ScheduledEvent](t, tr.c.expectEvent(protocol.EventScheduled, func(f frame) bool {
			item, _ := f.fields["item"].(map[string]any)
			return item != nil && item["state"] == string(chat.ScheduledFailed)
		})).Item
		if failed.ID != it.ID || failed.Reason == "" {
			t.Errorf("failed = %+v", failed)
		}
		tr.a.expectNoEvent(protocol.EventMessage, textMessage(club, "hello from cyd"))
	})
}
