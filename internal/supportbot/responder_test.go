package supportbot

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/eventbus"
	"github.com/backchannel-chat/backchannel/internal/stream"
)

type fakeSource struct {
	conv  map[string]Conversation
	bots  map[string]Bot
	reads int
}

func (f *fakeSource) Conversation(_ context.Context, roomID string) (Conversation, bool, error) {
	f.reads++
	c, ok := f.conv[roomID]
	return c, ok, nil
}

func (f *fakeSource) Bot(_ context.Context, widgetID string) (Bot, error) {
	return f.bots[widgetID], nil
}

type fakeActions struct {
	posted   []Reply
	handover []string
	seen     map[string]bool
	failPost int // fail the nth post (1-based), once
	n        int
}

func (f *fakeActions) PostBotReply(_ context.Context, r Reply) error {
	f.n++
	if f.n == f.failPost {
		return errors.New("throttled")
	}
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	if f.seen[r.RoomID+r.ClientID] { // the store's idempotency by client id
		return nil
	}
	f.seen[r.RoomID+r.ClientID] = true
	f.posted = append(f.posted, r)
	return nil
}

func (f *fakeActions) HandOver(_ context.Context, roomID, reason string) error {
	f.handover = append(f.handover, roomID+":"+reason)
	return nil
}

const room = "s_Qm9fX2k7TzV1b3NjaGFmdA"

func load(t *testing.T) events.DynamoDBEvent {
	t.Helper()
	raw, err := os.ReadFile("testdata/visitor-messages.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func setup(state, kind string) (*fakeSource, *fakeActions, *stream.Handler) {
	src := &fakeSource{
		conv: map[string]Conversation{room: {RoomID: room, WidgetID: "wid_demo", VisitorID: "vis_4k2m7q9x3b5n8p6r2t4v6y8z1c", State: state, Lang: "en"}},
		bots: map[string]Bot{"wid_demo": {Kind: kind, Name: "Shop Assistant", FAQ: shopFAQ, Threshold: 0.35}},
	}
	act := &fakeActions{}
	h, err := stream.New(stream.Config{Consumers: []chat.EventConsumer{&Responder{Source: src, Actions: act}}})
	if err != nil {
		panic(err)
	}
	return src, act, h
}

// The records are DynamoDB stream records of the table's message items
// (the layout of internal/dynamo/testdata/stream/message-INSERT.json,
// captured from DynamoDB Local): a visitor's question, the bot's answer
// (an integration message, which the bot must not answer), and the
// visitor asking for an agent.
func TestResponderOverStreamRecords(t *testing.T) {
	_, act, h := setup(StateBot, KindFAQ)
	resp, err := h.Handle(context.Background(), load(t))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle: %v %+v", err, resp)
	}
	if len(act.posted) != 2 {
		t.Fatalf("posted %+v", act.posted)
	}
	if p := act.posted[0]; p.EntryID != "faq_shipping" || p.ClientID != "sbot-2" || p.BotName != "Shop Assistant" || p.RoomID != room {
		t.Fatalf("answer %+v", p)
	}
	if p := act.posted[1]; p.EntryID != "" || p.ClientID != "sbot-4" || p.Text != HandOverLine(ReasonRequested, "en") {
		t.Fatalf("handover line %+v", p)
	}
	if len(act.handover) != 1 || act.handover[0] != room+":requested" {
		t.Fatalf("handover %v", act.handover)
	}
}

func TestResponderLeavesOtherConversationsAlone(t *testing.T) {
	for _, c := range []struct{ state, kind string }{{"queued", KindFAQ}, {"open", KindFAQ}, {"closed", KindFAQ}, {StateBot, ""}, {StateBot, "bot"}} {
		src, act, h := setup(c.state, c.kind)
		resp, err := h.Handle(context.Background(), load(t))
		if err != nil || len(resp.BatchItemFailures) != 0 || len(act.posted)+len(act.handover) != 0 {
			t.Fatalf("%+v: %v %+v %+v", c, err, resp, act)
		}
		if src.reads != 2 {
			t.Fatalf("%+v: %d conversation reads, want 2 (the visitor's messages only)", c, src.reads)
		}
	}
	src, act, h := setup(StateBot, KindFAQ)
	delete(src.conv, room) // not a support room
	if _, err := h.Handle(context.Background(), load(t)); err != nil || len(act.posted) != 0 {
		t.Fatal(err, act.posted)
	}
}

