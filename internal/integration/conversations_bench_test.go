package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/app/inprocess"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// BenchmarkConversationCost measures, at real DynamoDB prices, what a
// reaction and a resume after 100 changes cost, through the real actions
// handler, service and store on DynamoDB Local, in a room of 10 online
// members (the fan-out posts to a counting no-op poster):
//
//	go run ./scripts/testenv -- go test -run '^$' -bench ConversationCost -benchtime 50x ./internal/integration/
//
// pin: one op pins or unpins (alternately) a short message as its owner.
// edit: one op edits a short message (the change, its earlier version).
// react: one op adds or removes (alternately) conn-0's 👍 on a short
// message, so every op is a change. resume-after-100: one op is a resume
// of the room with its change position 100 changes back (reactions on
// 100 different messages, the worst case: every change a distinct
// message), metered alone; the changes are made outside the timer.
func BenchmarkConversationCost(b *testing.B) {
	b.Run("react", func(b *testing.B) {
		a, meter, roomID := conversationApp(b)
		call(b, a, "send", fmt.Sprintf(`{"action":"sendMessage","roomId":%q,"clientId":"m-1","text":"ship it?"}`, roomID), `"ack"`)
		seq := lastSeq(b, a, roomID)
		meter.reset()
		n := 0
		for b.Loop() {
			call(b, a, "react", fmt.Sprintf(`{"action":"react","roomId":%q,"seq":%d,"emoji":"👍","on":%v}`, roomID, seq, n%2 == 0), `"chg":`)
			n++
		}
		report(b, meter, n)
	})
	// preview: one op is the unfurl worker's table work for a message
	// whose previews changed (fetching and the S3 cache aside): its read
	// of the message, then ApplyLinkPreviews (read, change number and log
	// entry, the previews' read and write, the fan-out), alternating two
	// preview sets so that every op is a change.
	b.Run("preview", func(b *testing.B) {
		a, meter, roomID := conversationApp(b)
		call(b, a, "send", fmt.Sprintf(`{"action":"sendMessage","roomId":%q,"clientId":"m-1","text":"notes https://example.com/a https://example.com/b"}`, roomID), `"ack"`)
		seq := lastSeq(b, a, roomID)
		sets := [2][]chat.LinkPreview{
			{{URL: "https://example.com/a", Title: "Release notes 4.2", Description: "What changed in 4.2, in one page.", ImageURL: "https://example.com/a.png", SiteName: "Example"}},
			{{URL: "https://example.com/a", Title: "Release notes 4.2", Description: "What changed in 4.2, in one page.", ImageURL: "https://example.com/a.png", SiteName: "Example"},
				{URL: "https://example.com/b", Title: "Roadmap", SiteName: "Example"}},
		}
		ctx := context.Background()
		meter.reset()
		n := 0
		for b.Loop() {
			m, err := a.Service.StoredMessage(ctx, roomID, seq)
			if err != nil {
				b.Fatal(err)
			}
			if _, changed, err := a.Service.ApplyLinkPreviews(ctx, m, sets[n%2]); err != nil || !changed {
				b.Fatalf("ApplyLinkPreviews: changed %v, %v", changed, err)
			}
			n++
		}
		report(b, meter, n)
	})
	b.Run("pin", func(b *testing.B) {
		a, meter, roomID := conversationApp(b)
		call(b, a, "send", fmt.Sprintf(`{"action":"sendMessage","roomId":%q,"clientId":"m-1","text":"ship it?"}`, roomID), `"ack"`)
		seq := lastSeq(b, a, roomID)
		meter.reset()
		n := 0
		for b.Loop() {
			call(b, a, "pinMessage", fmt.Sprintf(`{"action":"pinMessage","roomId":%q,"seq":%d,"pinned":%v}`, roomID, seq, n%2 == 0), `"chg":`)
			n++
		}
		report(b, meter, n)
	})
	b.Run("edit", func(b *testing.B) {
		a, meter, roomID := conversationApp(b)
		call(b, a, "send", fmt.Sprintf(`{"action":"sendMessage","roomId":%q,"clientId":"m-1","text":"ship it?"}`, roomID), `"ack"`)
		seq := lastSeq(b, a, roomID)
		meter.reset()
		n := 0
		for b.Loop() {
			call(b, a, "editMessage", fmt.Sprintf(`{"action":"editMessage","roomId":%q,"seq":%d,"text":"ship it? (take %d)"}`, roomID, seq, n), `"chg":`)
			n++
		}
		report(b, meter, n)
	})
	b.Run("resume-after-100", func(b *testing.B) {
		a, meter, roomID := conversationApp(b)
		var seqs []int64
		for i := range 100 {
			call(b, a, "send", fmt.Sprintf(`{"action":"sendMessage","roomId":%q,"clientId":"m-%d","text":"benchmark message number %d, a typical short chat line"}`, roomID, i, i), `"ack"`)
		}
		last := lastSeq(b, a, roomID)
		for s := last - 99; s <= last; s++ {
			seqs = append(seqs, s)
		}
		n, chg := 0, int64(0)
		sum := &capacityMeter{byOp: map[string]int{}}
		b.StopTimer()
		for range b.N {
			on := n%2 == 0
			for _, s := range seqs {
				call(b, a, "react", fmt.Sprintf(`{"action":"react","roomId":%q,"seq":%d,"emoji":"🎉","on":%v}`, roomID, s, on), `"chg":`)
			}
			meter.reset()
			b.StartTimer()
			body := call(b, a, "resume", fmt.Sprintf(`{"action":"resume","rooms":{%q:%d},"changes":{%q:%d}}`, roomID, last, roomID, chg), `"missed"`)
			b.StopTimer()
			if !strings.Contains(body, fmt.Sprintf(`"lastChg":%d`, chg+100)) || strings.Contains(body, `"changesMore":true`) {
				b.Fatalf("resume from %d: %.300s", chg, body)
			}
			if got := strings.Count(body, `"seq":`); got != 100 {
				b.Fatalf("resume replayed %d messages, want 100", got)
			}
			chg += 100
			n++
			if n == 1 {
				b.Logf("reply %d bytes", len(body))
			}
			meter.mu.Lock()
			sum.reqs += meter.reqs
			sum.rcu += meter.rcu
			sum.wcu += meter.wcu
			for op, k := range meter.byOp {
				sum.byOp[op] += k
			}
			meter.mu.Unlock()
		}
		report(b, sum, n)
	})
}

