package export

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// SQSAPI is the call the queue makes.
type SQSAPI interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// Queue puts export jobs on the export queue (the actions function's
// side: chat.ExportQueue).
type Queue struct {
	client SQSAPI
	url    string
}

// NewQueue returns the queue at url.
func NewQueue(client SQSAPI, url string) *Queue { return &Queue{client: client, url: url} }

var _ chat.ExportQueue = (*Queue)(nil)

// EnqueueExport sends one job.
func (q *Queue) EnqueueExport(ctx context.Context, job chat.ExportJob) error {
	body, _ := json.Marshal(job)
	if _, err := q.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q.url), MessageBody: aws.String(string(body))}); err != nil {
		return fmt.Errorf("export queue: %w", err)
	}
	return nil
}

// DecodeJob parses a queue message body.
func DecodeJob(body string) (chat.ExportJob, error) {
	var j chat.ExportJob
	if err := json.Unmarshal([]byte(body), &j); err != nil {
		return j, fmt.Errorf("export job: %w", err)
	}
	if j.ExportID == "" || j.UserID == "" {
		return j, fmt.Errorf("export job: exportId and userId are required")
	}
	return j, nil
}
