package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/streamapp"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/eventbus"
	"github.com/backchannel-chat/backchannel/internal/local/streampoll"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

const testBus = "backchannel-test"

// startEvents runs the stream pipeline beside the stack, as in AWS: the
// table's stream (DynamoDB Local's, polled as Lambda's event source mapping
// would) -> the stream handler of streamapp.Build -> the EventBridge
// publisher -> the local EventBridge stand-in, which the test reads.
func (s *stack) startEvents(includeText bool, tap func([]byte)) testenv.EventBus {
	s.t.Helper()
	return s.startStreamFunction(app.StreamConfig{IncludeText: includeText}, tap)
}

// startEventsWithFiles is startEvents with the files bucket configured, as
// the deployed stream function and `make dev` run it (FILES_BUCKET set):
// streamapp.Build then wires the file sweeper beside the publisher.
func (s *stack) startEventsWithFiles(bucket string) testenv.EventBus {
	s.t.Helper()
	return s.startStreamFunction(app.StreamConfig{FilesBucket: bucket, S3UsePathStyle: true}, nil)
}

// startStreamFunction builds the stream function with streamapp.Build, as
// functions/stream and scripts/dev do, from cfg (its bus and log level
// filled in) and polls the table's stream into it.
func (s *stack) startStreamFunction(cfg app.StreamConfig, tap func([]byte)) testenv.EventBus {
	s.t.Helper()
	bus := testenv.NewEventBus(s.t, testBus) // LocalStack's EventBridge under make test-localstack
	awsCfg := s.awsCfg.Copy()
	// EventBridge at the bus; S3 (the sweeper's) stays where
	// AWS_ENDPOINT_URL_S3 says, a service-specific endpoint winning over
	// BaseEndpoint.
	awsCfg.BaseEndpoint = aws.String(bus.Endpoint())
	cfg.EventBusName, cfg.LogLevel = bus.Name(), slog.LevelWarn
	cfg.TableName = s.table // the room purger, as deployed
	logger := slog.New(slog.NewJSONHandler(s.t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	h, err := streamapp.Build(context.Background(), cfg, streamapp.WithAWSConfig(awsCfg), streamapp.WithLogger(logger))
	if err != nil {
		s.t.Fatal(err)
	}
	testenv.StartStreamPoller(s.t, s.awsCfg, s.table, h.Handle, streampoll.Config{
		Logger: logger, Tap: tap, PollInterval: 100 * time.Millisecond,
	})
	return bus
}

// eventsOf lists the bus's events of detail-type typ whose detail has
// roomId and seq.
func eventsOf(t *testing.T, bus testenv.EventBus, typ chat.EventType, roomID string, seq int64) []eventbus.MessageDetail {
	t.Helper()
	var out []eventbus.MessageDetail
	for _, e := range bus.Events() {
		if e.Source != "backchannel" || e.DetailType != string(typ) {
			continue
		}
		var d eventbus.MessageDetail
		if err := json.Unmarshal(e.Detail, &d); err != nil {
			t.Fatalf("%s detail %s: %v", typ, e.Detail, err)
		}
		if d.RoomID == roomID && d.Seq == seq {
			out = append(out, d)
		}
	}
	return out
}

// awaitOne polls the bus until exactly one event of typ for the message is
// there, failing after 2 s from the write (15 s on LocalStack's EventBridge,
// read back through a rule and an SQS queue); then it checks no second one
// follows while the poller runs another batch.
func awaitOne(t *testing.T, bus testenv.EventBus, since time.Time, typ chat.EventType, roomID string, seq int64) eventbus.MessageDetail {
	t.Helper()
	wait := 2 * time.Second
	if bus.External() {
		wait = 15 * time.Second
	}
	deadline := since.Add(wait)
	for {
		got := eventsOf(t, bus, typ, roomID, seq)
		if len(got) > 1 {
			t.Fatalf("%s for %s/%d published %d times: %+v", typ, roomID, seq, len(got), got)
		}
		if len(got) == 1 {
			t.Logf("%s for %s/%d on the bus %s after the write", typ, roomID, seq, time.Since(since).Round(time.Millisecond))
			return got[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s for %s/%d on the bus within %s; bus has %d events", typ, roomID, seq, wait, len(bus.Events()))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStreamPublishesMessageEvents: sending, editing and deleting a message
// each put exactly one event on the bus, with the right detail-type and
// detail, within 2 s, through DynamoDB Local's stream.
func TestStreamPublishesMessageEvents(t *testing.T) {
	s := newStack(t, generousLimits)
	bus := s.startEvents(false, nil)
	ann := s.newUser("ann", "Ann Archer")
	a, _ := s.online(ann)

	start := time.Now()
	ack := decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage,
		message(chat.GeneralRoomID, "01JDB3K4Z8Q3W5E6R7T8Y9U0E1", "secret plans"), protocol.EventAck))
	msg := ack.Message
	created := awaitOne(t, bus, start, chat.EventMessageCreated, msg.RoomID, msg.Seq)
	if created.SenderID != ann.id || created.Actor.UserID != ann.id || created.Deleted || created.EditedAt != nil ||
		created.TextLength != len("secret plans") || created.Text != nil || created.SchemaVersion != eventbus.SchemaVersion ||
		created.ClientID != "01JDB3K4Z8Q3W5E6R7T8Y9U0E1" || !created.CreatedAt.Equal(msg.CreatedAt) {
		t.Errorf("message.created detail %+v (text must be left out)", created)
	}

	start = time.Now()
	a.call(protocol.ActionEditMessage, map[string]any{"roomId": msg.RoomID, "seq": msg.Seq, "text": "public plans!"}, protocol.EventMessageUpdated)
	edited := awaitOne(t, bus, start, chat.EventMessageEdited, msg.RoomID, msg.Seq)
	if edited.EditedAt == nil || edited.Deleted || edited.TextLength != len("public plans!") || edited.Text != nil || edited.SenderID != ann.id {
		t.Errorf("message.edited detail %+v", edited)
	}

	start = time.Now()
	a.call(protocol.ActionDeleteMessage, map[string]any{"roomId": msg.RoomID, "seq": msg.Seq}, protocol.EventMessageUpdated)
	deleted := awaitOne(t, bus, start, chat.EventMessageDeleted, msg.RoomID, msg.Seq)
	if !deleted.Deleted || deleted.TextLength != 0 || deleted.EditedAt == nil || deleted.Text != nil {
		t.Errorf("message.deleted detail %+v", deleted)
	}

	// Exactly one each: nothing more arrives for this message (a later
	// message's event is the marker that the stream has moved on).
	start = time.Now()
	next := decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage,
		message(chat.GeneralRoomID, "01JDB3K4Z8Q3W5E6R7T8Y9U0E2", "marker"), protocol.EventAck)).Message
	awaitOne(t, bus, start, chat.EventMessageCreated, next.RoomID, next.Seq)
	for _, typ := range []chat.EventType{chat.EventMessageCreated, chat.EventMessageEdited, chat.EventMessageDeleted} {
		if n := len(eventsOf(t, bus, typ, msg.RoomID, msg.Seq)); n != 1 {
			t.Errorf("%s published %d times for the message, want 1", typ, n)
		}
	}
}

// TestStreamIncludesTextWhenOptedIn: EVENTS_INCLUDE_TEXT=true puts the text
// in the detail.
func TestStreamIncludesTextWhenOptedIn(t *testing.T) {
	s := newStack(t, generousLimits)
	bus := s.startEvents(true, nil)
	a, _ := s.online(s.newUser("ann", "Ann Archer"))
	start := time.Now()
	msg := decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage,
		message(chat.GeneralRoomID, "01JDB3K4Z8Q3W5E6R7T8Y9U0E3", "hello bus"), protocol.EventAck)).Message
	d := awaitOne(t, bus, start, chat.EventMessageCreated, msg.RoomID, msg.Seq)
	if d.Text == nil || *d.Text != "hello bus" {
		t.Errorf("detail %+v: want the text", d)
	}
}

