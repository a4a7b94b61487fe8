package dynamo_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

// benchStore is newStore for benchmarks, with a request log.
func benchStore(b *testing.B) (*dynamo.Store, *requestLog) {
	b.Helper()
	cfg := testenv.AWSConfig(b)
	var log requestLog
	s, err := dynamo.New(dynamodb.NewFromConfig(cfg), testenv.NewTable(b, cfg), dynamo.WithCapacityRecorder(log.record))
	if err != nil {
		b.Fatal(err)
	}
	return s, &log
}

func reportRequests(b *testing.B, log *requestLog) {
	ops, units := log.reset()
	b.ReportMetric(float64(len(ops))/float64(b.N), "requests/op")
	b.ReportMetric(units/float64(b.N), "capacity/op")
}

// BenchmarkAppendMessage measures one sent message: requests, consumed
// capacity (as DynamoDB Local reports it) and latency against the emulator.
func BenchmarkAppendMessage(b *testing.B) {
	s, log := benchStore(b)
	ctx := context.Background()
	if err := s.CreateRoom(ctx, chat.Room{ID: "r", Kind: chat.KindPublic, Name: "r"}, []chat.Member{{UserID: "u", Role: chat.RoleOwner}}); err != nil {
		b.Fatal(err)
	}
	log.reset()
	b.ResetTimer()
	for i := range b.N {
		m := chat.Message{RoomID: "r", SenderID: "u", SenderName: "U", ClientID: fmt.Sprint("c", i), Text: "hello there"}
		if _, _, err := s.AppendMessage(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportRequests(b, log)
}

// BenchmarkRoomConnections measures the fan-out lookup of a room with 500
// live connections.
func BenchmarkRoomConnections(b *testing.B) {
	s, log := benchStore(b)
	ctx := context.Background()
	ids := make([]string, 500)
	for i := range ids {
		ids[i] = fmt.Sprintf("conn-%04d-abcdefghij", i)
	}
	if err := s.AddRoomConnections(ctx, "big", "u", ids); err != nil {
		b.Fatal(err)
	}
	log.reset()
	b.ResetTimer()
	for range b.N {
		conns, err := s.RoomConnections(ctx, "big")
		if err != nil || len(conns) != len(ids) {
			b.Fatalf("%d connections, %v", len(conns), err)
		}
	}
	b.StopTimer()
	reportRequests(b, log)
}
