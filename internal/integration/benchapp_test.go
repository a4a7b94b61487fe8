package integration

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/inprocess"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// benchConfig is the in-process chat's configuration over table for a
// benchmark: no token verification or callbacks reach anything.
func benchConfig(table string) app.Config {
	return app.Config{
		TableName:   table,
		CallbackURL: "http://127.0.0.1:9/unused",
		Cognito:     app.CognitoConfig{Issuer: "http://127.0.0.1:9/unused", ClientID: "unused"},
	}
}

// benchApp builds the in-process handlers from cfg for a benchmark: the
// store metered (the meter it answers), the fan-out posting to poster, no
// logs or metrics; tune sets the service's limits (out of the way).
func benchApp(b *testing.B, awsCfg aws.Config, cfg app.Config, poster chat.Poster, tune func(*service.Config)) (*inprocess.App, *capacityMeter) {
	b.Helper()
	meter := &capacityMeter{byOp: map[string]int{}}
	a, err := inprocess.Build(context.Background(), cfg,
		chatapp.WithAWSConfig(awsCfg),
		chatapp.WithPoster(poster),
		chatapp.WithStoreOptions(dynamo.WithCapacityRecorder(meter.record)),
		chatapp.WithLogger(slog.New(slog.DiscardHandler)),
		chatapp.WithMetrics(io.Discard),
		chatapp.WithServiceConfig(tune),
	)
	if err != nil {
		b.Fatal(err)
	}
	return a, meter
}

// perOp lists the DynamoDB requests per operation over n operations, by
// store method and request ("AppendMessage:TransactWriteItems=1.00 …").
func (m *capacityMeter) perOp(n int) string {
	var ops []string
	for _, op := range slices.Sorted(maps.Keys(m.byOp)) {
		ops = append(ops, fmt.Sprintf("%s=%.2f", op, float64(m.byOp[op])/float64(n)))
	}
	return strings.Join(ops, " ")
}

// perRoomSize runs bench once per room size, as sub-benchmarks members=N.
func perRoomSize(b *testing.B, sizes []int, bench func(b *testing.B, members int)) {
	for _, members := range sizes {
		b.Run(fmt.Sprintf("members=%d", members), func(b *testing.B) { bench(b, members) })
	}
}

// seededStore makes a fresh table with a room of members (seedRoom) and a
// store over it (not metered): the AWS configuration, table, room and store.
func seededStore(b *testing.B, members int) (aws.Config, string, string, *dynamo.Store) {
	b.Helper()
	awsCfg := testenv.AWSConfig(b)
	table := testenv.NewTable(b, awsCfg)
	roomID := seedRoom(b, awsCfg.Copy(), table, members)
	store, err := dynamo.New(dynamodb.NewFromConfig(awsCfg.Copy()), table)
	if err != nil {
		b.Fatal(err)
	}
	return awsCfg, table, roomID, store
}
