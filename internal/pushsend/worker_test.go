package pushsend_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/notify"
	"github.com/backchannel-chat/backchannel/internal/pushsend"
	"github.com/backchannel-chat/backchannel/internal/webpush"
)

// sender answers per endpoint: nil, or an error wrapping one of
// webpush's.
type sender struct {
	mu      sync.Mutex
	answers map[string]error
	sent    []string
	payload []byte
	urgency string
}

func (s *sender) Send(_ context.Context, sub chat.PushSubscription, payload []byte, urgency, _ string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, sub.Endpoint)
	s.payload, s.urgency = payload, urgency
	return 201, s.answers[sub.Endpoint]
}

func record(t *testing.T, id string, j notify.Job) events.SQSMessage {
	t.Helper()
	b, _ := json.Marshal(j)
	return events.SQSMessage{MessageId: id, Body: string(b)}
}

// TestWorker: every device is pushed; 410 deletes that subscription only;
// a 5xx fails the record (SQS redelivers it); a body that is no job is
// dropped, not retried.
func TestWorker(t *testing.T) {
	ctx := context.Background()
	store := chattest.NewStore()
	for i, ep := range []string{"https://p/ok", "https://p/gone", "https://p/down"} {
		if err := store.PutPushSubscription(ctx, chat.PushSubscription{UserID: "bo", Endpoint: ep, P256dh: "k", Auth: "a", Device: fmt.Sprint(i)}, 10); err != nil {
			t.Fatal(err)
		}
	}
	s := &sender{answers: map[string]error{
		"https://p/gone": fmt.Errorf("%w: 410", webpush.ErrGone),
		"https://p/down": fmt.Errorf("%w: 503", webpush.ErrRetry),
	}}
	w := &pushsend.Worker{Store: store, Sender: s}
	job := notify.Job{UserID: "bo", RoomID: "d1", Seq: 7, Room: "Ana", Sender: "Ana", Preview: "hi", Reason: "dm"}
	resp, err := w.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{
		record(t, "m1", job), {MessageId: "m2", Body: "not a job"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "m1" {
		t.Fatalf("failures = %+v, want m1 only (its push service was down)", resp.BatchItemFailures)
	}
	if len(s.sent) != 3 || s.urgency != webpush.UrgencyHigh {
		t.Fatalf("sent %v urgency %s", s.sent, s.urgency)
	}
	var p webpush.Payload
	if err := json.Unmarshal(s.payload, &p); err != nil || p != (webpush.Payload{V: 1, RoomID: "d1", Seq: 7, Room: "Ana", Sender: "Ana", Preview: "hi", Tag: "d1"}) {
		t.Fatalf("payload %s: %v", s.payload, err)
	}
	subs, _ := store.PushSubscriptions(ctx, "bo")
	if len(subs) != 2 {
		t.Fatalf("subscriptions after a 410: %+v, want the gone one deleted", subs)
	}
	for _, sub := range subs {
		if sub.Endpoint == "https://p/gone" {
			t.Fatal("the gone subscription is still there")
		}
	}
	// Nobody subscribed: nothing to do, no failure.
	resp, _ = w.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{record(t, "m3", notify.Job{UserID: "cy", RoomID: "c1", Reason: "all"})}})
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures = %+v", resp.BatchItemFailures)
	}
}

// A thread reply's push names the thread (parentSeq): the service worker
// opens the room at the parent with the thread beside it. A room
// message's push has no parentSeq at all.
func TestPayloadOfAThreadReply(t *testing.T) {
	b, err := pushsend.Payload(notify.Job{UserID: "bo", RoomID: "c1", Seq: 9, ParentSeq: 5, Room: "#general", Sender: "Ana", Reason: "thread"})
	if err != nil {
		t.Fatal(err)
	}
	var p webpush.Payload
	if err := json.Unmarshal(b, &p); err != nil || p != (webpush.Payload{V: 1, RoomID: "c1", Seq: 9, ParentSeq: 5, Room: "#general", Sender: "Ana", Tag: "c1"}) {
		t.Fatalf("payload %s: %v", b, err)
	}
	b, _ = pushsend.Payload(notify.Job{UserID: "bo", RoomID: "c1", Seq: 4, Room: "#general", Sender: "Ana", Reason: "all"})
	if strings.Contains(string(b), "parentSeq") {
		t.Errorf("a room message's payload %s names a thread", b)
	}
}

// TestProtocolDocPushPayloads keeps docs/PROTOCOL.md's push payload
// examples (the jsonc blocks with "v": 1) true: each decodes into
// webpush.Payload with no unknown field, and one names a thread.
func TestProtocolDocPushPayloads(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "PROTOCOL.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```jsonc\n(\\{\"v\": 1.*?)```").FindAllSubmatch(doc, -1)
	if len(blocks) < 2 {
		t.Fatalf("found %d push payload examples, want 2 (a message and a thread reply)", len(blocks))
	}
	threads := 0
	for _, b := range blocks {
		dec := json.NewDecoder(bytes.NewReader(b[1]))
		dec.DisallowUnknownFields()
		var p webpush.Payload
		if err := dec.Decode(&p); err != nil || p.V != 1 || p.RoomID == "" || p.Seq <= 0 || p.Tag == "" {
			t.Errorf("push payload example %s: %+v, %v", b[1], p, err)
		}
		if p.ParentSeq > 0 {
			threads++
		}
	}
	if threads != 1 {
		t.Errorf("%d thread reply payload examples, want 1", threads)
	}
}
