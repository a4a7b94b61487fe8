package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/pushsenderapp"
	"github.com/backchannel-chat/backchannel/internal/app/streamapp"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/local/localsqs"
	"github.com/backchannel-chat/backchannel/internal/local/pushsvc"
	"github.com/backchannel-chat/backchannel/internal/local/streampoll"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/notify"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/webpush"
)

// pushPipeline is the notification pipeline beside a stack, as deployed:
// the table's stream -> the stream function (streamapp.Build, with the
// notifier) -> the push queue (SQS, the real SDK client against the
// stand-in) -> the push sender (pushsenderapp.Build, polled as Lambda's
// event source mapping would) -> the Web Push service stand-in, which
// decrypts what it receives.
type pushPipeline struct {
	svc    *pushsvc.Server
	keys   webpush.Keys
	missed *missedLog

	mu        sync.Mutex
	processed map[string]bool // "MSG#<room>|<seq sort key>" the stream function has handled
	wake      chan struct{}
}

// handled wraps the stream handler to note the message items it handled.
func (p *pushPipeline) handled(h streampoll.Handler) streampoll.Handler {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		resp, err := h(ctx, ev)
		failed := map[string]bool{}
		for _, f := range resp.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, r := range ev.Records {
			if err != nil || failed[r.Change.SequenceNumber] {
				break // this record and the ones after it come again
			}
			pk, sk := r.Change.Keys["pk"], r.Change.Keys["sk"]
			if pk.DataType() == events.DataTypeString && sk.DataType() == events.DataTypeString {
				p.processed[pk.String()+"|"+sk.String()] = true
			}
		}
		close(p.wake)
		p.wake = make(chan struct{})
		return resp, err
	}
}

// waitHandled waits until the stream function has handled message m
// (the notifier decided about it).
func (p *pushPipeline) waitHandled(t testing.TB, m chat.Message) {
	t.Helper()
	key := fmt.Sprintf("MSG#%s|%020d", m.RoomID, m.Seq)
	timeout := time.After(waitLimit)
	for {
		p.mu.Lock()
		done, wake := p.processed[key], p.wake
		p.mu.Unlock()
		if done {
			return
		}
		select {
		case <-wake:
		case <-timeout:
			t.Fatalf("the stream function did not handle %s", key)
		}
	}
}

type missedLog struct {
	mu    sync.Mutex
	calls []string
}

func (m *missedLog) Missed(_ context.Context, userID, roomID string, seq int64, reason string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, fmt.Sprintf("%s/%s/%d/%s", userID, roomID, seq, reason))
	return nil
}

func (m *missedLog) all() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.calls)
}

// newPushStack starts a stack whose actions hand out the VAPID key and
// the pipeline behind it.
func newPushStack(t testing.TB) (*stack, *pushPipeline) {
	t.Helper()
	return newPushStackWith(t, nil)
}

// newPushStackWith is newPushStack with the notifier's MissedNotifier
// given (nil: p.missed, a log).
func newPushStackWith(t testing.TB, missed func(*stack) notify.MissedNotifier) (*stack, *pushPipeline) {
	t.Helper()
	return newPushStackOn(t, "", missed)
}

