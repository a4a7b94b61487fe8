package localsqs

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// client is the real SDK client pointed at the stand-in, as
// AWS_ENDPOINT_URL_SQS points it in make dev.
func client(t *testing.T) (*Server, *sqs.Client) {
	t.Helper()
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	c := sqs.New(sqs.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	return s, c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestTheSDKClientSendsReceivesAndDeletes(t *testing.T) {
	s, c := client(t)
	q, err := c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String("jobs"), Attributes: map[string]string{"VisibilityTimeout": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String("jobs")}); err != nil || *got.QueueUrl != *q.QueueUrl {
		t.Fatalf("GetQueueUrl = %v, %v", got, err)
	}
	// The SDK checks the MD5 of every body sent and received.
	if _, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("héllo")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: q.QueueUrl, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("one")},
		{Id: aws.String("b"), MessageBody: aws.String("two")},
		{Id: aws.String("c"), MessageBody: aws.String(strings.Repeat("x", MaxMessageBytes+1))},
	}})
	if err == nil {
		t.Fatalf("batch over 1 MiB accepted: %+v", out)
	}
	if _, err := c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: q.QueueUrl, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("one")},
		{Id: aws.String("b"), MessageBody: aws.String("two"), DelaySeconds: 1},
	}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
	if err != nil || len(got.Messages) != 2 {
		t.Fatalf("receive: %d messages, %v (want 2: the third is delayed)", len(got.Messages), err)
	}
	if _, err := c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: got.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	// The delayed one arrives by long polling; the undeleted one comes
	// back after its 1 s visibility timeout.
	seen := map[string]bool{}
	for len(seen) < 2 {
		more, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(more.Messages) == 0 {
			t.Fatalf("long poll returned nothing; seen %v", seen)
		}
		for _, m := range more.Messages {
			seen[*m.Body] = true
			_, _ = c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: m.ReceiptHandle})
		}
	}
	if waiting, inFlight, sent, deleted := s.Counts("jobs"); waiting+inFlight != 0 || sent != 3 || deleted != 3 {
		t.Errorf("counts waiting %d in flight %d sent %d deleted %d", waiting, inFlight, sent, deleted)
	}
	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(s.QueueURL("nope")), MessageBody: aws.String("x")})
	var missing *types.QueueDoesNotExist
	if !errors.As(err, &missing) {
		t.Errorf("send to a missing queue: %v, want QueueDoesNotExist", err)
	}
}

// Poll behaves like an event source mapping with ReportBatchItemFailures:
// successes are deleted, a reported failure comes back and, past the
// redrive policy's maxReceiveCount, moves to the dead-letter queue.
func TestPollDeletesSuccessesAndRedrivesFailures(t *testing.T) {
	s, c := client(t)
	if _, err := c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String("dlq")}); err != nil {
		t.Fatal(err)
	}
	q, err := c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String("jobs"), Attributes: map[string]string{
		"VisibilityTimeout": "0",
		"RedrivePolicy":     `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"2"}`,
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"ok1", "poison", "ok2"} {
		if _, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	var ok, poison atomic.Int64
	pctx, stop := context.WithCancel(ctx(t))
	done := make(chan struct{})
	go func() {
		defer close(done)
		Poll(pctx, c, PollConfig{QueueURL: *q.QueueUrl, BatchSize: 10, Concurrency: 1}, func(_ context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			var resp events.SQSEventResponse
			for _, r := range ev.Records {
				if r.Body == "poison" {
					poison.Add(1)
					resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
				} else {
					ok.Add(1)
				}
			}
			return resp, nil
		})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		dlqWaiting, _, _, _ := s.Counts("dlq")
		if dlqWaiting == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	<-done
	if dlqWaiting, _, _, _ := s.Counts("dlq"); dlqWaiting != 1 {
		t.Errorf("dead-letter queue holds %d, want the poison message", dlqWaiting)
	}
	if waiting, inFlight, _, deleted := s.Counts("jobs"); waiting+inFlight != 0 || deleted != 2 {
		t.Errorf("jobs: waiting %d in flight %d deleted %d", waiting, inFlight, deleted)
	}
	if ok.Load() != 2 || poison.Load() != 2 {
		t.Errorf("handled ok %d times, poison %d times; want 2 and 2 (maxReceiveCount)", ok.Load(), poison.Load())
	}
}
