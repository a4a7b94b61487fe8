package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/inprocess"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// BenchmarkScheduledCost measures, at real DynamoDB prices, what scheduling
// a message and delivering it at its time cost, through the real actions
// handler, service and store on DynamoDB Local, in a room of 10 online
// members (the schedules go to a recording timer, the fan-out to a
// counting poster):
//
//	go run ./scripts/testenv -- go test -run '^$' -bench ScheduledCost -benchtime 50x ./internal/integration/
//
// schedule: one op is a scheduleMessage (the caller has up to 50 pending).
// deliver: one op is DeliverScheduled of one pending message (what the
// scheduled function runs): the claim, the live send path, the delete and
// the author's scheduled event; the scheduling is outside the meter.
func BenchmarkScheduledCost(b *testing.B) {
	b.Run("schedule", func(b *testing.B) {
		a, meter, roomID, _ := scheduledApp(b)
		meter.reset()
		n := 0
		for b.Loop() {
			call(b, a, "scheduleMessage", fmt.Sprintf(`{"action":"scheduleMessage","roomId":%q,"clientId":"s-%d","text":"standup in five","at":%q}`,
				roomID, n, time.Now().Add(time.Hour).UTC().Format(time.RFC3339)), `"scheduled"`)
			n++
		}
		report(b, meter, n)
	})
	b.Run("deliver", func(b *testing.B) {
		a, meter, roomID, timer := scheduledApp(b)
		sum := &capacityMeter{byOp: map[string]int{}}
		n := 0
		b.StopTimer()
		for range b.N {
			call(b, a, "scheduleMessage", fmt.Sprintf(`{"action":"scheduleMessage","roomId":%q,"clientId":"d-%d","text":"standup in five","at":%q}`,
				roomID, n, time.Now().Add(time.Hour).UTC().Format(time.RFC3339)), `"scheduled"`)
			fire := timer.last()
			meter.reset()
			b.StartTimer()
			out, err := a.Service.DeliverScheduled(context.Background(), fire)
			b.StopTimer()
			if err != nil || out != service.DeliverySent {
				b.Fatalf("deliver = %q, %v", out, err)
			}
			n++
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

// recordingTimer keeps the last schedule's input.
type recordingTimer struct {
	mu    sync.Mutex
	input []byte
}

func (r *recordingTimer) At(_ context.Context, _ string, _ time.Time, input []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.input = input
	return nil
}

func (r *recordingTimer) Cancel(context.Context, string) error { return nil }

func (r *recordingTimer) last() service.ScheduledFire {
	r.mu.Lock()
	defer r.mu.Unlock()
	var f service.ScheduledFire
	_ = json.Unmarshal(r.input, &f)
	return f
}

func scheduledApp(b *testing.B) (*inprocess.App, *capacityMeter, string, *recordingTimer) {
	awsCfg := testenv.AWSConfig(b)
	table := testenv.NewTable(b, awsCfg)
	roomID := seedRoom(b, awsCfg.Copy(), table, 10)
	meter := &capacityMeter{byOp: map[string]int{}}
	timer := &recordingTimer{}
	cfg := app.Config{
		TableName:   table,
		CallbackURL: "http://127.0.0.1:9/unused",
		Cognito:     app.CognitoConfig{Issuer: "http://127.0.0.1:9/unused", ClientID: "unused"},
	}
	a, err := inprocess.Build(context.Background(), cfg,
		chatapp.WithAWSConfig(awsCfg),
		chatapp.WithPoster(&countingPoster{}),
		chatapp.WithStoreOptions(dynamo.WithCapacityRecorder(meter.record)),
		chatapp.WithLogger(slog.New(slog.DiscardHandler)),
		chatapp.WithMetrics(io.Discard),
		chatapp.WithScheduleTimer(timer),
		chatapp.WithServiceConfig(func(c *service.Config) { c.RatePerWindow = 1 << 30; c.ReadsPerWindow = 1 << 30 }),
	)
	if err != nil {
		b.Fatal(err)
	}
	return a, meter, roomID, timer
}
