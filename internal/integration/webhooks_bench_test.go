package integration

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// BenchmarkWebhookPost measures one post to an incoming webhook through
// the real HTTP API handler (internal/httpapi), service and DynamoDB store
// (DynamoDB Local) into rooms of 10 and 100 online members, fanning out to
// a no-op poster: DynamoDB requests, capacity units (real pricing: read
// and write units apart), fan-out posts and this process's CPU per post.
// Compare with BenchmarkSendMessage (a person's message, same rooms):
//
//	go run ./scripts/testenv -- go test -run '^$' -bench 'WebhookPost|SendMessage/members=(10|100)/mention=false' -benchmem ./internal/integration/
func BenchmarkWebhookPost(b *testing.B) {
	perRoomSize(b, []int{10, 100}, benchWebhook)
}

func benchWebhook(b *testing.B, members int) {
	awsCfg, table, roomID, store := seededStore(b, members)
	secret := strings.Repeat("s", 43)
	sum := sha256.Sum256([]byte(secret))
	if err := store.CreateWebhook(context.Background(), chat.Webhook{ID: "wh_bench", RoomID: roomID, Name: "CI", CreatedBy: "u-0", CreatedAt: time.Now(), SecretHash: sum[:]}); err != nil {
		b.Fatal(err)
	}
	path := "/hooks/" + roomID + ".wh_bench/" + secret

	poster := &countingPoster{}
	a, meter := benchApp(b, awsCfg, benchConfig(table), poster, func(c *service.Config) { c.RatePerWindow, c.WebhookPerWindow = 1<<30, 1<<30 })
	post := func(i int) {
		ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: path, Headers: map[string]string{"content-type": "application/json"},
			Body: fmt.Sprintf(`{"text":"build %d passed, a typical short integration line"}`, i)}
		ev.RequestContext.HTTP.Method = "POST"
		resp, err := a.HTTP.Handle(context.Background(), ev)
		if err != nil || resp.StatusCode != 201 {
			b.Fatalf("post %d: %v %d %s", i, err, resp.StatusCode, resp.Body)
		}
	}
	post(-1) // warm up

	meter.reset()
	poster.posts.Store(0)
	n := 0
	cpu0 := cpuTime()
	for b.Loop() {
		post(n)
		n++
	}
	cpu := cpuTime() - cpu0
	if want := int64(n * members); poster.posts.Load() != want {
		b.Fatalf("%d posts for %d messages, want %d (every member once)", poster.posts.Load(), n, want)
	}
	b.ReportMetric(float64(meter.reqs)/float64(n), "ddb-req/op")
	b.ReportMetric(meter.units/float64(n), "ddb-cu/op")
	b.ReportMetric(meter.rcu/float64(n), "real-rcu/op")
	b.ReportMetric(meter.wcu/float64(n), "real-wcu/op")
	b.ReportMetric(float64(poster.posts.Load())/float64(n), "posts/op")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/op")
	b.Logf("members=%d, %d posts; DynamoDB requests per post: %s", members, n, meter.perOp(n))
}
