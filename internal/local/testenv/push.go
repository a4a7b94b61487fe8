package testenv

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/local/localsqs"
	"github.com/backchannel-chat/backchannel/internal/local/pushsvc"
)

// NewPushService starts the Web Push service stand-in (internal/local/
// pushsvc, HTTPS on a free loopback port) until the test ends. Its
// Client trusts its certificate; NewSubscription makes browser-like
// subscriptions whose pushes it decrypts.
func NewPushService(t testing.TB) *pushsvc.Server {
	t.Helper()
	svc := pushsvc.Start()
	t.Cleanup(svc.Close)
	return svc
}

// NewQueue creates an SQS queue of the test's own name and returns the
// endpoint and the queue URL: on AWS_ENDPOINT_URL_SQS when scripts/testenv
// was given one (LocalStack), else on an in-process SQS stand-in
// (internal/local/localsqs) serving until the test ends.
func NewQueue(t testing.TB, cfg aws.Config, prefix string) (endpoint, queueURL string) {
	t.Helper()
	endpoint = os.Getenv("AWS_ENDPOINT_URL_SQS")
	if endpoint == "" {
		srv, err := localsqs.Start("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srv.Close() })
		endpoint = srv.URL()
	}
	client := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(endpoint) })
	out, err := client.CreateQueue(setupContext(t), &sqs.CreateQueueInput{
		QueueName: aws.String(uniqueName(t, prefix, 80)), Attributes: map[string]string{"VisibilityTimeout": "30"},
	})
	if err != nil {
		t.Fatalf("create queue: %v", err)
	}
	url := aws.ToString(out.QueueUrl)
	t.Cleanup(func() {
		_, _ = client.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: aws.String(url)})
	})
	return endpoint, url
}
