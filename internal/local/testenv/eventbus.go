package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/backchannel-chat/backchannel/internal/local/localbus"
)

// Endpoint variables of an external EventBridge (LocalStack under `make
// test-localstack`); the events put there are read back through SQS.
const (
	EnvEndpointEventBridge = "AWS_ENDPOINT_URL_EVENTBRIDGE"
	EnvEndpointSQS         = "AWS_ENDPOINT_URL_SQS"
)

// EventBus is a test's event bus: where the publisher's EventBridge client
// goes, and what arrived on it.
type EventBus interface {
	Name() string     // the bus to publish to
	Endpoint() string // the EventBridge endpoint
	Events() []localbus.Event
	// External reports a bus in LocalStack (events arrive through a rule
	// and an SQS queue, in up to seconds rather than milliseconds).
	External() bool
}

// NewEventBus gives the test an event bus named after busName: a custom
// bus in the external EventBridge when scripts/testenv was given one (its
// name then made unique), with a rule sending every event to an SQS queue
// that is drained in the background; else the local EventBridge stand-in,
// stopped when the test ends.
func NewEventBus(t testing.TB, busName string) EventBus {
	t.Helper()
	if Enabled() && os.Getenv(EnvEndpointEventBridge) != "" && os.Getenv(EnvEndpointSQS) != "" {
		return newExternalBus(t, busName)
	}
	bus, err := localbus.Start(localbus.Config{Buses: []string{busName}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bus.Close() })
	return localBus{bus, busName}
}

type localBus struct {
	*localbus.Server
	name string
}

func (b localBus) Name() string     { return b.name }
func (b localBus) Endpoint() string { return b.URL() }
func (b localBus) External() bool   { return false }

// Local is the stand-in itself (its rules, targets and dead letters).
func (b localBus) Local() *localbus.Server { return b.Server }

type externalBus struct {
	name, endpoint string
	mu             sync.Mutex
	events         []localbus.Event
}

func (b *externalBus) Name() string     { return b.name }
func (b *externalBus) Endpoint() string { return b.endpoint }
func (b *externalBus) External() bool   { return true }
func (b *externalBus) Events() []localbus.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]localbus.Event(nil), b.events...)
}

func newExternalBus(t testing.TB, busName string) *externalBus {
	cfg := AWSConfig(t)
	ctx := setupContext(t)
	b := &externalBus{name: uniqueName(t, busName+"-", 200), endpoint: os.Getenv(EnvEndpointEventBridge)}
	eb := eventbridge.NewFromConfig(cfg)
	q := sqs.NewFromConfig(cfg)
	bus, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(b.name)})
	if err != nil {
		t.Fatalf("create event bus %s: %v", b.name, err)
	}
	queueName := strings.NewReplacer(".", "-").Replace(uniqueName(t, "q-", 80))
	queue, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(queueName)})
	if err != nil {
		t.Fatalf("create queue: %v", err)
	}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: queue.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatalf("queue ARN: %v", err)
	}
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{
		Name: aws.String("all"), EventBusName: aws.String(b.name), EventPattern: aws.String(`{"source":[{"prefix":""}]}`),
	}); err != nil {
		t.Fatalf("put rule: %v", err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{
		Rule: aws.String("all"), EventBusName: aws.String(b.name),
		Targets: []ebtypes.Target{{Id: aws.String("queue"), Arn: aws.String(attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)])}},
	}); err != nil {
		t.Fatalf("put targets: %v", err)
	}
	drainCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for drainCtx.Err() == nil {
			out, err := q.ReceiveMessage(drainCtx, &sqs.ReceiveMessageInput{
				QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
			})
			if err != nil {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			for _, m := range out.Messages {
				var ev localbus.Event
				if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil {
					ev = localbus.Event{DetailType: "unparsable", Detail: json.RawMessage(fmt.Sprintf("%q", aws.ToString(m.Body)))}
				}
				ev.Bus = b.name
				b.mu.Lock()
				b.events = append(b.events, ev)
				b.mu.Unlock()
				_, _ = q.DeleteMessage(drainCtx, &sqs.DeleteMessageInput{QueueUrl: queue.QueueUrl, ReceiptHandle: m.ReceiptHandle})
			}
		}
	}()
	t.Cleanup(func() {
		stop()
		<-done
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		_, _ = eb.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("all"), EventBusName: aws.String(b.name), Ids: []string{"queue"}})
		_, _ = eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("all"), EventBusName: aws.String(b.name)})
		_, _ = eb.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String(b.name)})
		_, _ = q.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: queue.QueueUrl})
	})
	_ = bus
	return b
}