// conversationApp builds the in-process handlers over a fresh table with a
// room of 10 members, each with one live connection (conn-0 is u-0's).
func conversationApp(b *testing.B) (*inprocess.App, *capacityMeter, string) {
	awsCfg := testenv.AWSConfig(b)
	table := testenv.NewTable(b, awsCfg)
	roomID := seedRoom(b, awsCfg.Copy(), table, 10)
	a, meter := benchApp(b, awsCfg, benchConfig(table), &countingPoster{}, func(c *service.Config) { c.RatePerWindow = 1 << 30; c.ReadsPerWindow = 1 << 30 })
	return a, meter, roomID
}

var benchReq int

// call sends one action as conn-0 and fails unless the reply contains want.
func call(b *testing.B, a *inprocess.App, route, body, want string) string {
	b.Helper()
	benchReq++
	now := time.Now()
	resp, err := a.Actions.Handle(context.Background(), events.APIGatewayWebsocketProxyRequest{
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{
			RouteKey: route, EventType: "MESSAGE", MessageDirection: "IN", Stage: "bench",
			RequestID: fmt.Sprintf("conv-%d", benchReq), ConnectionID: "conn-0", ConnectedAt: now.UnixMilli(), RequestTimeEpoch: now.UnixMilli(),
		},
		Body: body,
	})
	if err != nil || !strings.Contains(resp.Body, want) {
		b.Fatalf("%s: %v %.400s", route, err, resp.Body)
	}
	return resp.Body
}

func lastSeq(b *testing.B, a *inprocess.App, roomID string) int64 {
	body := call(b, a, "history", fmt.Sprintf(`{"action":"history","roomId":%q,"limit":1}`, roomID), `"history"`)
	var seq int64
	if i := strings.Index(body, `"seq":`); i >= 0 {
		fmt.Sscanf(body[i+len(`"seq":`):], "%d", &seq)
	}
	if seq == 0 {
		b.Fatalf("no seq in %s", body)
	}
	return seq
}

func report(b *testing.B, m *capacityMeter, n int) {
	b.ReportMetric(float64(m.reqs)/float64(n), "ddb-req/op")
	b.ReportMetric(m.rcu/float64(n), "real-rcu/op")
	b.ReportMetric(m.wcu/float64(n), "real-wcu/op")
	b.Logf("%d ops; DynamoDB requests per op: %s", n, m.perOp(n))
}