// newPushStackOn is newPushStackWith with file sharing on bucket ("": off).
func newPushStackOn(t testing.TB, bucket string, missed func(*stack) notify.MissedNotifier) (*stack, *pushPipeline) {
	t.Helper()
	keys, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	s := newStackWithConfig(t, generousLimits, bucket, func(c *app.Config) { c.PushKey = keys.PublicKey })
	p := &pushPipeline{svc: testenv.NewPushService(t), keys: keys, missed: &missedLog{}, processed: map[string]bool{}, wake: make(chan struct{})}
	logger := slog.New(slog.NewJSONHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	var missedBy notify.MissedNotifier = p.missed
	if missed != nil {
		missedBy = missed(s)
	}

	sqsEndpoint, queueURL := testenv.NewQueue(t, s.awsCfg, "push-")
	bus := testenv.NewEventBus(t, testBus)
	streamCfg := s.awsCfg.Copy()
	streamCfg.BaseEndpoint = aws.String(bus.Endpoint())
	h, err := streamapp.Build(context.Background(), app.StreamConfig{
		EventBusName: bus.Name(), TableName: s.table, PushQueueURL: queueURL, LogLevel: slog.LevelWarn,
	}, streamapp.WithAWSConfig(streamCfg), streamapp.WithLogger(logger),
		streamapp.WithSQSEndpoint(sqsEndpoint), streamapp.WithMissedNotifier(missedBy))
	if err != nil {
		t.Fatal(err)
	}
	testenv.StartStreamPoller(t, s.awsCfg, s.table, p.handled(h.Handle), streampoll.Config{Logger: logger, PollInterval: 50 * time.Millisecond})

	keysFile := filepath.Join(t.TempDir(), "vapid.json")
	doc, _ := json.Marshal(keys)
	if err := os.WriteFile(keysFile, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	worker, err := pushsenderapp.Build(context.Background(), app.PushSenderConfig{
		TableName: s.table, KeysFile: keysFile, Subject: "mailto:ops@example.com", TTLSeconds: 600, LogLevel: slog.LevelWarn,
	}, pushsenderapp.WithAWSConfig(s.awsCfg), pushsenderapp.WithPushClient(p.svc.Client()), pushsenderapp.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	client := sqs.NewFromConfig(s.awsCfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(sqsEndpoint) })
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		// One invocation at a time: pushes arrive in the order queued,
		// which the "nothing pushed" checks below rely on.
		localsqs.Poll(ctx, client, localsqs.PollConfig{QueueURL: queueURL, BatchSize: 1, Concurrency: 1, Logger: logger}, worker.Handle)
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	return s, p
}

// subscribe makes a browser-like subscription at the stand-in and stores
// it through pushSubscribe.
func (p *pushPipeline) subscribe(t testing.TB, c *client, device string) pushsvc.Subscription {
	t.Helper()
	sub, err := p.svc.NewSubscription()
	if err != nil {
		t.Fatal(err)
	}
	got := decode[protocol.PushSubscribedEvent](t, c.call(protocol.ActionPushSubscribe, map[string]any{
		"endpoint": sub.Endpoint, "keys": map[string]any{"p256dh": sub.P256dh, "auth": sub.Auth}, "device": device,
	}, protocol.EventPushSubscribed))
	if !got.Subscribed || got.Endpoint != sub.Endpoint {
		t.Fatalf("pushSubscribed = %+v", got)
	}
	return sub
}

// next waits for the next push to endpoint after the first `after` ones
// and decodes its payload.
func (p *pushPipeline) next(t testing.TB, endpoint string, after int) (webpush.Payload, pushsvc.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	msgs, err := p.svc.Wait(ctx, endpoint, after+1)
	if err != nil {
		t.Fatalf("waiting for push %d to %s: %v (refused: %v)", after+1, endpoint, err, p.svc.Refused())
	}
	var pl webpush.Payload
	if err := json.Unmarshal(msgs[after].Payload, &pl); err != nil {
		t.Fatalf("payload %s: %v", msgs[after].Payload, err)
	}
	return pl, msgs[after]
}

func (p *pushPipeline) count(endpoint string) int {
	n := 0
	for _, m := range p.svc.Messages() {
		if m.Endpoint == endpoint {
			n++
		}
	}
	return n
}

// setVisibility has no reply: the ping after it is answered once it is
// stored (the gateway hands a connection's frames over one at a time).
func setVisible(c *client, visible bool) {
	c.t.Helper()
	c.sendRaw(websocket.MessageText, []byte(fmt.Sprintf(`{"action":"setVisibility","visible":%t}`, visible)))
	c.call(protocol.ActionPing, nil, protocol.EventPong)
}

func sendText(t testing.TB, c *client, roomID, clientID, text string) chat.Message {
	t.Helper()
	return decode[protocol.AckEvent](t, c.call(protocol.ActionSendMessage, message(roomID, clientID, text), protocol.EventAck)).Message
}

// TestWebPushToHiddenTab is issue #13's push test: Bo's tab hidden, Ana
// sends Bo a DM, the stand-in receives an encrypted push that decrypts to
// the right room and preview; with Bo's tab visible nothing is pushed; a
// muted room and do-not-disturb suppress it; a 410 removes the
// subscription. Each "nothing pushed" is checked by the next message's
// push arriving first (the pipeline keeps the order), the setting being
// changed back only once the stream function handled the message.
func TestWebPushToHiddenTab(t *testing.T) {
	s, p := newPushStack(t)
	ana, bo := s.newUser("ana", "Ana Alves"), s.newUser("bo", "Bo Berg")
	a, _ := s.online(ana)
	b, stateB := s.online(bo)
	if stateB.Preferences.PushKey != p.keys.PublicKey || stateB.Preferences.RoomLevel("x", true) != chat.LevelAll {
		t.Fatalf("state.preferences = %+v, want the push key and the defaults", stateB.Preferences)
	}
	sub := p.subscribe(t, b, "Bo's phone")
	dm := decode[protocol.RoomEvent](t, a.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{bo.id}}, protocol.EventRoom)).Room

	// Hidden: pushed.
	setVisible(b, false)
	m1 := sendText(t, a, dm.ID, "m1", "are you coming to the standup?")
	pl, raw := p.next(t, sub.Endpoint, 0)
	if pl.V != 1 || pl.RoomID != dm.ID || pl.Seq != m1.Seq || pl.Preview != "are you coming to the standup?" || pl.Tag != dm.ID || pl.Sender != m1.SenderName || pl.Room != m1.SenderName {
		t.Fatalf("push payload = %+v (message %+v)", pl, m1)
	}
	if raw.Urgency != webpush.UrgencyHigh || raw.TTL != 600 || raw.Subject != "mailto:ops@example.com" || raw.VAPIDKey != p.keys.PublicKey || raw.Bytes > 4096 {
		t.Errorf("push request = %+v", raw)
	}

	// Visible: nothing. The hidden message after it is the next push.
	setVisible(b, true)
	m2 := sendText(t, a, dm.ID, "m2", "seen it?")
	p.waitHandled(t, m2) // decided while the tab was visible
	setVisible(b, false)
	m3 := sendText(t, a, dm.ID, "m3", "hello?")
	if pl, _ := p.next(t, sub.Endpoint, 1); pl.Seq != m3.Seq {
		t.Fatalf("after a visible tab's message the next push is seq %d, want %d (the visible one was pushed)", pl.Seq, m3.Seq)
	}

	// Muted DM: nothing; unmuted again: pushed.
	until := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	prefs := decode[protocol.PreferencesEvent](t, b.call(protocol.ActionSetRoomNotify, map[string]any{"roomId": dm.ID, "muteUntil": until}, protocol.EventPreferences)).Preferences
	if !prefs.RoomMuted(dm.ID, time.Now()) {
		t.Fatalf("setRoomNotify reply = %+v", prefs)
	}
	m4 := sendText(t, a, dm.ID, "m4", "muted")
	p.waitHandled(t, m4)
	b.call(protocol.ActionSetRoomNotify, map[string]any{"roomId": dm.ID, "muteUntil": ""}, protocol.EventPreferences)
	m5 := sendText(t, a, dm.ID, "m5", "unmuted")
	if pl, _ := p.next(t, sub.Endpoint, 2); pl.Seq != m5.Seq {
		t.Fatalf("after a muted message the next push is seq %d, want %d", pl.Seq, m5.Seq)
	}

	// Do-not-disturb (all day, every day): nothing; off: pushed, and
	// previews off leave the text out.
	b.call(protocol.ActionSetPreferences, map[string]any{"notify": map[string]any{"dnd": map[string]any{
		"enabled": true, "start": "00:00", "end": "00:00", "tz": "Europe/Berlin", "days": []int{1, 2, 3, 4, 5, 6, 7},
	}}}, protocol.EventPreferences)
	m6 := sendText(t, a, dm.ID, "m6", "at night")
	p.waitHandled(t, m6)
	b.call(protocol.ActionSetPreferences, map[string]any{"notify": map[string]any{"dnd": map[string]any{"enabled": false}, "previews": false}}, protocol.EventPreferences)
	m7 := sendText(t, a, dm.ID, "m7", "secret text")
	if pl, _ := p.next(t, sub.Endpoint, 3); pl.Seq != m7.Seq || pl.Preview != "" {
		t.Fatalf("after do-not-disturb the next push is %+v, want seq %d without a preview", pl, m7.Seq)
	}
	if len(p.missed.all()) != 0 {
		t.Errorf("Bo was connected throughout, yet missed: %v", p.missed.all())
	}

	// No connection at all: pushed, and the digest is told.
	_ = b.conn.Close(websocket.StatusNormalClosure, "bye")
	a.expectEvent(protocol.EventPresence, func(f frame) bool { // $disconnect is done
		ev := decode[protocol.PresenceEvent](t, f)
		return ev.UserID == bo.id && !ev.Online
	})
	m8 := sendText(t, a, dm.ID, "m8", "where did you go")
	if pl, _ := p.next(t, sub.Endpoint, 4); pl.Seq != m8.Seq {
		t.Fatalf("offline push = %+v, want seq %d", pl, m8.Seq)
	}
	want := fmt.Sprintf("%s/%s/%d/dm", bo.id, dm.ID, m8.Seq)
	if got := p.missed.all(); !slices.Contains(got, want) {
		t.Errorf("missed = %v, want %s", got, want)
	}

	// 410: the subscription is deleted.
	p.svc.Gone(sub.Endpoint)
	sendText(t, a, dm.ID, "m9", "anyone?")
	store := newTableStore(t, s)
	deadline := time.Now().Add(waitLimit)
	for {
		subs, err := store.PushSubscriptions(context.Background(), bo.id)
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a 410 left the subscription: %+v", subs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := p.count(sub.Endpoint); n != 5 {
		t.Errorf("the stand-in received %d pushes, want 5", n)
	}
}

