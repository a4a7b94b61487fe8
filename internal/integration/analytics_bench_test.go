package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/backchannel-chat/backchannel/internal/analytics"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

// BenchmarkAnalyticsCost measures what usage analytics adds per message:
// the consumer (internal/analytics over the real store on DynamoDB Local)
// takes batches of message-INSERT stream records (the captured record of
// internal/analytics/testdata, one sender per room and message), as the
// stream function would after its other consumers. Per message it
// reports real-pricing write and read units (TransactWriteItems doubled:
// DynamoDB Local meters a transactional write at half); ns/op is one
// batch (the Lambda's time for it, mostly DynamoDB round trips).
//
//	go run ./scripts/testenv -- go test -run '^$' -bench AnalyticsCost -benchtime 30x ./internal/integration/
func BenchmarkAnalyticsCost(b *testing.B) {
	raw, err := os.ReadFile("../analytics/testdata/day.json")
	if err != nil {
		b.Fatal(err)
	}
	var day events.DynamoDBEvent
	if err := json.Unmarshal(raw, &day); err != nil {
		b.Fatal(err)
	}
	var tmpl events.DynamoDBEventRecord
	for _, r := range day.Records {
		if f, ok, _ := dynamo.DecodeAnalyticsRecord(r); ok && f.Kind == analytics.Message && f.Files == 0 {
			tmpl = r
		}
	}
	for _, tc := range []struct{ batch, rooms, senders int }{{1, 1, 1}, {10, 1, 3}, {100, 5, 20}} {
		b.Run(fmt.Sprintf("batch-%d-rooms-%d", tc.batch, tc.rooms), func(b *testing.B) {
			awsCfg := testenv.AWSConfig(b)
			table := testenv.NewTable(b, awsCfg)
			meter := &capacityMeter{byOp: map[string]int{}}
			store, err := dynamo.New(dynamodb.NewFromConfig(awsCfg), table, dynamo.WithCapacityRecorder(meter.record))
			if err != nil {
				b.Fatal(err)
			}
			c := &analytics.Consumer{Store: store, Decode: dynamo.DecodeAnalyticsRecord}
			seq, msgs := 0, 0
			var items, rooms int // what real DynamoDB bills, item by item
			for b.Loop() {
				recs := make([]events.DynamoDBEventRecord, tc.batch)
				for i := range recs {
					seq++
					recs[i] = withRoomSender(b, tmpl, fmt.Sprintf("room-%d", i%tc.rooms), fmt.Sprintf("user-%d", seq%tc.senders), seq)
				}
				if n, err := c.ConsumeRecords(context.Background(), recs); err != nil || n != len(recs) {
					b.Fatalf("%d, %v", n, err)
				}
				var facts []analytics.Fact
				for _, r := range recs {
					f, _, _ := dynamo.DecodeAnalyticsRecord(r)
					facts = append(facts, f)
				}
				d := analytics.Aggregate(facts, nil)
				items += 2 + d.Items() // the run's two markers and its aggregates, each under 1 KB
				rooms += len(d.Rooms)
				msgs += len(recs)
			}
			report(b, meter, msgs) // per message, as DynamoDB Local meters it
			// Real DynamoDB: a transactional write is 2 WCU per KB of each
			// item; the member counts are an eventually consistent
			// BatchGetItem, 0.5 RCU a room. (DynamoDB Local reports one
			// figure per transaction, not per item: the model is the bill.)
			b.ReportMetric(float64(2*items)/float64(msgs), "billed-wcu/msg")
			b.ReportMetric(float64(rooms)/2/float64(msgs), "billed-rcu/msg")
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/batch")
		})
	}
}

// withRoomSender is the template record for another room, sender and
// sequence number (a deep copy through JSON).
func withRoomSender(b *testing.B, tmpl events.DynamoDBEventRecord, room, sender string, seq int) events.DynamoDBEventRecord {
	raw, err := json.Marshal(tmpl)
	if err != nil {
		b.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		b.Fatal(err)
	}
	ddb := m["dynamodb"].(map[string]any)
	img := ddb["NewImage"].(map[string]any)
	img["roomId"] = map[string]any{"S": room}
	img["senderId"] = map[string]any{"S": sender}
	ddb["SequenceNumber"] = fmt.Sprintf("%021d", seq)
	raw, _ = json.Marshal(m)
	var out events.DynamoDBEventRecord
	if err := json.Unmarshal(raw, &out); err != nil {
		b.Fatal(err)
	}
	return out
}
