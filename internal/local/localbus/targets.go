package localbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Rules and targets: the stand-in evaluates rules too, for the one kind of
// target the stack uses to act on events, a Lambda function invoked
// asynchronously (the outgoing webhooks' delivery function). Faithful to
// Lambda's asynchronous invocation: the put returns before the target
// runs; a target that returns an error is retried MaximumRetryAttempts
// times (0 to 2, default 2) after RetryDelays (Lambda waits about one
// minute, then two); when the retries are exhausted a record in the form
// of Lambda's OnFailure destination goes to the rule's dead-letter queue
// (DeadLetters, GET /dead-letters, Config.OnFailure).

// Rule is an EventBridge rule with a Lambda target.
type Rule struct {
	Name string
	// Bus the rule is on ("" matches every bus).
	Bus string
	// The event pattern: the event's source and detail-type each one of
	// the listed values (an empty list matches any).
	Sources     []string
	DetailTypes []string
	// Target is the function; its error is a function error.
	Target func(ctx context.Context, ev Event) error
	// MaximumRetryAttempts of the function's asynchronous invocation
	// config: -1 takes the default 2 (Lambda's), otherwise 0 to 2.
	MaximumRetryAttempts int
	// RetryDelays before retry 1 and 2; nil takes Lambda's (1 and 2
	// minutes). Tests shorten them.
	RetryDelays []time.Duration
	// Timeout of one invocation (the function's timeout); default 30 s.
	Timeout time.Duration
}

// DefaultRetryDelays approximate Lambda's asynchronous retries.
var DefaultRetryDelays = []time.Duration{time.Minute, 2 * time.Minute}

// FailureRecord is what Lambda sends to an OnFailure destination (an SQS
// queue) for an asynchronous invocation whose retries are exhausted.
type FailureRecord struct {
	Version         string          `json:"version"`
	Timestamp       time.Time       `json:"timestamp"`
	RequestContext  FailureContext  `json:"requestContext"`
	RequestPayload  json.RawMessage `json:"requestPayload"`
	ResponseContext ResponseContext `json:"responseContext"`
	ResponsePayload json.RawMessage `json:"responsePayload"`
	// Rule is the stand-in's own addition: the rule that routed it.
	Rule string `json:"rule,omitempty"`
}

// FailureContext is a FailureRecord's requestContext.
type FailureContext struct {
	RequestID              string `json:"requestId"`
	FunctionARN            string `json:"functionArn"`
	Condition              string `json:"condition"` // RetriesExhausted
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

// ResponseContext is a FailureRecord's responseContext.
type ResponseContext struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError"`
}

type rules struct {
	mu       sync.Mutex
	list     []Rule
	dead     []FailureRecord
	invokes  map[string]int
	wg       sync.WaitGroup
	ctx      context.Context
	cancel   context.CancelFunc
	notify   chan struct{}
	inflight int
}

func (s *Server) rulesState() *rules {
	s.rulesOnce.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		s.rules = &rules{invokes: map[string]int{}, ctx: ctx, cancel: cancel, notify: make(chan struct{})}
	})
	return s.rules
}

// AddRule adds a rule with its target.
func (s *Server) AddRule(r Rule) error {
	if r.Name == "" || r.Target == nil {
		return errors.New("localbus: a rule needs a name and a target")
	}
	if r.MaximumRetryAttempts < 0 {
		r.MaximumRetryAttempts = 2
	}
	if r.MaximumRetryAttempts > 2 {
		return errors.New("localbus: MaximumRetryAttempts is 0 to 2, as Lambda's")
	}
	if r.RetryDelays == nil {
		r.RetryDelays = DefaultRetryDelays
	}
	if r.Timeout <= 0 {
		r.Timeout = 30 * time.Second
	}
	st := s.rulesState()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.list = append(st.list, r)
	return nil
}

