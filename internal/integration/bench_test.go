package integration

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/inprocess"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// countingPoster is the fan-out's poster for benchmarks: it delivers
// nowhere and counts, so the numbers are the handler's and DynamoDB's, not
// API Gateway's.
type countingPoster struct{ posts atomic.Int64 }

var _ chat.Poster = (*countingPoster)(nil)

func (p *countingPoster) Post(context.Context, string, []byte) error {
	p.posts.Add(1)
	return nil
}

// capacityMeter adds up what the store's capacity recorder reports.
// It also adds them up as real DynamoDB bills them: read units apart from
// write units, and a transactional write at twice what DynamoDB Local
// reports (real DynamoDB bills 2 WCU per KB per item of a
// TransactWriteItems; DynamoDB Local reports 1).
type capacityMeter struct {
	mu       sync.Mutex
	reqs     int
	units    float64
	rcu, wcu float64 // real-pricing read and write units
	byOp     map[string]int
}

func (m *capacityMeter) record(op string, units float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reqs++
	m.units += units
	m.byOp[op]++
	api := op[strings.LastIndexByte(op, ':')+1:]
	switch api {
	case "GetItem", "Query", "BatchGetItem", "Scan":
		m.rcu += units
	case "TransactGetItems":
		m.rcu += 2 * units
	case "TransactWriteItems":
		m.wcu += 2 * units
	default:
		m.wcu += units
	}
}

func (m *capacityMeter) reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reqs, m.units, m.rcu, m.wcu, m.byOp = 0, 0, 0, 0, map[string]int{}
}

// BenchmarkSendMessage measures one sendMessage through the real actions
// handler, service and DynamoDB store (DynamoDB Local) into rooms of 10,
// 100 and 1,000 online members, fanning out to a no-op poster. Besides
// time and -benchmem's allocations it reports, per message: DynamoDB
// requests (from the store's capacity recorder, and HTTP attempts counted
// by an SDK middleware), consumed capacity units, fan-out posts, and the
// CPU time of this process (handler, SDK and JSON; DynamoDB Local is
// another process). Wall time here is dominated by DynamoDB Local on a
// shared machine: read the request counts and CPU, not ns/op.
//
//	go run ./scripts/testenv -- go test -run '^$' -bench SendMessage -benchmem ./internal/integration/
//
// With mention=true every message mentions one member ("@u-7").
func BenchmarkSendMessage(b *testing.B) {
	for _, members := range []int{10, 100, 1000} {
		for _, mention := range []bool{false, true} {
			b.Run(fmt.Sprintf("members=%d/mention=%v", members, mention), func(b *testing.B) { benchSend(b, members, mention) })
		}
	}
}

