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

// The command against DynamoDB Local: a message stored without postings
// (as before search) gets them; the dry run writes nothing; a second run
// is fine.
func TestBackfillSearchCommand(t *testing.T) {
	cfg := testenv.AWSConfig(t)
	if cfg.Region != "" {
		t.Setenv("AWS_REGION", cfg.Region)
	}
	table := testenv.NewTable(t, cfg)
	client := dynamodb.NewFromConfig(cfg)
	ctx := context.Background()
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"pk": s("MSG#r-old"), "sk": s("00000000000000000007"), "roomId": s("r-old"), "seq": &types.AttributeValueMemberN{Value: "7"},
		"senderId": s("u-old"), "text": s("Grüße aus dem Archiv"), "createdAt": s("2025-01-01T00:00:00Z"),
	}}); err != nil {
		t.Fatal(err)
	}
	posting := func() bool {
		t.Helper()
		out, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{"pk": s("SRCH#r-old"), "sk": s("archiv#00000000000000000007")}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Item != nil
	}
	if err := run(backfill.Flags{Table: table, DryRun: true, Rate: 1000, Page: 10}); err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if posting() {
		t.Fatal("the dry run wrote a posting")
	}
	if err := run(backfill.Flags{Table: table, DryRun: false, Rate: 1000, Page: 10}); err != nil {
		t.Fatalf("run: %v", err)
	}
	if !posting() {
		t.Error("no posting of archiv after the run")
	}
	if err := run(backfill.Flags{Table: table, DryRun: false, Rate: 1000, Page: 10}); err != nil {
		t.Fatalf("second run: %v", err)
	}
}
