package erasure_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/erasure"
)

type fakeEraser struct {
	jobs   []chat.ErasureJob
	cursor string
	err    error
}

func (f *fakeEraser) EraseAccount(_ context.Context, job chat.ErasureJob, stop func() bool) (chat.ErasureResult, error) {
	f.jobs = append(f.jobs, job)
	return chat.ErasureResult{Cursor: f.cursor}, f.err
}

type queue struct{ jobs []chat.ErasureJob }

func (q *queue) EnqueueErasure(_ context.Context, j chat.ErasureJob) error {
	q.jobs = append(q.jobs, j)
	return nil
}

// TestWorkerQueuesTheContinuation: a pass that stops before the end puts
// the next pass (its cursor) on the queue; a finished one puts nothing; a
// failed one is a batch item failure; a body that is not a job is dropped.
func TestWorkerQueuesTheContinuation(t *testing.T) {
	er, q := &fakeEraser{cursor: "USER#x\x00PROFILE"}, &queue{}
	w := &erasure.Worker{Eraser: er, Queue: q, Margin: time.Second}
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: `{"userId":"u1"}`}, {MessageId: "m2", Body: `not json`}}}
	resp, err := w.Handle(context.Background(), ev)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle = %+v, %v", resp, err)
	}
	if len(er.jobs) != 1 || er.jobs[0].UserID != "u1" {
		t.Fatalf("passes = %+v", er.jobs)
	}
	if len(q.jobs) != 1 || q.jobs[0] != (chat.ErasureJob{UserID: "u1", Cursor: "USER#x\x00PROFILE", Pass: 1}) {
		t.Fatalf("continuation = %+v", q.jobs)
	}
	er.cursor = ""
	if _, err := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m3", Body: `{"userId":"u1","cursor":"c","pass":1}`}}}); err != nil {
		t.Fatal(err)
	}
	if len(q.jobs) != 1 {
		t.Errorf("a finished erasure queued %+v", q.jobs[1:])
	}
	er.err = errors.New("throttled")
	resp, _ = w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m4", Body: `{"userId":"u1"}`}}})
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "m4" {
		t.Errorf("failed pass: %+v", resp)
	}
	if _, err := erasure.DecodeJob(`{"cursor":"x"}`); err == nil {
		t.Error("a job without a user id decoded")
	}
}
