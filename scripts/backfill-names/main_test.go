package main

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/scripts/internal/backfill"
)

// The command against DynamoDB Local: a profile stored without index items
// (as before the index) gets them; the dry run writes nothing.
func TestBackfillCommand(t *testing.T) {
	cfg := testenv.AWSConfig(t)
	if cfg.Region != "" {
		t.Setenv("AWS_REGION", cfg.Region)
	}
	table := testenv.NewTable(t, cfg)
	client := dynamodb.NewFromConfig(cfg)
	ctx := context.Background()
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"pk": s("USER#u-old"), "sk": s("PROFILE"), "userId": s("u-old"), "username": s("olga"), "displayName": s("Olga Old"),
		"createdAt": s("2026-01-01T00:00:00Z"),
	}}); err != nil {
		t.Fatal(err)
	}
	indexed := func() int {
		t.Helper()
		n := 0
		for _, pk := range []string{"UNAME#olga"} {
			out, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
				Key: map[string]types.AttributeValue{"pk": s(pk), "sk": s("u-old")}})
			if err != nil {
				t.Fatal(err)
			}
			if out.Item != nil {
				n++
			}
		}
		return n
	}
	if err := run(backfill.Flags{Table: table, DryRun: true, Rate: 1000, Page: 10}); err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if n := indexed(); n != 0 {
		t.Fatalf("the dry run wrote %d index items", n)
	}
	if err := run(backfill.Flags{Table: table, DryRun: false, Rate: 1000, Page: 10}); err != nil {
		t.Fatalf("run: %v", err)
	}
	if n := indexed(); n != 1 {
		t.Errorf("%d index items for olga after the run, want 1", n)
	}
	if err := run(backfill.Flags{Table: table, DryRun: false, Rate: 1000, Page: 10}); err != nil {
		t.Fatalf("second run: %v", err)
	}
}
