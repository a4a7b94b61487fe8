package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// BenchmarkMarkRead measures what one advancing markRead costs in
// DynamoDB requests and real-pricing units, in a room with N members each
// online once: issue 15 added the reader's profile GetItem (do they hide
// receipts?) and one BatchGetItem of the online members' profiles (who
// hides theirs). Run with a fixed count (the messages are seeded first):
//
//	go run ./scripts/testenv -- go test -run '^$' -bench MarkRead -benchtime 100x ./internal/integration/
func BenchmarkMarkRead(b *testing.B) {
	perRoomSize(b, []int{10, 100}, benchMarkRead)
}

func benchMarkRead(b *testing.B, members int) {
	awsCfg, table, roomID, store := seededStore(b, members)
	for i := range b.N + 1 {
		m := chat.Message{RoomID: roomID, ClientID: fmt.Sprintf("seed-%d", i), SenderID: "u-1", SenderName: "User u-1", Text: "seed", CreatedAt: time.Now()}
		if _, _, err := store.AppendMessage(context.Background(), m); err != nil {
			b.Fatal(err)
		}
	}
	poster := &countingPoster{}
	a, meter := benchApp(b, awsCfg, benchConfig(table), poster, func(c *service.Config) { c.RatePerWindow = 1 << 30 })
	read := func(seq int) {
		now := time.Now()
		req := events.APIGatewayWebsocketProxyRequest{
			RequestContext: events.APIGatewayWebsocketProxyRequestContext{
				RouteKey: "markRead", EventType: "MESSAGE", MessageDirection: "IN", Stage: "bench",
				RequestID: fmt.Sprintf("read-%d", seq), ConnectionID: "conn-0", ConnectedAt: now.UnixMilli(), RequestTimeEpoch: now.UnixMilli(),
			},
			Body: fmt.Sprintf(`{"action":"markRead","requestId":"r-%d","roomId":%q,"seq":%d}`, seq, roomID, seq),
		}
		resp, err := a.Actions.Handle(context.Background(), req)
		if err != nil || !strings.HasPrefix(resp.Body, `{"type":"read"`) {
			b.Fatalf("markRead %d: %v %s", seq, err, resp.Body)
		}
	}
	read(1) // warm up
	meter.reset()
	poster.posts.Store(0)
	b.ResetTimer()
	for i := range b.N {
		read(i + 2)
	}
	b.StopTimer()
	n := b.N
	if want := int64(n * (members - 1)); poster.posts.Load() != want {
		b.Fatalf("%d posts for %d reads, want %d (every other member once)", poster.posts.Load(), n, want)
	}
	b.ReportMetric(float64(meter.reqs)/float64(n), "ddb-req/op")
	b.ReportMetric(meter.rcu/float64(n), "real-rcu/op")
	b.ReportMetric(meter.wcu/float64(n), "real-wcu/op")
	b.Logf("members=%d, %d reads; DynamoDB requests per read: %s", members, n, meter.perOp(n))
}
