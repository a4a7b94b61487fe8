package service_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// fakeTimer records the schedules the service creates and deletes.
type fakeTimer struct {
	mu      sync.Mutex
	pending map[string]service.ScheduledFire
	created []string
	fail    error
}

func newFakeTimer() *fakeTimer { return &fakeTimer{pending: map[string]service.ScheduledFire{}} }

func (f *fakeTimer) At(_ context.Context, name string, _ time.Time, input []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	var ev service.ScheduledFire
	if err := json.Unmarshal(input, &ev); err != nil {
		return err
	}
	f.pending[name] = ev
	f.created = append(f.created, name)
	return nil
}

func (f *fakeTimer) Cancel(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.pending, name)
	return nil
}

// fires returns the pending schedules' inputs.
func (f *fakeTimer) fires() []service.ScheduledFire {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []service.ScheduledFire
	for _, ev := range f.pending {
		out = append(out, ev)
	}
	return out
}

// take removes and returns the one pending schedule (it fires, and is
// deleted after, as ActionAfterCompletion DELETE does).
func (f *fakeTimer) take(t *testing.T) service.ScheduledFire {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.pending) != 1 {
		t.Fatalf("%d schedules pending, want 1", len(f.pending))
	}
	for name, ev := range f.pending {
		delete(f.pending, name)
		return ev
	}
	return service.ScheduledFire{}
}

type fakeReminderPush struct {
	mu    sync.Mutex
	items []chat.ScheduledItem
}

func (f *fakeReminderPush) Remind(_ context.Context, it chat.ScheduledItem, _ string, _ *chat.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = append(f.items, it)
	return nil
}

func newSchedHarness(t *testing.T) (*harness, *fakeTimer, *fakeReminderPush) {
	timer, push := newFakeTimer(), &fakeReminderPush{}
	h := newHarness(t, func(c *service.Config) { c.Timer = timer; c.ReminderPush = push })
	return h, timer, push
}

func TestScheduleMessageIsSentAtItsTimeThroughTheSendPath(t *testing.T) {
	h, timer, _ := newSchedHarness(t)
	alice, bob := h.connect("alice", "a1"), h.connect("bob", "b1")
	room := h.channel(alice, "plans", false)
	h.join(bob, room.ID)
	at := h.clock().Add(30 * time.Minute)
	ev, err := h.svc.ScheduleMessage(h.ctx, alice, protocol.ScheduleMessageRequest{RoomID: room.ID, Text: "standup in 5", At: at, ClientID: "sc1"})
	if err != nil {
		t.Fatal(err)
	}
	it := ev.Item
	if it.Kind != chat.ScheduledMessage || it.State != chat.ScheduledPending || it.Text != "standup in 5" || !it.At.Equal(at) || it.ClientID != "sc1" {
		t.Fatalf("item = %+v", it)
	}
	// The same clientId again answers the same item, no second schedule.
	again, err := h.svc.ScheduleMessage(h.ctx, alice, protocol.ScheduleMessageRequest{RoomID: room.ID, Text: "standup in 5", At: at, ClientID: "sc1"})
	if err != nil || again.Item.ID != it.ID || len(timer.created) != 1 {
		t.Fatalf("retry = %+v, %v; schedules %v", again.Item, err, timer.created)
	}
	if got := timer.created[0]; got != service.ScheduleName(it.ID, at) {
		t.Errorf("schedule name %q", got)
	}
	list, err := h.svc.ListScheduled(h.ctx, alice)
	if err != nil || len(list.Items) != 1 || list.Items[0].ID != it.ID {
		t.Fatalf("list = %+v, %v", list, err)
	}
	h.fan.Reset()
	h.advance(30 * time.Minute)
	fire := timer.fires()[0]
	out, err := h.svc.DeliverScheduled(h.ctx, fire)
	if err != nil || out != service.DeliverySent {
		t.Fatalf("DeliverScheduled = %q, %v", out, err)
	}
	msg := decodeOne[protocol.MessageEvent](t, h.fan, "b1", protocol.EventMessage).Message
	if msg.Text != "standup in 5" || msg.SenderID != "alice" || msg.ClientID != "sc1" || !msg.CreatedAt.Equal(h.clock()) {
		t.Errorf("bob got %+v", msg)
	}
	// The author's connections get the message and the item's end.
	if n := len(h.fan.OfType("a1", protocol.EventMessage)); n != 1 {
		t.Errorf("alice got %d messages", n)
	}
	done := decodeOne[protocol.ScheduledEvent](t, h.fan, "a1", protocol.EventScheduled)
	if !done.Sent || done.Message == nil || done.Message.Seq != msg.Seq {
		t.Errorf("alice's scheduled event = %+v", done)
	}
	// A retried invocation sends nothing more.
	if out, err := h.svc.DeliverScheduled(h.ctx, fire); err != nil || out != service.DeliveryStale {
		t.Errorf("retry = %q, %v", out, err)
	}
	if n := len(h.fan.OfType("b1", protocol.EventMessage)); n != 1 {
		t.Errorf("bob got %d messages after the retry", n)
	}
	if list, _ := h.svc.ListScheduled(h.ctx, alice); len(list.Items) != 0 {
		t.Errorf("left listed: %+v", list.Items)
	}
}

