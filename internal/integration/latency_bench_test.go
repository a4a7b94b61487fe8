package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"

	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// BenchmarkSendLatency measures send -> receive end to end on the local
// stack: a real WebSocket client sends sendMessage through the local API
// Gateway, the actions handler and DynamoDB Local, and the time runs until
// another member's connection has the message event. It reports the
// median and 99th percentile (ms). Run it with a fixed count so the
// percentiles rest on enough samples:
//
//	go run ./scripts/testenv -- go test -run '^$' -bench SendLatency -benchtime 300x ./internal/integration/
//
// ddbRTT adds that much to every DynamoDB request (an SDK middleware), as
// the network to real DynamoDB does (a few ms in-region): DynamoDB Local
// on loopback answers in about a millisecond and works through concurrent
// requests one at a time, which hides how many of a send's requests are in
// series.
func BenchmarkSendLatency(b *testing.B) {
	for _, rtt := range []time.Duration{0, 5 * time.Millisecond} {
		b.Run(fmt.Sprintf("ddbRTT=%v", rtt), func(b *testing.B) { benchLatency(b, rtt) })
	}
}

func benchLatency(b *testing.B, rtt time.Duration) {
	delay := func(cfg *aws.Config) {
		cfg.APIOptions = append(slices.Clone(cfg.APIOptions), func(stack *middleware.Stack) error {
			return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("benchDynamoRTT",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					if rtt > 0 && awsmiddleware.GetServiceID(ctx) == "DynamoDB" {
						time.Sleep(rtt)
					}
					return next.HandleFinalize(ctx, in)
				}), middleware.After)
		})
	}
	s := newStackWithFiles(b, func(c *service.Config) { c.RatePerWindow, c.ReadsPerWindow = 1<<30, 1<<30 }, "", delay)
	ann, bob := s.newUser("lat-ann", "Ann"), s.newUser("lat-bob", "Bob")
	a, _ := s.online(ann)
	r, _ := s.online(bob)
	a.drain()
	r.drain()
	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		reqID, clientID := fmt.Sprintf("lat-%d", i), fmt.Sprintf("lat-c-%d", i)
		payload, _ := json.Marshal(map[string]any{"action": protocol.ActionSendMessage, "requestId": reqID,
			"roomId": chat.GeneralRoomID, "clientId": clientID, "text": "latency probe, a typical short chat line"})
		start := time.Now()
		a.sendRaw(websocket.MessageText, payload)
		r.waitFor("message "+clientID, func(f frame) bool {
			if f.typ != protocol.EventMessage {
				return false
			}
			m, _ := f.fields["message"].(map[string]any)
			return m["clientId"] == clientID
		})
		lat = append(lat, time.Since(start))
		if f := a.reply(reqID, "sendMessage"); f.typ != protocol.EventAck {
			b.Fatalf("send answered %s", f.raw)
		}
		r.backlog = r.backlog[:0]
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
