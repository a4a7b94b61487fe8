package ttlsweep_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/local/ttlsweep"
)

// TestSweepDeletesOnlyExpired: on DynamoDB Local, with a clock of its own,
// the sweep deletes the items whose ttl is past and leaves the rest (no
// ttl, a later one).
func TestSweepDeletesOnlyExpired(t *testing.T) {
	cfg := testenv.AWSConfig(t)
	table := testenv.NewTable(t, cfg)
	db := dynamodb.NewFromConfig(cfg)
	ctx := context.Background()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	put := func(sk string, ttl time.Time) {
		item := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "P"}, "sk": &types.AttributeValueMemberS{Value: sk}}
		if !ttl.IsZero() {
			item["ttl"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(ttl.Unix(), 10)}
		}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	put("expired", now.Add(-time.Hour))
	put("now", now)
	put("later", now.Add(time.Hour))
	put("forever", time.Time{})
	sw := ttlsweep.Sweeper{Client: db, Table: table, Now: func() time.Time { return now }}
	n, err := sw.SweepOnce(ctx)
	if err != nil || n != 2 {
		t.Fatalf("SweepOnce = %d, %v; want 2", n, err)
	}
	out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "P"}}})
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, it := range out.Items {
		left = append(left, it["sk"].(*types.AttributeValueMemberS).Value)
	}
	if len(left) != 2 || left[0] != "forever" || left[1] != "later" {
		t.Errorf("left %v, want [forever later]", left)
	}
}
