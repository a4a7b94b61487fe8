package dynamo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

func TestAllowCountsPerKeyAndWindow(t *testing.T) {
	now := time.Date(2026, 11, 21, 3, 0, 0, 0, time.UTC)
	s, client := newStore(t, dynamo.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	allow := func(key string) bool {
		t.Helper()
		ok, err := s.Allow(ctx, key, 3, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	got := []bool{allow("send:u1"), allow("send:u1"), allow("send:u1"), allow("send:u1")}
	if fmt.Sprint(got) != "[true true true false]" {
		t.Errorf("4 events with limit 3 = %v", got)
	}
	if !allow("send:u2") {
		t.Error("another key shares the count")
	}
	now = now.Add(59 * time.Second) // same window
	if allow("send:u1") {
		t.Error("allowed in the same window after the limit")
	}
	now = now.Add(time.Second) // next window
	if !allow("send:u1") {
		t.Error("not allowed in a new window")
	}

	// The counter expires a minute after its window ends.
	start := time.Date(2026, 11, 21, 3, 1, 0, 0, time.UTC)
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.TableName()),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "RATE#send:u1"},
			"sk": &types.AttributeValueMemberS{Value: fmt.Sprint(start.UnixMilli())},
		},
	})
	if err != nil || out.Item == nil {
		t.Fatalf("counter item: %v, %v", out, err)
	}
	if ttl, ok := out.Item["ttl"].(*types.AttributeValueMemberN); !ok || ttl.Value != fmt.Sprint(start.Add(2*time.Minute).Unix()) {
		t.Errorf("ttl = %#v, want window end + 60s", out.Item["ttl"])
	}
}
