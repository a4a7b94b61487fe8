package testenv

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"

	"github.com/backchannel-chat/backchannel/internal/local/streampoll"
)

// StreamsClient is a DynamoDB Streams client of the test environment's
// DynamoDB Local (the streams API shares its endpoint).
func StreamsClient(cfg aws.Config) *dynamodbstreams.Client {
	return dynamodbstreams.NewFromConfig(cfg, func(o *dynamodbstreams.Options) {
		if ep := os.Getenv(EnvEndpointDynamo); ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
	})
}

// StartStreamPoller polls table's stream from its start (TRIM_HORIZON),
// invoking handler as Lambda's event source mapping would, until the test
// ends. pc's Client, StreamARN and Handler are filled in; other fields keep
// the poller's defaults unless set.
func StartStreamPoller(t testing.TB, cfg aws.Config, table string, handler streampoll.Handler, pc streampoll.Config) *streampoll.Poller {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	arn, err := streampoll.StreamARN(ctx, dynamodb.NewFromConfig(cfg), table)
	if err != nil {
		t.Fatal(err)
	}
	pc.Client, pc.StreamARN, pc.Handler = StreamsClient(cfg), arn, handler
	if pc.StartingPosition == "" {
		pc.StartingPosition = streampoll.TrimHorizon
	}
	p, err := streampoll.Start(pc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}
