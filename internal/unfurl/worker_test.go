package unfurl

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

type fakeMessages map[int64]chat.Message

func (f fakeMessages) StoredMessage(_ context.Context, _ string, seq int64) (chat.Message, error) {
	m, ok := f[seq]
	if !ok {
		return chat.Message{}, chat.Errorf(chat.NotFound, "no message")
	}
	return m, nil
}

type fakePreviews struct {
	mu    sync.Mutex
	calls map[int64][]chat.LinkPreview
}

func (f *fakePreviews) ApplyLinkPreviews(_ context.Context, m chat.Message, ps []chat.LinkPreview) (chat.Message, bool, error) {
	seq := m.Seq
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[int64][]chat.LinkPreview{}
	}
	f.calls[seq] = ps
	return chat.Message{}, true, nil
}

type fakePreviewer map[string]error

func (f fakePreviewer) Preview(_ context.Context, link string) (chat.LinkPreview, error) {
	if err := f[link]; err != nil {
		return chat.LinkPreview{}, err
	}
	return chat.LinkPreview{URL: link, Title: "T " + link}, nil
}

func record(id, body, receives string) events.SQSMessage {
	return events.SQSMessage{MessageId: id, Body: body, Attributes: map[string]string{"ApproximateReceiveCount": receives}}
}

func TestWorker(t *testing.T) {
	msgs := fakeMessages{
		1: {RoomID: "r", Seq: 1, Text: "a https://ok.example/ b https://none.example/ c https://flaky.example/ d https://fourth.example/"},
		2: {RoomID: "r", Seq: 2, Text: "gone https://ok.example/", Deleted: true},
		3: {RoomID: "r", Seq: 3, Text: "no links"},
	}
	prev := &fakePreviews{}
	w := &Worker{Messages: msgs, Previews: prev, Previewer: fakePreviewer{
		"https://none.example/":  ErrNoPreview,
		"https://flaky.example/": errors.New("timeout"),
	}}
	resp, _ := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		record("m1", `{"roomId":"r","seq":1}`, "1"),
		record("m2", `{"roomId":"r","seq":2}`, "1"),
		record("m3", `{"roomId":"r","seq":3}`, "1"),
		record("m9", `{"roomId":"r","seq":9}`, "1"),
		record("bad", `not json`, "1"),
	}})
	// A transient failure retries the record while receives remain.
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "m1" {
		t.Fatalf("failures = %+v, want m1 only", resp.BatchItemFailures)
	}
	if _, ok := prev.calls[1]; ok {
		t.Error("previews stored before the retries ran out")
	}
	if _, ok := prev.calls[2]; ok {
		t.Error("previews stored on a deleted message")
	}
	if ps := prev.calls[3]; len(ps) != 0 {
		t.Errorf("a message without links got %+v", ps)
	}
	// The last receive stores what it has: the first three links only.
	resp, _ = w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{record("m1", `{"roomId":"r","seq":1}`, "3")}})
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures = %+v", resp.BatchItemFailures)
	}
	if ps := prev.calls[1]; len(ps) != 1 || ps[0].URL != "https://ok.example/" {
		t.Errorf("stored %+v", ps)
	}
}

type fakeQueue struct{ jobs []Job }

func (q *fakeQueue) Enqueue(_ context.Context, jobs []Job) error {
	q.jobs = append(q.jobs, jobs...)
	return nil
}

func TestEnqueuer(t *testing.T) {
	q := &fakeQueue{}
	e := &Enqueuer{Queue: q}
	link := chat.Message{RoomID: "r", Seq: 1, Text: "see https://example.com/"}
	err := e.Consume(context.Background(), []chat.Event{
		chat.MessageCreated{Message: link},
		chat.MessageCreated{Message: chat.Message{RoomID: "r", Seq: 2, Text: "no link"}},
		chat.MessageCreated{Message: chat.Message{RoomID: "r", Seq: 3, Text: "https://example.com/", System: &chat.SystemLine{Kind: "joined"}}},
		chat.MessageEdited{Message: chat.Message{RoomID: "r", Seq: 4, Text: "same https://example.com/ typo fixed"}, Previous: chat.Message{Text: "smae https://example.com/"}},
		chat.MessageEdited{Message: chat.Message{RoomID: "r", Seq: 5, Text: "new https://example.org/"}, Previous: chat.Message{Text: "old https://example.com/"}},
		chat.MessageDeleted{Message: chat.Message{RoomID: "r", Seq: 1, Deleted: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(q.jobs, []Job{{RoomID: "r", Seq: 1}, {RoomID: "r", Seq: 5}}) {
		t.Errorf("jobs = %+v", q.jobs)
	}
}