func TestResponderRetryPostsOnce(t *testing.T) {
	_, act, h := setup(StateBot, KindFAQ)
	act.failPost = 2 // the handover line fails the first time
	ev := load(t)
	resp, _ := h.Handle(context.Background(), ev)
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != ev.Records[2].Change.SequenceNumber {
		t.Fatalf("failures %+v", resp.BatchItemFailures)
	}
	if len(act.handover) != 0 {
		t.Fatal("handed over although the line was not posted")
	}
	// Lambda retries from the failed record; a whole-batch redelivery is
	// also fine: client ids make every reply post once.
	if resp, _ := h.Handle(context.Background(), ev); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("retry %+v", resp)
	}
	if len(act.posted) != 2 || len(act.handover) != 1 {
		t.Fatalf("after retry: %+v %v", act.posted, act.handover)
	}
}

func TestResponderHandsOverWhenUnsureInGerman(t *testing.T) {
	src, act, h := setup(StateBot, KindFAQ)
	c := src.conv[room]
	c.Lang = "de"
	src.conv[room] = c
	ev := load(t)
	ev.Records = ev.Records[:1]
	ev.Records[0].Change.NewImage["text"] = events.NewStringAttribute("Mein Paket kam beschädigt an und der Karton war nass")
	if resp, err := h.Handle(context.Background(), ev); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatal(err, resp)
	}
	if len(act.posted) != 1 || act.posted[0].Text != HandOverLine(ReasonUnsure, "de") || len(act.handover) != 1 || act.handover[0] != room+":unsure" {
		t.Fatalf("%+v %v", act.posted, act.handover)
	}
}

type fakeMessages map[int64]chat.Message

func (f fakeMessages) GetMessage(_ context.Context, _ string, seq int64) (chat.Message, error) {
	m, ok := f[seq]
	if !ok {
		return chat.Message{}, chat.Errorf(chat.NotFound, "message not found")
	}
	return m, nil
}

// The bus path: the event as the rule's target receives it (the detail
// the stream function's publisher builds, without text), the message read
// from the store, answered once; others' messages and unknown details pass.
func TestBusHandler(t *testing.T) {
	src, act, _ := setup(StateBot, KindFAQ)
	visitorMsg := chat.Message{RoomID: room, Seq: 2, SenderID: "vis_4k2m7q9x3b5n8p6r2t4v6y8z1c", SenderName: "Kim", Text: "how do I reset my password", ClientID: "c2"}
	h := &BusHandler{Responder: &Responder{Source: src, Actions: act}, Messages: fakeMessages{2: visitorMsg}}
	entry, err := eventbus.Entry("chat", chat.MessageCreated{Actor: chat.Actor{UserID: visitorMsg.SenderID}, Message: visitorMsg}, false)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(map[string]any{"id": "e1", "source": *entry.Source, "detail-type": *entry.DetailType, "detail": json.RawMessage(*entry.Detail)})
	for range 2 { // Lambda's retry of the same event
		if err := h.HandleJSON(context.Background(), raw); err != nil {
			t.Fatal(err)
		}
	}
	if len(act.posted) != 1 || act.posted[0].EntryID != "faq_password" {
		t.Fatalf("posted %+v", act.posted)
	}
	gone, _ := json.Marshal(map[string]any{"detail-type": "message.created", "detail": map[string]any{"roomId": room, "seq": 9, "senderId": visitorMsg.SenderID}})
	other, _ := json.Marshal(map[string]any{"detail-type": "message.created", "detail": map[string]any{"roomId": room, "seq": 2, "senderId": "u-ana"}})
	for _, ev := range [][]byte{gone, other, []byte(`{"detail-type":"member.joined","detail":{}}`)} {
		if err := h.HandleJSON(context.Background(), ev); err != nil || len(act.posted) != 1 {
			t.Fatalf("%s: %v %d", ev, err, len(act.posted))
		}
	}
}
