package streampoll_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/backchannel-chat/backchannel/internal/local/streampoll"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

// TestDynamoDBLocalStream reads a real table's stream in DynamoDB Local:
// writes arrive as Lambda records, and a reported failure is retried from
// that record with the records after it.
func TestDynamoDBLocalStream(t *testing.T) {
	cfg := testenv.AWSConfig(t)
	table := testenv.NewTable(t, cfg)
	second := ""
	r := &recorder{answer: func(call int, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		if call == 1 && len(ev.Records) == 3 {
			second = ev.Records[1].Change.SequenceNumber
			return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{{ItemIdentifier: second}}}, nil
		}
		return events.DynamoDBEventResponse{}, nil
	}}
	testenv.StartStreamPoller(t, cfg, table, r.handle, streampoll.Config{BatchSize: 3, BatchWindow: 5 * time.Second}) // the three writes in one batch
	ddb := dynamodb.NewFromConfig(cfg)
	for i := range 3 {
		_, err := ddb.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: fmt.Sprintf("RATE#k%d", i)}, "sk": &ddbtypes.AttributeValueMemberS{Value: "1"},
			"n": &ddbtypes.AttributeValueMemberN{Value: "1"},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, "the retry", func() bool { return len(r.snapshot()) >= 2 })
	b := r.snapshot()
	if len(b[0]) != 3 || !slices.Equal(b[1], b[0][1:]) || b[1][0] != second {
		t.Errorf("batches %v: want the retry to start at the reported record %s", b, second)
	}
	arn, err := streampoll.StreamARN(context.Background(), ddb, table)
	if err != nil {
		t.Fatal(err)
	}
	rec := r.raw[0].Records[0]
	if rec.EventSourceArn != arn || rec.EventName != "INSERT" || rec.Change.Keys["pk"].String() != "RATE#k0" ||
		rec.Change.NewImage["n"].Number() != "1" || rec.Change.StreamViewType != "NEW_AND_OLD_IMAGES" || rec.EventSource != "aws:dynamodb" {
		t.Errorf("record %+v", rec)
	}
}