func benchSend(b *testing.B, members int, mention bool) {
	awsCfg := testenv.AWSConfig(b)
	var httpAttempts atomic.Int64
	awsCfg.APIOptions = append(slices.Clone(awsCfg.APIOptions), func(stack *middleware.Stack) error {
		// After the retry middleware: one count per HTTP attempt.
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("benchCountAttempts",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				httpAttempts.Add(1)
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	})
	table := testenv.NewTable(b, awsCfg)
	roomID := seedRoom(b, awsCfg.Copy(), table, members)

	meter := &capacityMeter{byOp: map[string]int{}}
	poster := &countingPoster{}
	cfg := app.Config{
		TableName:   table,
		CallbackURL: "http://127.0.0.1:9/unused", // the poster replaces the management API
		Cognito:     app.CognitoConfig{Issuer: "http://127.0.0.1:9/unused", ClientID: "unused"},
	}
	a, err := inprocess.Build(context.Background(), cfg,
		chatapp.WithAWSConfig(awsCfg),
		chatapp.WithPoster(poster),
		chatapp.WithStoreOptions(dynamo.WithCapacityRecorder(meter.record)),
		chatapp.WithLogger(slog.New(slog.DiscardHandler)),
		chatapp.WithMetrics(io.Discard), // EMF lines are still built, as in Lambda
		chatapp.WithServiceConfig(func(c *service.Config) { c.RatePerWindow = 1 << 30 }),
	)
	if err != nil {
		b.Fatal(err)
	}
	send := func(i int) {
		req := sendEvent(roomID, i, mention)
		resp, err := a.Actions.Handle(context.Background(), req)
		if err != nil || !strings.HasPrefix(resp.Body, `{"type":"ack"`) {
			b.Fatalf("send %d: %v %s", i, err, resp.Body)
		}
	}
	send(-1) // warm up: connections to DynamoDB Local, caches

	meter.reset()
	httpAttempts.Store(0)
	poster.posts.Store(0)
	n := 0
	cpu0 := cpuTime()
	for b.Loop() {
		send(n)
		n++
	}
	cpu := cpuTime() - cpu0

	if want := int64(n * (members - 1)); poster.posts.Load() != want {
		b.Fatalf("%d posts for %d messages, want %d (every other member once)", poster.posts.Load(), n, want)
	}
	b.ReportMetric(float64(meter.reqs)/float64(n), "ddb-req/op")
	b.ReportMetric(float64(httpAttempts.Load())/float64(n), "ddb-http/op")
	b.ReportMetric(meter.units/float64(n), "ddb-cu/op")
	b.ReportMetric(meter.rcu/float64(n), "real-rcu/op")
	b.ReportMetric(meter.wcu/float64(n), "real-wcu/op")
	b.ReportMetric(float64(poster.posts.Load())/float64(n), "posts/op")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/op")
	b.Logf("members=%d, %d messages; DynamoDB requests per message: %s", members, n, meter.perOp(n))
}

// seedRoom writes a public room with members users, each with one live
// connection indexed in the room, straight through the store (the
// handlers would broadcast every join to the room: quadratic set-up).
// User 0 is the sender, on connection "conn-0".
func seedRoom(b *testing.B, awsCfg aws.Config, table string, members int) string {
	b.Helper()
	ctx := context.Background()
	store, err := dynamo.New(dynamodb.NewFromConfig(awsCfg), table)
	if err != nil {
		b.Fatal(err)
	}
	const roomID = "c_bench"
	now := time.Now()
	sender := chat.Profile{UserID: "u-0", Username: "u-0", DisplayName: "Sender", AvatarColor: "#4db6ac", CreatedAt: now}
	if _, _, err := store.EnsureProfile(ctx, sender); err != nil {
		b.Fatal(err)
	}
	room := chat.Room{ID: roomID, Kind: chat.KindPublic, Name: "bench", CreatedBy: "u-0", CreatedAt: now, MemberCount: 1}
	if err := store.CreateRoom(ctx, room, []chat.Member{{RoomID: roomID, UserID: "u-0", Role: chat.RoleOwner, JoinedAt: now}}); err != nil {
		b.Fatal(err)
	}
	// A few writers at a time: DynamoDB Local serializes anyway.
	var (
		wg       sync.WaitGroup
		firstErr atomic.Pointer[error]
		next     atomic.Int64
	)
	for range 8 {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < members; i = int(next.Add(1)) - 1 {
				uid := fmt.Sprintf("u-%d", i)
				if i > 0 {
					p := chat.Profile{UserID: uid, Username: uid, DisplayName: "User " + uid, AvatarColor: "#4db6ac", CreatedAt: now}
					if _, _, err := store.EnsureProfile(ctx, p); err != nil {
						firstErr.CompareAndSwap(nil, &err)
						return
					}
					if err := store.AddMember(ctx, chat.Member{RoomID: roomID, UserID: uid, Role: chat.RoleMember, JoinedAt: now}); err != nil {
						firstErr.CompareAndSwap(nil, &err)
						return
					}
				}
				c := chat.Connection{
					ID: fmt.Sprintf("conn-%d", i), Identity: chat.Identity{UserID: uid, Username: uid, DisplayName: uid},
					ConnectedAt: now, ExpiresAt: now.Add(3 * time.Hour),
				}
				if err := store.PutConnection(ctx, c, []string{roomID}); err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	if p := firstErr.Load(); p != nil {
		b.Fatalf("seed: %v", *p)
	}
	rcs, err := store.RoomConnections(ctx, roomID)
	if err != nil || len(rcs) != members {
		b.Fatalf("seeded %d room connections (%v), want %d", len(rcs), err, members)
	}
	return roomID
}

// sendEvent is the MESSAGE event of one sendMessage from conn-0.
func sendEvent(roomID string, i int, mention bool) events.APIGatewayWebsocketProxyRequest {
	now := time.Now()
	text := fmt.Sprintf("benchmark message number %d, a typical short chat line", i)
	if mention {
		text = fmt.Sprintf("benchmark message number %d for @u-7, a typical short chat line", i)
	}
	return events.APIGatewayWebsocketProxyRequest{
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{
			RouteKey: "sendMessage", EventType: "MESSAGE", MessageDirection: "IN", Stage: "bench",
			RequestID: fmt.Sprintf("bench-%d", i), ConnectionID: "conn-0", ConnectedAt: now.UnixMilli(),
			RequestTimeEpoch: now.UnixMilli(),
		},
		Body: fmt.Sprintf(`{"action":"sendMessage","requestId":"r-%d","roomId":%q,"clientId":"bench-%d","text":%q}`, i, roomID, i, text),
	}
}

// cpuTime is the user plus system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