// TestCaptureStreamRecords writes real stream records of every item type,
// as the event source mapping delivers them, to internal/dynamo/testdata
// (the decoder's table test reads them). It runs only with
// STREAM_CAPTURE=1:
//
//	STREAM_CAPTURE=1 go run ./scripts/testenv -- go test -count=1 -run TestCaptureStreamRecords ./internal/integration/
func TestCaptureStreamRecords(t *testing.T) {
	if os.Getenv("STREAM_CAPTURE") == "" {
		t.Skip("set STREAM_CAPTURE=1 to rewrite internal/dynamo/testdata/stream")
	}
	s := newStack(t, generousLimits)
	var (
		mu      sync.Mutex
		records []events.DynamoDBEventRecord
	)
	s.startEvents(false, func(payload []byte) {
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		records = append(records, ev.Records...)
		mu.Unlock()
	})
	ann, bob := s.newUser("ann", "Ann Archer"), s.newUser("bob", "Bob Baker")
	a, _ := s.online(ann)
	b, _ := s.online(bob)
	club := decode[protocol.RoomEvent](t, a.call(protocol.ActionCreateChannel, map[string]any{"name": "club", "topic": "first"}, protocol.EventRoom)).Room.ID
	b.send(protocol.ActionJoinChannel, room(club))
	a.send(protocol.ActionUpdateChannel, map[string]any{"roomId": club, "topic": "second"})
	a.send(protocol.ActionUpdateChannel, map[string]any{"roomId": club, "name": "club-renamed"})
	ack := decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage, message(club, "01JDB3K4Z8Q3W5E6R7T8Y9U0C1", "hi @Bob Baker"), protocol.EventAck))
	a.send(protocol.ActionEditMessage, map[string]any{"roomId": club, "seq": ack.Message.Seq, "text": "hi all"})
	a.send(protocol.ActionDeleteMessage, map[string]any{"roomId": club, "seq": ack.Message.Seq})
	b.send(protocol.ActionMarkRead, map[string]any{"roomId": club, "seq": ack.Message.Seq})
	b.send(protocol.ActionLeaveChannel, room(club))
	a.send(protocol.ActionUpdateProfile, map[string]any{"displayName": "Ann A.", "avatarColor": "#336699"})
	a.send(protocol.ActionOpenDirect, map[string]any{"userIds": []string{bob.id}})
	_ = b.conn.Close(websocket.StatusNormalClosure, "bye") // $disconnect: connection items removed, last-seen set
	time.Sleep(3 * time.Second)

	mu.Lock()
	defer mu.Unlock()
	dir := filepath.Join("..", "dynamo", "testdata", "stream")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// One file per (item kind, eventName) with every such record of the
	// scenario, in stream order, as one DynamoDBEvent.
	byName := map[string][]events.DynamoDBEventRecord{}
	for _, r := range records {
		name := fmt.Sprintf("%s-%s.json", itemKind(r), r.EventName)
		byName[name] = append(byName[name], r)
	}
	for name, recs := range byName {
		b, err := json.MarshalIndent(events.DynamoDBEvent{Records: recs}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s: %d records", name, len(recs))
	}
}

