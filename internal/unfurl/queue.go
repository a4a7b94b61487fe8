package unfurl

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Job is one message whose links to preview: the worker reads the
// message as it is when it runs (an edit since then is what counts).
type Job struct {
	RoomID string `json:"roomId"`
	Seq    int64  `json:"seq"`
}

// DecodeJob parses a queue message body.
func DecodeJob(body string) (Job, error) {
	var j Job
	if err := json.Unmarshal([]byte(body), &j); err != nil {
		return Job{}, fmt.Errorf("unfurl job: %w", err)
	}
	if j.RoomID == "" || j.Seq <= 0 {
		return Job{}, fmt.Errorf("unfurl job: roomId and a positive seq are required")
	}
	return j, nil
}

// SQSAPI is the part of the SQS client the queue uses.
type SQSAPI interface {
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// Queue puts jobs on the unfurl queue (SendMessageBatch, ten a call).
type Queue struct {
	client SQSAPI
	url    string
}

// NewQueue returns the queue at url.
func NewQueue(client SQSAPI, url string) *Queue { return &Queue{client: client, url: url} }

// Enqueue sends the jobs; any entry SQS refuses fails the call (the
// stream retries the record).
func (q *Queue) Enqueue(ctx context.Context, jobs []Job) error {
	for start := 0; start < len(jobs); start += 10 {
		batch := jobs[start:min(start+10, len(jobs))]
		entries := make([]types.SendMessageBatchRequestEntry, len(batch))
		for i, j := range batch {
			body, _ := json.Marshal(j)
			entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(string(body))}
		}
		out, err := q.client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.url), Entries: entries})
		if err != nil {
			return fmt.Errorf("unfurl queue: %w", err)
		}
		if len(out.Failed) > 0 {
			return fmt.Errorf("unfurl queue: %d of %d jobs refused: %s", len(out.Failed), len(entries), aws.ToString(out.Failed[0].Message))
		}
	}
	return nil
}

// Enqueuer is the stream's consumer (internal/stream): a new message with
// links, or an edit that changed its links, becomes a job on the unfurl
// queue. Nothing is fetched in the stream function or in the send.
type Enqueuer struct {
	Queue interface {
		Enqueue(ctx context.Context, jobs []Job) error
	}
}

// Consume queues the jobs of a batch of events in one go; a failure
// fails every record that produced an event (a retried record queues its
// job again: the worker's result is the same).
func (e *Enqueuer) Consume(ctx context.Context, evs []chat.Event) error {
	var jobs []Job
	for _, ev := range evs {
		var m chat.Message
		switch x := ev.(type) {
		case chat.MessageCreated:
			// An end-to-end encrypted message has no text the server
			// reads: nothing to unfurl (issue #19).
			if x.Message.Encrypted != nil || len(Links(x.Message.Text, chat.MaxPreviews)) == 0 {
				continue
			}
			m = x.Message
		case chat.MessageEdited:
			if x.Message.Encrypted != nil {
				continue
			}
			now := Links(x.Message.Text, chat.MaxPreviews)
			if slices.Equal(now, Links(x.Previous.Text, chat.MaxPreviews)) || (len(now) == 0 && len(x.Message.Previews) == 0) {
				continue
			}
			m = x.Message
		default:
			continue
		}
		if m.System != nil || m.Deleted {
			continue
		}
		jobs = append(jobs, Job{RoomID: m.RoomID, Seq: m.Seq})
	}
	if len(jobs) == 0 {
		return nil
	}
	return e.Queue.Enqueue(ctx, jobs)
}
