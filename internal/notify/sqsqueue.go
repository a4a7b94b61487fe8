package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SQSAPI is the part of the SQS client the queue uses.
type SQSAPI interface {
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// SQSQueue puts push jobs on the push queue: SendMessageBatch, ten jobs a
// call (one job a message, so the sender's batch-item failures retry one
// person's push, not a message's).
type SQSQueue struct {
	client SQSAPI
	url    string
}

// NewSQSQueue returns the queue at url.
func NewSQSQueue(client SQSAPI, url string) *SQSQueue { return &SQSQueue{client: client, url: url} }

// Enqueue sends the jobs; any entry SQS refuses fails the call (the
// stream retries the record).
func (q *SQSQueue) Enqueue(ctx context.Context, jobs []Job) error {
	for start := 0; start < len(jobs); start += 10 {
		end := min(start+10, len(jobs))
		entries := make([]types.SendMessageBatchRequestEntry, 0, end-start)
		for i, j := range jobs[start:end] {
			body, err := json.Marshal(j)
			if err != nil {
				return err
			}
			entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(string(body))})
		}
		out, err := q.client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.url), Entries: entries})
		if err != nil {
			return fmt.Errorf("push queue: %w", err)
		}
		if len(out.Failed) > 0 {
			return fmt.Errorf("push queue: %d of %d jobs refused: %s", len(out.Failed), len(entries), aws.ToString(out.Failed[0].Message))
		}
	}
	return nil
}

// DecodeJob parses a queue message body.
func DecodeJob(body string) (Job, error) {
	var j Job
	if err := json.Unmarshal([]byte(body), &j); err != nil {
		return Job{}, fmt.Errorf("push job: %w", err)
	}
	if j.UserID == "" || j.RoomID == "" {
		return Job{}, fmt.Errorf("push job: userId and roomId are required")
	}
	return j, nil
}
