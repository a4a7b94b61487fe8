package integration

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/inprocess"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// BenchmarkGifSendCost: what a GIF message costs to send beside a text
// message of the same room (10 online members), at real-DynamoDB prices:
// the GIF is a map on the message item (URLs of Tenor's length), so the
// send is the same requests and units while the item stays under 1 KB.
//
//	go run ./scripts/testenv -- go test -run '^$' -bench GifSendCost -benchtime 20x ./internal/integration/
func BenchmarkGifSendCost(b *testing.B) {
	const url = "https://media.gifs.test/Xk2nL0bcTLIAAAAC/party-time.gif"
	gif := fmt.Sprintf(`{"url":%q,"width":498,"height":280,"preview":%q,"title":"Party time GIF"}`, url, url[:len(url)-4]+"-tiny.gif")
	for _, tc := range []struct{ name, payload string }{
		{"text", `"text":"ship it? the release notes are in the wiki"`},
		{"gif", `"text":"","gif":` + gif},
	} {
		b.Run(tc.name, func(b *testing.B) {
			a, meter, roomID := gifApp(b)
			meter.reset()
			n := 0
			for b.Loop() {
				n++
				call(b, a, "sendMessage", fmt.Sprintf(`{"action":"sendMessage","roomId":%q,"clientId":"g-%d",%s}`, roomID, n, tc.payload), `"ack"`)
			}
			report(b, meter, n)
		})
	}
}

func gifApp(b *testing.B) (*inprocess.App, *capacityMeter, string) {
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
		chatapp.WithGifs(&chattest.Gifs{}),
		chatapp.WithServiceConfig(func(c *service.Config) { c.RatePerWindow = 1 << 30; c.ReadsPerWindow = 1 << 30 }),
	)
	if err != nil {
		b.Fatal(err)
	}
	return a, meter, roomID
}