func (r Rule) matches(ev Event) bool {
	return (r.Bus == "" || r.Bus == ev.Bus) &&
		(len(r.Sources) == 0 || slices.Contains(r.Sources, ev.Source)) &&
		(len(r.DetailTypes) == 0 || slices.Contains(r.DetailTypes, ev.DetailType))
}

// route starts the matching rules' targets for the accepted events, each
// in the background (an asynchronous invocation).
func (s *Server) route(evs []Event) {
	st := s.rulesState()
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, ev := range evs {
		for _, r := range st.list {
			if !r.matches(ev) {
				continue
			}
			st.inflight++
			st.wg.Add(1)
			go s.invoke(r, ev)
		}
	}
}

func (s *Server) invoke(r Rule, ev Event) {
	st := s.rules
	defer func() {
		st.mu.Lock()
		st.inflight--
		st.bump()
		st.mu.Unlock()
		st.wg.Done()
	}()
	var err error
	attempts := 0
	for try := 0; try <= r.MaximumRetryAttempts; try++ {
		if try > 0 {
			d := r.RetryDelays[min(try-1, len(r.RetryDelays)-1)]
			select {
			case <-time.After(d):
			case <-st.ctx.Done():
				return
			}
		}
		attempts++
		st.mu.Lock()
		st.invokes[r.Name]++
		st.bump()
		st.mu.Unlock()
		ctx, cancel := context.WithTimeout(st.ctx, r.Timeout)
		err = r.Target(ctx, ev)
		cancel()
		if err == nil {
			return
		}
		s.logger.Warn("local EventBridge target failed", slog.String("rule", r.Name), slog.Int("attempt", attempts), slog.String("error", err.Error()))
	}
	payload, _ := json.Marshal(ev)
	resp, _ := json.Marshal(map[string]any{"errorMessage": err.Error(), "errorType": fmt.Sprintf("%T", err)})
	rec := FailureRecord{
		Version: "1.0", Timestamp: time.Now().UTC(),
		RequestContext: FailureContext{RequestID: newID(), FunctionARN: "arn:aws:lambda:" + s.cfg.Region + ":" + DefaultAccount + ":function:" + r.Name + ":$LATEST",
			Condition: "RetriesExhausted", ApproximateInvokeCount: attempts},
		RequestPayload: payload, ResponseContext: ResponseContext{StatusCode: 200, ExecutedVersion: "$LATEST", FunctionError: "Unhandled"},
		ResponsePayload: resp, Rule: r.Name,
	}
	s.logger.Error("local EventBridge target's retries exhausted: to the dead-letter queue", slog.String("rule", r.Name), slog.String("error", err.Error()))
	if s.cfg.OnFailure != nil {
		s.cfg.OnFailure(rec)
	}
	st.mu.Lock()
	st.dead = append(st.dead, rec)
	st.mu.Unlock()
}

func (st *rules) bump() {
	close(st.notify)
	st.notify = make(chan struct{})
}

// DeadLetters returns the failure records, oldest first.
func (s *Server) DeadLetters() []FailureRecord {
	st := s.rulesState()
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]FailureRecord(nil), st.dead...)
}

// Invocations counts the invocations (first tries and retries) of a rule's
// target.
func (s *Server) Invocations(rule string) int {
	st := s.rulesState()
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.invokes[rule]
}

// WaitIdle blocks until no invocation is running or waiting to retry.
func (s *Server) WaitIdle(ctx context.Context) error {
	st := s.rulesState()
	for {
		st.mu.Lock()
		n, ch := st.inflight, st.notify
		st.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// deadLettersHandler answers GET /dead-letters.
func (s *Server) deadLettersHandler(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(struct {
		DeadLetters []FailureRecord `json:"deadLetters"`
	}{append([]FailureRecord{}, s.DeadLetters()...)})
}

// stopRules ends the waits of pending retries (Close).
func (s *Server) stopRules() {
	s.rulesState().cancel()
}