// TestPreferencesSyncAcrossDevices: a change on one device is the reply
// there and an event on the person's other connection; bad input is
// refused with the field named, and a non-member cannot set a room's level.
func TestPreferencesSyncAcrossDevices(t *testing.T) {
	s, _ := newPushStack(t)
	ana, bo := s.newUser("ana", "Ana"), s.newUser("bo", "Bo")
	laptop, _ := s.online(ana)
	phone, _ := s.online(ana)
	other, _ := s.online(bo)
	got := decode[protocol.PreferencesEvent](t, laptop.call(protocol.ActionSetPreferences, map[string]any{
		"appearance": map[string]any{"theme": "dark", "accent": "#FF8800"},
	}, protocol.EventPreferences)).Preferences
	if got.Appearance.Theme != "dark" || got.Appearance.Accent != "#ff8800" || got.Appearance.Layout != "compact" {
		t.Fatalf("reply = %+v", got.Appearance)
	}
	ev := decode[protocol.PreferencesEvent](t, phone.expectEvent(protocol.EventPreferences, nil)).Preferences
	if ev.Appearance.Theme != "dark" || ev.PushKey == "" {
		t.Fatalf("the other device got %+v", ev)
	}
	other.expectNoEvent(protocol.EventPreferences, nil)
	f := laptop.callError(protocol.ActionSetPreferences, map[string]any{"notify": map[string]any{"dnd": map[string]any{"tz": "Mars/Olympus"}}}, "invalid")
	if msg, _ := f.fields["message"].(string); !strings.Contains(msg, "notify.dnd.tz") {
		t.Errorf("bad tz: %s", f.raw)
	}
	laptop.callError(protocol.ActionSetPreferences, map[string]any{"appearance": map[string]any{"layout": "grid"}}, "invalid")
	laptop.callError(protocol.ActionSetRoomNotify, map[string]any{"roomId": "general", "level": "loud"}, "invalid")
	laptop.callError(protocol.ActionSetRoomNotify, map[string]any{"roomId": "general", "muteUntil": "tomorrow"}, "invalid")
	laptop.callError(protocol.ActionPushSubscribe, map[string]any{"endpoint": "http://insecure.example/p", "keys": map[string]any{"p256dh": "x", "auth": "y"}}, "invalid")
	cy := s.newUser("cy", "Cy")
	s.online(cy)
	dm := decode[protocol.RoomEvent](t, other.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{cy.id}}, protocol.EventRoom)).Room
	laptop.callError(protocol.ActionSetRoomNotify, map[string]any{"roomId": dm.ID, "level": "all"}, "not_found")
	// Stored: a new connection's state has it.
	_, st := s.online(ana)
	if st.Preferences.Appearance.Theme != "dark" {
		t.Errorf("state after reconnect = %+v", st.Preferences.Appearance)
	}
}

