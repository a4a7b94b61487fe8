package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/streamapp"
	"github.com/backchannel-chat/backchannel/internal/local/devstack"
	"github.com/backchannel-chat/backchannel/internal/local/localbus"
	"github.com/backchannel-chat/backchannel/internal/local/streampoll"
	"github.com/backchannel-chat/backchannel/internal/notify"
)

// defaultEventBus is the custom bus of `make dev` unless EVENT_BUS_NAME
// names another.
const defaultEventBus = "backchannel-events"

// eventPipeline is the stream function running locally: a poller of
// DynamoDB Local's stream (as Lambda's event source mapping) invoking the
// same handler as functions/stream, which publishes to the local
// EventBridge stand-in, or to AWS_ENDPOINT_URL_EVENTBRIDGE when set.
type eventPipeline struct {
	bus      *localbus.Server // nil when EventBridge is external
	poller   *streampoll.Poller
	busName  string
	endpoint string
	external bool
}

// startEvents runs after startChat, whose environment (region, dummy
// credentials, endpoints) the stream function's AWS config is read from.
func startEvents(ctx context.Context, stack *devstack.Stack, missed notify.MissedNotifier, out io.Writer) (_ *eventPipeline, err error) {
	e := &eventPipeline{busName: firstSet(os.Getenv("EVENT_BUS_NAME"), defaultEventBus)}
	defer func() {
		if err != nil {
			err = errors.Join(err, e.Close())
		}
	}()
	e.endpoint = firstSet(os.Getenv("AWS_ENDPOINT_URL_EVENTBRIDGE"), os.Getenv("AWS_ENDPOINT_URL"))
	e.external = e.endpoint != ""
	if !e.external {
		var mu sync.Mutex
		e.bus, err = localbus.Start(localbus.Config{
			Buses: []string{e.busName}, Region: stack.Region,
			OnEvent: func(ev localbus.Event) {
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintln(out, eventLine(ev))
			},
		})
		if err != nil {
			return nil, err
		}
		e.endpoint = e.bus.URL()
		if err := os.Setenv("AWS_ENDPOINT_URL_EVENTBRIDGE", e.endpoint); err != nil {
			return nil, err
		}
	}
	if err := os.Setenv("EVENT_BUS_NAME", e.busName); err != nil {
		return nil, err
	}
	cfg, err := app.StreamConfigFromEnv()
	if err != nil {
		return nil, err
	}
	logger := app.NewLogger(os.Stderr, cfg.LogLevel)
	if e.bus != nil {
		if err := addOutHookRule(ctx, e.bus, stack.Resources.TableName, e.busName, logger); err != nil {
			return nil, err
		}
		if err := addSupportBotRule(ctx, e.bus, e.busName, logger); err != nil { // supportbot.go
			return nil, err
		}
	}
	handler, err := streamapp.Build(ctx, cfg, streamapp.WithLogger(logger), streamapp.WithMissedNotifier(missed))
	if err != nil {
		return nil, fmt.Errorf("build the stream handler: %w", err)
	}
	if e.external {
		// Not fatal: the bus may exist where we may not create buses.
		if err := ensureEventBus(ctx, stack, e.endpoint, e.busName); err != nil {
			fmt.Fprintf(os.Stderr, "dev: %v (events may be refused)\n", err)
		}
	}
	arn, err := streampoll.StreamARN(ctx, stack.DynamoDBClient(), stack.Resources.TableName)
	if err != nil { // a given table without a stream: the chat runs, without events
		fmt.Fprintf(os.Stderr, "dev: no chat events: %v\n", err)
		return e, nil
	}
	streams := dynamodbstreams.NewFromConfig(stack.AWS, func(o *dynamodbstreams.Options) { o.BaseEndpoint = aws.String(stack.DynamoDB.URL) })
	e.poller, err = streampoll.Start(streampoll.Config{
		Client: streams, StreamARN: arn, Handler: handler.Handle, Logger: logger,
		StartingPosition: streampoll.Latest, // like a new mapping; --data does not replay old events
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// ensureEventBus creates the bus on an external EventBridge (LocalStack, an
// account) if it is not there.
func ensureEventBus(ctx context.Context, stack *devstack.Stack, endpoint, name string) error {
	client := eventbridge.NewFromConfig(stack.AWS, func(o *eventbridge.Options) { o.BaseEndpoint = aws.String(endpoint) })
	_, err := client.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(name)})
	var exists *ebtypes.ResourceAlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("create event bus %s: %w", name, err)
	}
	return nil
}

// listHandler serves the recent events at /events of the web server.
func (e *eventPipeline) listHandler() http.Handler {
	if e.bus != nil {
		return e.bus.ListHandler()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "events go to "+e.endpoint+" (AWS_ENDPOINT_URL_EVENTBRIDGE): look there", http.StatusNotFound)
	})
}

func (e *eventPipeline) Close() error {
	var errs []error
	if e.poller != nil {
		errs = append(errs, e.poller.Close())
	}
	if e.bus != nil {
		errs = append(errs, e.bus.Close())
	}
	return errors.Join(errs...)
}

// eventLine is the readable line printed per published event:
//
//	event message.created  roomId=general seq=3 senderId=… actor=…
func eventLine(ev localbus.Event) string {
	var d map[string]any
	_ = json.Unmarshal(ev.Detail, &d)
	var parts []string
	for _, k := range []string{"roomId", "seq", "userId", "senderId", "name", "topic", "textLength"} {
		if v, ok := d[k]; ok && v != "" {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	if a, ok := d["actor"].(map[string]any); ok && a["userId"] != nil {
		parts = append(parts, fmt.Sprintf("actor=%v", a["userId"]))
	}
	return fmt.Sprintf("event %-16s %s", ev.DetailType, strings.Join(parts, " "))
}

func firstSet(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
