package dynamo_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

// The integration tests run against DynamoDB Local under scripts/testenv
// (CHAT_INTEGRATION=1) and are skipped otherwise.

// newStore returns a Store over a fresh table, and the raw client to
// inspect stored items with.
func newStore(t *testing.T, opts ...dynamo.Option) (*dynamo.Store, *dynamodb.Client) {
	t.Helper()
	cfg := testenv.AWSConfig(t)
	client := dynamodb.NewFromConfig(cfg)
	s, err := dynamo.New(client, testenv.NewTable(t, cfg), opts...)
	if err != nil {
		t.Fatalf("new store: %v", err)
	}
	return s, client
}
