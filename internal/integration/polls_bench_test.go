package integration

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/inprocess"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// BenchmarkPollCost measures, at real DynamoDB prices and in the style of
// BenchmarkConversationCost (the real actions handler, service and store on
// DynamoDB Local, a room of 10 online members), what a poll costs:
//
//	go run ./scripts/testenv -- go test -run '^$' -bench PollCost -benchtime 20x ./internal/integration/
//
// create: one op sends a 3-option poll. vote: one op is conn-0's vote,
// alternating between two options, so every op is a change, on a poll
// with no other voters. vote-500-voters: the same on a poll 500 others
// voted on first (the votes are in the message item, which a vote writes
// whole: its size in WCU).
func BenchmarkPollCost(b *testing.B) {
	b.Run("create", func(b *testing.B) {
		a, meter, roomID, _ := pollApp(b)
		meter.reset()
		n := 0
		for b.Loop() {
			call(b, a, "createPoll", fmt.Sprintf(`{"action":"createPoll","roomId":%q,"clientId":"p-%d","question":"Lunch on Friday?","options":["Pizza","Sushi","Tacos"]}`, roomID, n), `"ack"`)
			n++
		}
		report(b, meter, n)
	})
	for _, others := range []int{0, 500} {
		name := "vote"
		if others > 0 {
			name = fmt.Sprintf("vote-%d-voters", others)
		}
		b.Run(name, func(b *testing.B) {
			a, meter, roomID, store := pollApp(b)
			call(b, a, "createPoll", fmt.Sprintf(`{"action":"createPoll","roomId":%q,"clientId":"p-1","question":"Lunch on Friday?","options":["Pizza","Sushi","Tacos"]}`, roomID), `"ack"`)
			seq := lastSeq(b, a, roomID)
			for i := range others {
				if _, err := store.Vote(context.Background(), roomID, seq, fmt.Sprintf("voter-%04d-7d2f0c1e-5b3a-4e8f", i), []int{i % 3}); err != nil {
					b.Fatal(err)
				}
			}
			meter.reset()
			n := 0
			for b.Loop() {
				call(b, a, "vote", fmt.Sprintf(`{"action":"vote","roomId":%q,"seq":%d,"options":[%d]}`, roomID, seq, n%2), `"chg":`)
				n++
			}
			report(b, meter, n)
		})
	}
}

// pollApp is conversationApp that also gives the store over the table.
func pollApp(b *testing.B) (*inprocess.App, *capacityMeter, string, *dynamo.Store) {
	awsCfg := testenv.AWSConfig(b)
	table := testenv.NewTable(b, awsCfg)
	roomID := seedRoom(b, awsCfg.Copy(), table, 10)
	meter := &capacityMeter{byOp: map[string]int{}}
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
		chatapp.WithServiceConfig(func(c *service.Config) { c.RatePerWindow = 1 << 30; c.ReadsPerWindow = 1 << 30 }),
	)
	if err != nil {
		b.Fatal(err)
	}
	store, err := dynamo.New(dynamodb.NewFromConfig(awsCfg), table)
	if err != nil {
		b.Fatal(err)
	}
	return a, meter, roomID, store
}
