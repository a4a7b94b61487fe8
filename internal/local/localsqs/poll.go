package localsqs

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Handler is a Lambda SQS handler with ReportBatchItemFailures.
type Handler func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error)

// PollConfig shapes Poll like an event source mapping.
type PollConfig struct {
	QueueURL    string
	QueueARN    string // eventSourceARN of the records
	BatchSize   int    // records per invocation, 1 to 10 (default 1)
	Concurrency int    // invocations at once (default 10), the mapping's MaximumConcurrency
	Logger      *slog.Logger
}

// Poll receives from the queue with the SDK client and invokes h until ctx
// ends, as Lambda's SQS event source mapping does: a batch whose
// invocation fails stays on the queue (visible again after its visibility
// timeout); otherwise every record but the reported batchItemFailures is
// deleted.
func Poll(ctx context.Context, client *sqs.Client, cfg PollConfig, h Handler) {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 1
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 10
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	var wg sync.WaitGroup
	for range cfg.Concurrency {
		wg.Go(func() {
			for ctx.Err() == nil {
				pollOnce(ctx, client, cfg, h)
			}
		})
	}
	wg.Wait()
}

func pollOnce(ctx context.Context, client *sqs.Client, cfg PollConfig, h Handler) {
	out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(cfg.QueueURL),
		MaxNumberOfMessages:         int32(cfg.BatchSize),
		WaitTimeSeconds:             1,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
	})
	if err != nil {
		if ctx.Err() == nil {
			cfg.Logger.Error("sqs poll failed", "error", err)
		}
		return
	}
	if len(out.Messages) == 0 {
		return
	}
	ev := events.SQSEvent{Records: make([]events.SQSMessage, len(out.Messages))}
	for i, m := range out.Messages {
		ev.Records[i] = events.SQSMessage{
			MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle),
			Body: aws.ToString(m.Body), Md5OfBody: aws.ToString(m.MD5OfBody), Attributes: m.Attributes,
			EventSource: "aws:sqs", EventSourceARN: cfg.QueueARN, AWSRegion: "us-east-1",
		}
	}
	resp, err := h(ctx, ev)
	if err != nil {
		cfg.Logger.Error("sqs handler failed: the batch stays on the queue", "error", err, "records", len(ev.Records))
		return
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	var del []types.DeleteMessageBatchRequestEntry
	for i, m := range out.Messages {
		if !failed[aws.ToString(m.MessageId)] {
			del = append(del, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
		}
	}
	if len(del) == 0 {
		return
	}
	dout, err := client.DeleteMessageBatch(context.WithoutCancel(ctx), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(cfg.QueueURL), Entries: del})
	if err == nil && len(dout.Failed) > 0 {
		err = errors.New(aws.ToString(dout.Failed[0].Message))
	}
	if err != nil {
		cfg.Logger.Error("sqs delete failed", "error", err)
	}
}
