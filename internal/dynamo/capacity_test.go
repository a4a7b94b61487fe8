package dynamo_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

// requestLog records what WithCapacityRecorder reports.
type requestLog struct {
	mu    sync.Mutex
	ops   []string
	units float64
}

func (l *requestLog) record(op string, units float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops = append(l.ops, op)
	l.units += units
}

func (l *requestLog) reset() (ops []string, units float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ops, units = l.ops, l.units
	l.ops, l.units = nil, 0
	return ops, units
}

func TestCapacityRecorderCountsRequestsPerMessage(t *testing.T) {
	var log requestLog
	s, _ := newStore(t, dynamo.WithCapacityRecorder(log.record))
	ctx := context.Background()
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), "u1")
	log.reset()

	if _, _, err := s.AppendMessage(ctx, testMessage("r1", "u1", "c1", "hi")); err != nil {
		t.Fatal(err)
	}
	ops, units := log.reset()
	// The counter, the client-id claim, the message: no read, no transaction.
	want := []string{"AppendMessage:UpdateItem", "AppendMessage:PutItem", "AppendMessage:PutItem"}
	if len(ops) != len(want) {
		t.Fatalf("new message: requests %v, want %v", ops, want)
	}
	for i := range want {
		if ops[i] != want[i] {
			t.Errorf("request %d = %s, want %s", i, ops[i], want[i])
		}
	}
	t.Logf("new message: %d requests, %.1f capacity units", len(ops), units)

	if _, _, err := s.AppendMessage(ctx, testMessage("r1", "u1", "c1", "hi")); err != nil {
		t.Fatal(err)
	}
	ops, units = log.reset()
	// A seq (left unused), the failed claim returning the first seq, the
	// first message.
	if len(ops) < 3 || ops[0] != "AppendMessage:UpdateItem" || ops[1] != "AppendMessage:PutItem" || ops[len(ops)-1] != "AppendMessage:GetItem" {
		t.Errorf("retried message: requests %v, want UpdateItem, PutItem, GetItem", ops)
	}
	t.Logf("retried message: %d requests, %.1f capacity units", len(ops), units)

	if _, err := s.RoomConnections(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	ops, units = log.reset()
	// One Query per shard of the room's index, run concurrently (one round
	// trip): the index is sharded on purpose (issue 21, big rooms).
	if len(ops) != dynamo.RoomConnShards || slices.ContainsFunc(ops, func(op string) bool { return op != "RoomConnections:Query" }) {
		t.Errorf("fan-out lookup: requests %v, want %d Queries", ops, dynamo.RoomConnShards)
	}
	t.Logf("fan-out lookup: %d requests, %.1f capacity units", len(ops), units)
}