// newTableStore opens the stack's table with the DynamoDB adapter.
func newTableStore(t testing.TB, s *stack) *dynamo.Store {
	t.Helper()
	st, err := dynamo.New(dynamodb.NewFromConfig(s.awsCfg, func(o *dynamodb.Options) { o.DisableValidateResponseChecksum = true }), s.table)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// BenchmarkSendToPush measures the time from a DM's ack to its push at
// the stand-in (stream poll, notifier, SQS, sender, encryption, HTTPS),
// and reports p50/p95 as custom metrics. Local only: the stream poll
// interval is 50 ms here (Lambda's DynamoDB stream mapping adds about
// as much in AWS).
func BenchmarkSendToPush(b *testing.B) {
	s, p := newPushStack(b)
	ana, bo := s.newUser("ana", "Ana"), s.newUser("bo", "Bo")
	a, _ := s.online(ana)
	bc, _ := s.online(bo)
	sub := p.subscribe(b, bc, "")
	dm := decode[protocol.RoomEvent](b, a.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{bo.id}}, protocol.EventRoom)).Room
	_ = bc.conn.Close(websocket.StatusNormalClosure, "bye") // no connection: every DM is pushed
	a.expectEvent(protocol.EventPresence, func(f frame) bool { return !decode[protocol.PresenceEvent](b, f).Online })
	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		sendText(b, a, dm.ID, fmt.Sprint("b", i), "benchmark")
		_, m := p.next(b, sub.Endpoint, i)
		lat = append(lat, m.ReceivedAt.Sub(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
}
