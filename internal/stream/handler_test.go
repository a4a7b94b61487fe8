package stream_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/stream"
)

// record i is a stream record with sequence number "10i"; the fake decoder
// turns it into n events (n from the per-record table), or fails.
func batch(n int) events.DynamoDBEvent {
	var ev events.DynamoDBEvent
	for i := range n {
		r := events.DynamoDBEventRecord{EventID: fmt.Sprint(i), EventName: "INSERT"}
		r.Change.SequenceNumber = fmt.Sprintf("%d", 100+i)
		ev.Records = append(ev.Records, r)
	}
	return ev
}

// decoder: perRecord[i] events for record i (each a MemberLeft naming the
// record), -1 fails the record.
func decoder(perRecord []int) stream.Decoder {
	return func(r events.DynamoDBEventRecord) ([]chat.Event, error) {
		var i int
		fmt.Sscan(r.EventID, &i)
		if perRecord[i] < 0 {
			return nil, errors.New("undecodable")
		}
		var evs []chat.Event
		for j := range perRecord[i] {
			evs = append(evs, chat.MemberLeft{RoomID: r.EventID, UserID: fmt.Sprint(j)})
		}
		return evs, nil
	}
}

// consumer records what it got and fails as told.
type consumer struct {
	got  [][]chat.Event
	fail func(evs []chat.Event) error
}

func (c *consumer) Consume(_ context.Context, evs []chat.Event) error {
	c.got = append(c.got, evs)
	if c.fail != nil {
		return c.fail(evs)
	}
	return nil
}

func failedSeqs(resp events.DynamoDBEventResponse) []string {
	out := []string{}
	for _, f := range resp.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	return out
}

func TestHandleReportsFromFirstFailure(t *testing.T) {
	partial := func(i int) func([]chat.Event) error {
		return func([]chat.Event) error { return &chat.PartialFailure{Index: i, Err: errors.New("throttled")} }
	}
	tests := []struct {
		name      string
		perRecord []int
		fail      func([]chat.Event) error
		want      []string
		delivered int // events handed to the consumer
	}{
		{"all good", []int{1, 0, 2, 1}, nil, []string{}, 4},
		{"empty batch", []int{}, nil, []string{}, 0},
		{"no events at all", []int{0, 0}, nil, []string{}, 0},
		// Record 2 cannot be decoded: 0 and 1 are delivered, 2 and 3 retried.
		{"decode failure", []int{1, 1, -1, 1}, nil, []string{"102", "103"}, 2},
		{"first record undecodable", []int{-1, 1}, nil, []string{"100", "101"}, 0},
		// The consumer fails without saying where: every record from the
		// first one with events.
		{"consumer fails", []int{0, 1, 1}, func([]chat.Event) error { return errors.New("down") }, []string{"101", "102"}, 2},
		// The consumer took events 0..2 (records 0, 1, 1) and failed at
		// event 3, the first of record 2's two events.
		{"partial failure", []int{1, 2, 2, 1}, partial(3), []string{"102", "103"}, 6},
		// Failing at the second event of record 1: record 1 is retried whole.
		{"partial failure inside a record", []int{1, 2, 1}, partial(2), []string{"101", "102"}, 4},
		{"partial failure at the first event", []int{0, 1, 1}, partial(0), []string{"101", "102"}, 2},
		// An out-of-range index is treated as a failure without an index.
		{"bogus index", []int{0, 1, 1}, partial(9), []string{"101", "102"}, 2},
		// A decode failure after a consumer failure: the earliest wins.
		{"both", []int{1, 1, -1}, partial(1), []string{"101", "102"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &consumer{fail: tc.fail}
			h, err := stream.New(stream.Config{Consumers: []chat.EventConsumer{c}, Decode: decoder(tc.perRecord)})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := h.Handle(context.Background(), batch(len(tc.perRecord)))
			if err != nil {
				t.Fatal(err)
			}
			if got := failedSeqs(resp); !slices.Equal(got, tc.want) {
				t.Errorf("failures %v, want %v", got, tc.want)
			}
			n := 0
			for _, evs := range c.got {
				n += len(evs)
			}
			if n != tc.delivered {
				t.Errorf("consumer got %d events, want %d", n, tc.delivered)
			}
			if len(c.got) > 1 {
				t.Errorf("consumer called %d times, want once per batch", len(c.got))
			}
		})
	}
}