// itemKind names a record's item from its keys, for file names.
func itemKind(r events.DynamoDBEventRecord) string {
	pk, sk := r.Change.Keys["pk"].String(), r.Change.Keys["sk"].String()
	switch {
	case len(pk) > 5 && pk[:5] == "CONN#":
		return "connection"
	case len(pk) > 9 && pk[:9] == "ROOMCONN#":
		return "roomconn"
	case len(pk) > 5 && pk[:5] == "USER#" && sk == "PROFILE":
		return "profile"
	case len(pk) > 5 && pk[:5] == "USER#":
		return "userconn"
	case len(pk) > 5 && pk[:5] == "ROOM#" && sk == "META":
		return "room"
	case len(pk) > 5 && pk[:5] == "ROOM#" && sk == "META#SEQ":
		return "roomseq"
	case len(pk) > 5 && pk[:5] == "ROOM#":
		return "member"
	case len(pk) > 4 && pk[:4] == "MSG#" && len(sk) > 7 && sk[:7] == "CLIENT#":
		return "idempotency"
	case len(pk) > 4 && pk[:4] == "MSG#":
		return "message"
	case len(pk) > 9 && pk[:9] == "CHANNAME#":
		return "channame"
	case len(pk) > 5 && pk[:5] == "RATE#":
		return "rate"
	}
	return "other"
}
