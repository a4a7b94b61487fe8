package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

// NewTable creates a fresh, uniquely named chat table (the production
// schema, from dynamo.CreateTable) and deletes it when the test ends.
func NewTable(t testing.TB, cfg aws.Config) string {
	t.Helper()
	name := uniqueName(t, "t-", 255)
	client := dynamodb.NewFromConfig(cfg)
	if err := dynamo.CreateTable(setupContext(t), client, name); err != nil {
		t.Fatalf("create table %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
			t.Errorf("delete table %s: %v", name, err)
		}
	})
	return name
}