// Two consumers: the earliest failure of either decides; both get the same
// events in record order.
func TestHandleSeveralConsumers(t *testing.T) {
	ok := &consumer{}
	bad := &consumer{fail: func([]chat.Event) error { return &chat.PartialFailure{Index: 2, Err: errors.New("x")} }}
	h, err := stream.New(stream.Config{Consumers: []chat.EventConsumer{ok, bad}, Decode: decoder([]int{1, 1, 1, 1})})
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := h.Handle(context.Background(), batch(4))
	if got := failedSeqs(resp); !slices.Equal(got, []string{"102", "103"}) {
		t.Errorf("failures %v", got)
	}
	for _, c := range []*consumer{ok, bad} {
		var rooms []string
		for _, e := range c.got[0] {
			rooms = append(rooms, e.(chat.MemberLeft).RoomID)
		}
		if !slices.Equal(rooms, []string{"0", "1", "2", "3"}) {
			t.Errorf("events out of record order: %v", rooms)
		}
	}
}

// The real decoder is the default: a TTL removal yields nothing and
// succeeds.
func TestHandleDefaultDecoder(t *testing.T) {
	c := &consumer{}
	h, err := stream.New(stream.Config{Consumers: []chat.EventConsumer{c}})
	if err != nil {
		t.Fatal(err)
	}
	ev := batch(1)
	ev.Records[0].EventName = "REMOVE"
	ev.Records[0].UserIdentity = &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"}
	resp, err := h.Handle(context.Background(), ev)
	if err != nil || len(resp.BatchItemFailures) != 0 || len(c.got) != 0 {
		t.Errorf("TTL removal: %+v, %v, consumer got %v", resp, err, c.got)
	}
	if _, err := stream.New(stream.Config{Consumers: []chat.EventConsumer{nil}}); err == nil {
		t.Error("a nil consumer was accepted")
	}
}

// recordConsumer records the records it got and stops where told.
type recordConsumer struct {
	got  []string
	stop int // -1: takes all
}

func (c *recordConsumer) ConsumeRecords(_ context.Context, recs []events.DynamoDBEventRecord) (int, error) {
	for _, r := range recs {
		c.got = append(c.got, r.Change.SequenceNumber)
	}
	if c.stop >= 0 && c.stop < len(recs) {
		return c.stop, errors.New("throttled")
	}
	return len(recs), nil
}

// TestHandleRecordConsumers: a record consumer runs after the event
// consumers, on the records before the first one they failed (a retry
// starts at a record it never saw), and its own failure moves the
// checkpoint back.
func TestHandleRecordConsumers(t *testing.T) {
	for _, tc := range []struct {
		name        string
		failEventAt int // -1: none
		stop        int
		wantGot     []string
		wantFailed  []string
	}{
		{"all taken", -1, -1, []string{"100", "101", "102", "103"}, []string{}},
		{"an event consumer failed at record 2", 2, -1, []string{"100", "101"}, []string{"102", "103"}},
		{"the record consumer stopped at 1", -1, 1, []string{"100", "101", "102", "103"}, []string{"101", "102", "103"}},
		{"an event consumer failed at record 0", 0, -1, nil, []string{"100", "101", "102", "103"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := &consumer{}
			if tc.failEventAt >= 0 {
				ev.fail = func([]chat.Event) error { return &chat.PartialFailure{Index: tc.failEventAt, Err: errors.New("x")} }
			}
			rc := &recordConsumer{stop: tc.stop}
			h, err := stream.New(stream.Config{Consumers: []chat.EventConsumer{ev}, Records: []stream.RecordConsumer{rc}, Decode: decoder([]int{1, 1, 1, 1})})
			if err != nil {
				t.Fatal(err)
			}
			resp, _ := h.Handle(context.Background(), batch(4))
			if !slices.Equal(rc.got, tc.wantGot) {
				t.Errorf("record consumer got %v, want %v", rc.got, tc.wantGot)
			}
			if got := failedSeqs(resp); !slices.Equal(got, tc.wantFailed) {
				t.Errorf("failures %v, want %v", got, tc.wantFailed)
			}
		})
	}
}
