package localbus_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/backchannel-chat/backchannel/internal/local/localbus"
)

var fastRetries = []time.Duration{20 * time.Millisecond, 40 * time.Millisecond}

func put(t *testing.T, c *eventbridge.Client, detailType string) {
	t.Helper()
	out, err := c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		entry("backchannel", detailType, `{"roomId":"r1","seq":1}`, "chat")}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("put: %v %+v", err, out)
	}
}

func idle(t *testing.T, s *localbus.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestRuleRetriesThenSucceeds: a target failing twice succeeds on Lambda's
// second retry; nothing is dead-lettered; events of other types do not
// invoke it.
func TestRuleRetriesThenSucceeds(t *testing.T) {
	s, c := start(t, localbus.Config{Buses: []string{"chat"}})
	var calls atomic.Int32
	if err := s.AddRule(localbus.Rule{Name: "deliver", Bus: "chat", Sources: []string{"backchannel"}, DetailTypes: []string{"message.created"},
		MaximumRetryAttempts: -1, RetryDelays: fastRetries,
		Target: func(_ context.Context, ev localbus.Event) error {
			if ev.DetailType != "message.created" {
				t.Errorf("invoked with %s", ev.DetailType)
			}
			if calls.Add(1) < 3 {
				return errors.New("receiver answered 500")
			}
			return nil
		}}); err != nil {
		t.Fatal(err)
	}
	put(t, c, "member.joined")
	put(t, c, "message.created")
	idle(t, s)
	if n := s.Invocations("deliver"); n != 3 {
		t.Fatalf("invocations = %d, want 3 (a first try and two retries)", n)
	}
	if d := s.DeadLetters(); len(d) != 0 {
		t.Fatalf("dead letters %+v", d)
	}
}

// TestRuleDeadLettersWhenRetriesExhausted: a target that always fails is
// invoked 1 + MaximumRetryAttempts times, then a record in the form of
// Lambda's OnFailure destination is on the dead-letter queue (and at GET
// /dead-letters), with the event as its request payload.
func TestRuleDeadLettersWhenRetriesExhausted(t *testing.T) {
	var onFailure atomic.Int32
	s, c := start(t, localbus.Config{Buses: []string{"chat"}, OnFailure: func(localbus.FailureRecord) { onFailure.Add(1) }})
	if err := s.AddRule(localbus.Rule{Name: "deliver", DetailTypes: []string{"message.created"}, MaximumRetryAttempts: 1, RetryDelays: fastRetries,
		Target: func(context.Context, localbus.Event) error { return errors.New("receiver answered 500") }}); err != nil {
		t.Fatal(err)
	}
	put(t, c, "message.created")
	idle(t, s)
	if n := s.Invocations("deliver"); n != 2 {
		t.Fatalf("invocations = %d, want 2", n)
	}
	dead := s.DeadLetters()
	if len(dead) != 1 || onFailure.Load() != 1 {
		t.Fatalf("dead letters %+v, OnFailure %d", dead, onFailure.Load())
	}
	d := dead[0]
	if d.RequestContext.Condition != "RetriesExhausted" || d.RequestContext.ApproximateInvokeCount != 2 || d.ResponseContext.FunctionError != "Unhandled" {
		t.Errorf("record %+v", d)
	}
	var ev localbus.Event
	if err := json.Unmarshal(d.RequestPayload, &ev); err != nil || ev.DetailType != "message.created" {
		t.Errorf("request payload %s: %v", d.RequestPayload, err)
	}
	res, err := http.Get(s.URL() + "/dead-letters")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var list struct {
		DeadLetters []localbus.FailureRecord `json:"deadLetters"`
	}
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil || len(list.DeadLetters) != 1 {
		t.Fatalf("GET /dead-letters: %v %+v", err, list)
	}
	if err := s.AddRule(localbus.Rule{Name: "x", Target: func(context.Context, localbus.Event) error { return nil }, MaximumRetryAttempts: 3}); err == nil {
		t.Error("MaximumRetryAttempts 3 accepted; Lambda allows 0 to 2")
	}
}

// TestRuleTargetIsAsynchronous: PutEvents answers while the target still
// runs, as EventBridge's asynchronous invocation of a function does.
func TestRuleTargetIsAsynchronous(t *testing.T) {
	s, c := start(t, localbus.Config{Buses: []string{"chat"}})
	release := make(chan struct{})
	if err := s.AddRule(localbus.Rule{Name: "slow", MaximumRetryAttempts: 0,
		Target: func(ctx context.Context, _ localbus.Event) error {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		}}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { put(t, c, "message.created"); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("PutEvents waited for the target")
	}
	close(release)
	idle(t, s)
	_ = aws.String
}