// A delivery that stored the message but failed before finishing is
// retried: the clientId dedupe of the send path stores it once.
func TestScheduledDeliveryRetryAfterAFailureSendsOnce(t *testing.T) {
	h, timer, _ := newSchedHarness(t)
	alice := h.connect("alice", "a1")
	room := h.channel(alice, "plans", false)
	if _, err := h.svc.ScheduleMessage(h.ctx, alice, protocol.ScheduleMessageRequest{RoomID: room.ID, Text: "once", At: h.clock().Add(time.Hour), ClientID: "sc1"}); err != nil {
		t.Fatal(err)
	}
	fire := timer.fires()[0]
	h.advance(time.Hour)
	h.store.FailOnce("DeleteScheduled", chat.Errorf(chat.Internal, "boom"))
	if _, err := h.svc.DeliverScheduled(h.ctx, fire); err == nil {
		t.Fatal("want the transient error")
	}
	if out, err := h.svc.DeliverScheduled(h.ctx, fire); err != nil || out != service.DeliverySent {
		t.Fatalf("retry = %q, %v", out, err)
	}
	hist, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: room.ID})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range hist.Messages {
		if m.Text == "once" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("stored %d times", n)
	}
}

func TestScheduledMessageFailsWhenTheAuthorLeftOrWasBanned(t *testing.T) {
	h, timer, _ := newSchedHarness(t)
	alice, bob := h.connect("alice", "a1"), h.connect("bob", "b1")
	room := h.channel(alice, "plans", false)
	h.join(bob, room.ID)
	ev, err := h.svc.ScheduleMessage(h.ctx, bob, protocol.ScheduleMessageRequest{RoomID: room.ID, Text: "hi later", At: h.clock().Add(time.Hour), ClientID: "b-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.BanMember(h.ctx, alice, protocol.MemberActionRequest{RoomID: room.ID, UserID: "bob"}); err != nil {
		t.Fatal(err)
	}
	h.fan.Reset()
	h.advance(time.Hour)
	out, err := h.svc.DeliverScheduled(h.ctx, timer.fires()[0])
	if err != nil || out != service.DeliveryFailed {
		t.Fatalf("DeliverScheduled = %q, %v", out, err)
	}
	if n := len(h.fan.OfType("a1", protocol.EventMessage)); n != 0 {
		t.Errorf("the room got %d messages", n)
	}
	failed := decodeOne[protocol.ScheduledEvent](t, h.fan, "b1", protocol.EventScheduled).Item
	if failed.ID != ev.Item.ID || failed.State != chat.ScheduledFailed || failed.Reason == "" {
		t.Errorf("bob's item = %+v", failed)
	}
	list, _ := h.svc.ListScheduled(h.ctx, bob)
	if len(list.Items) != 1 || list.Items[0].State != chat.ScheduledFailed {
		t.Fatalf("list = %+v", list.Items)
	}
	// Dismissed with cancel.
	if _, err := h.svc.CancelScheduled(h.ctx, bob, protocol.ScheduledRef{ID: failed.ID}); err != nil {
		t.Fatal(err)
	}
	if list, _ := h.svc.ListScheduled(h.ctx, bob); len(list.Items) != 0 {
		t.Errorf("after dismiss: %+v", list.Items)
	}
}

func TestEditAndCancelScheduled(t *testing.T) {
	h, timer, _ := newSchedHarness(t)
	alice, bob := h.connect("alice", "a1"), h.connect("bob", "b1")
	room := h.channel(alice, "plans", false)
	h.join(bob, room.ID)
	at := h.clock().Add(time.Hour)
	ev, err := h.svc.ScheduleMessage(h.ctx, alice, protocol.ScheduleMessageRequest{RoomID: room.ID, Text: "draft", At: at, ClientID: "e1"})
	if err != nil {
		t.Fatal(err)
	}
	oldFire := timer.fires()[0]
	text, later := "final", at.Add(time.Hour)
	up, err := h.svc.EditScheduled(h.ctx, alice, protocol.EditScheduledRequest{ID: ev.Item.ID, Text: &text, At: &later})
	if err != nil || up.Item.Text != "final" || !up.Item.At.Equal(later) {
		t.Fatalf("EditScheduled = %+v, %v", up.Item, err)
	}
	if fs := timer.fires(); len(fs) != 1 || !fs[0].At.Equal(later) {
		t.Fatalf("schedules after the edit: %+v", fs)
	}
	// The old schedule, had it fired anyway, does nothing.
	h.advance(time.Hour)
	if out, err := h.svc.DeliverScheduled(h.ctx, oldFire); err != nil || out != service.DeliveryStale {
		t.Errorf("old schedule = %q, %v", out, err)
	}
	h.fan.Reset()
	h.advance(time.Hour)
	if out, err := h.svc.DeliverScheduled(h.ctx, timer.take(t)); err != nil || out != service.DeliverySent {
		t.Fatalf("deliver = %q, %v", out, err)
	}
	if got := decodeOne[protocol.MessageEvent](t, h.fan, "b1", protocol.EventMessage).Message.Text; got != "final" {
		t.Errorf("sent %q", got)
	}

	// Cancel: the schedule goes, nothing is sent.
	ev2, err := h.svc.ScheduleMessage(h.ctx, alice, protocol.ScheduleMessageRequest{RoomID: room.ID, Text: "never", At: h.clock().Add(time.Hour), ClientID: "e2"})
	if err != nil {
		t.Fatal(err)
	}
	fire := timer.fires()[0]
	if c, err := h.svc.CancelScheduled(h.ctx, alice, protocol.ScheduledRef{ID: ev2.Item.ID}); err != nil || !c.Cancelled {
		t.Fatalf("cancel = %+v, %v", c, err)
	}
	if fs := timer.fires(); len(fs) != 0 {
		t.Errorf("schedules left: %+v", fs)
	}
	h.fan.Reset()
	if out, _ := h.svc.DeliverScheduled(h.ctx, fire); out != service.DeliveryStale {
		t.Errorf("a cancelled item delivered: %q", out)
	}
	if n := len(h.fan.OfType("b1", protocol.EventMessage)); n != 0 {
		t.Errorf("sent after cancel")
	}
	_, err = h.svc.CancelScheduled(h.ctx, alice, protocol.ScheduledRef{ID: ev2.Item.ID})
	wantCode(t, err, chat.NotFound)
	// Someone else's id is not found.
	ev3, _ := h.svc.ScheduleMessage(h.ctx, alice, protocol.ScheduleMessageRequest{RoomID: room.ID, Text: "mine", At: h.clock().Add(time.Hour), ClientID: "e3"})
	_, err = h.svc.CancelScheduled(h.ctx, bob, protocol.ScheduledRef{ID: ev3.Item.ID})
	wantCode(t, err, chat.NotFound)
	_, err = h.svc.EditScheduled(h.ctx, bob, protocol.EditScheduledRequest{ID: ev3.Item.ID, Text: &text})
	wantCode(t, err, chat.NotFound)
}

func TestScheduleValidation(t *testing.T) {
	h, timer, _ := newSchedHarness(t)
	alice, carol := h.connect("alice", "a1"), h.connect("carol", "c1")
	room := h.channel(alice, "plans", true)
	req := func(text string, at time.Time) protocol.ScheduleMessageRequest {
		return protocol.ScheduleMessageRequest{RoomID: room.ID, Text: text, At: at, ClientID: "v" + text}
	}
	_, err := h.svc.ScheduleMessage(h.ctx, alice, req("soon", h.clock().Add(30*time.Second)))
	wantCode(t, err, chat.Invalid)
	_, err = h.svc.ScheduleMessage(h.ctx, alice, req("far", h.clock().Add(400*24*time.Hour)))
	wantCode(t, err, chat.Invalid)
	_, err = h.svc.ScheduleMessage(h.ctx, alice, req("", h.clock().Add(time.Hour)))
	wantCode(t, err, chat.Invalid)
	_, err = h.svc.ScheduleMessage(h.ctx, alice, protocol.ScheduleMessageRequest{RoomID: room.ID, Text: "x", ClientID: "v0"})
	wantCode(t, err, chat.Invalid)
	// A private room of others is not found, as for a send.
	_, err = h.svc.ScheduleMessage(h.ctx, carol, req("intrude", h.clock().Add(time.Hour)))
	wantCode(t, err, chat.NotFound)
	// Exactly a minute (less the skew) is allowed, moved to the minimum.
	ev, err := h.svc.ScheduleMessage(h.ctx, alice, req("minute", h.clock().Add(55*time.Second)))
	if err != nil || ev.Item.At.Before(h.clock().Add(time.Minute)) {
		t.Fatalf("a minute ahead: %+v, %v", ev.Item, err)
	}
	// The cap.
	for i := range chat.MaxScheduledPerUser - 1 {
		if _, err := h.svc.ScheduleMessage(h.ctx, alice, protocol.ScheduleMessageRequest{RoomID: room.ID, Text: "n", At: h.clock().Add(time.Hour), ClientID: "cap" + string(rune('a'+i%26)) + string(rune('a'+i/26))}); err != nil {
			t.Fatalf("#%d: %v", i, err)
		}
	}
	_, err = h.svc.ScheduleMessage(h.ctx, alice, req("over", h.clock().Add(time.Hour)))
	wantCode(t, err, chat.Conflict)
	// A schedule that cannot be created leaves no item.
	timer.fail = chat.Errorf(chat.Internal, "scheduler down")
	h2, timer2, _ := newSchedHarness(t)
	timer2.fail = timer.fail
	a2 := h2.connect("alice", "a1")
	r2 := h2.channel(a2, "x", false)
	_, err = h2.svc.ScheduleMessage(h2.ctx, a2, protocol.ScheduleMessageRequest{RoomID: r2.ID, Text: "x", At: h2.clock().Add(time.Hour), ClientID: "f1"})
	wantCode(t, err, chat.Internal)
	if list, _ := h2.svc.ListScheduled(h2.ctx, a2); len(list.Items) != 0 {
		t.Errorf("items without schedules: %+v", list.Items)
	}
	// Without a timer the feature is off.
	h3 := newHarness(t)
	a3 := h3.connect("alice", "a1")
	r3 := h3.channel(a3, "x", false)
	_, err = h3.svc.ScheduleMessage(h3.ctx, a3, protocol.ScheduleMessageRequest{RoomID: r3.ID, Text: "x", At: h3.clock().Add(time.Hour), ClientID: "f1"})
	wantCode(t, err, chat.Internal)
}

func TestRemindMeFiresAReminder(t *testing.T) {
	h, timer, push := newSchedHarness(t)
	alice, bob := h.connect("alice", "a1"), h.connect("bob", "b1")
	room := h.channel(alice, "plans", false)
	h.join(bob, room.ID)
	msg := h.send(alice, room.ID, "review the doc")
	ev, err := h.svc.RemindMe(h.ctx, bob, protocol.RemindMeRequest{RoomID: room.ID, Seq: msg.Seq, At: h.clock().Add(time.Hour), Note: "before lunch"})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Item.Kind != chat.ScheduledReminder || ev.Item.Seq != msg.Seq || ev.Item.Text != "before lunch" {
		t.Fatalf("item = %+v", ev.Item)
	}
	_, err = h.svc.RemindMe(h.ctx, bob, protocol.RemindMeRequest{RoomID: room.ID, Seq: 999, At: h.clock().Add(time.Hour)})
	wantCode(t, err, chat.NotFound)
	carol := h.connect("carol", "c1")
	priv := h.channel(alice, "secret", true)
	secret := h.send(alice, priv.ID, "s")
	_, err = h.svc.RemindMe(h.ctx, carol, protocol.RemindMeRequest{RoomID: priv.ID, Seq: secret.Seq, At: h.clock().Add(time.Hour)})
	wantCode(t, err, chat.NotFound)

	h.fan.Reset()
	h.advance(time.Hour)
	fire := timer.fires()[0]
	if out, err := h.svc.DeliverScheduled(h.ctx, fire); err != nil || out != service.DeliveryFired {
		t.Fatalf("deliver = %q, %v", out, err)
	}
	rem := decodeOne[protocol.ReminderEvent](t, h.fan, "b1", protocol.EventReminder)
	if rem.Message == nil || rem.Message.Text != "review the doc" || rem.Item.State != chat.ScheduledFired || rem.RoomName != "plans" {
		t.Errorf("reminder = %+v", rem)
	}
	if len(h.fan.OfType("a1", protocol.EventReminder)) != 0 {
		t.Error("alice got bob's reminder")
	}
	if len(push.items) != 1 || push.items[0].ID != ev.Item.ID {
		t.Errorf("pushes = %+v", push.items)
	}
	if out, _ := h.svc.DeliverScheduled(h.ctx, fire); out != service.DeliveryStale {
		t.Errorf("a fired reminder fired again: %q", out)
	}
	list, _ := h.svc.ListScheduled(h.ctx, bob)
	if len(list.Items) != 1 || list.Items[0].State != chat.ScheduledFired {
		t.Errorf("list = %+v", list.Items)
	}
}
