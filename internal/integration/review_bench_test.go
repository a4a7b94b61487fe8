package integration

import (
	"fmt"
	"testing"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/inprocess"
	"github.com/backchannel-chat/backchannel/internal/local/locallambda"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/reviewhook/mask"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// BenchmarkReviewHookSend: a sendMessage (10 online members) on DynamoDB
// Local without a review hook, and with the example hook
// (internal/reviewhook/mask) invoked through the real SDK client and the
// Lambda stand-in over a loopback socket: the difference is the hook's
// added latency here (the SDK's request signing and HTTP round trip plus
// the handler), without Lambda's own network hop. The DynamoDB requests and
// units per send are the same (the hook writes nothing).
//
//	go run ./scripts/testenv -- go test -run '^$' -bench ReviewHookSend -benchtime 200x ./internal/integration/
func BenchmarkReviewHookSend(b *testing.B) {
	for _, hook := range []bool{false, true} {
		name := "off"
		if hook {
			name = "example"
		}
		b.Run(name, func(b *testing.B) {
			a, meter, roomID, fn := reviewBenchApp(b, hook)
			meter.reset()
			n := 0
			for b.Loop() {
				n++
				call(b, a, "sendMessage", fmt.Sprintf(`{"action":"sendMessage","roomId":%q,"clientId":"rv-%d","text":"the invoice goes to billing@example.com, card 4111 1111 1111 1111"}`, roomID, n), `"ack"`)
			}
			report(b, meter, n)
			if hook && fn.Calls("review") != n {
				b.Fatalf("hook invoked %d times for %d sends", fn.Calls("review"), n)
			}
		})
	}
}

func reviewBenchApp(b *testing.B, hook bool) (*inprocess.App, *capacityMeter, string, *locallambda.Server) {
	var fn *locallambda.Server
	if hook {
		fn = testenv.NewLambda(b)
		fn.Register("review", locallambda.Function{Handler: awslambda.NewHandler(mask.Handle), Timeout: 3 * time.Second})
	}
	awsCfg := testenv.AWSConfig(b)
	table := testenv.NewTable(b, awsCfg)
	roomID := seedRoom(b, awsCfg.Copy(), table, 10)
	cfg := benchConfig(table)
	if hook {
		cfg.Review = app.ReviewSettings{Function: "review"}
	}
	a, meter := benchApp(b, awsCfg, cfg, &countingPoster{}, func(c *service.Config) { c.RatePerWindow = 1 << 30; c.ReadsPerWindow = 1 << 30 })
	return a, meter, roomID, fn
}
