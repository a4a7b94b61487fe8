package dynamo_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

// The room-connection index is spread over RoomConnShards partitions by
// a hash of the connection id; the fan-out query reads them all.
func TestRoomConnectionsAreShardedAndReadAcrossShards(t *testing.T) {
	s, client := newStore(t)
	ctx := context.Background()
	const n = 200
	var want []string
	perShard := map[string]int{}
	for i := range n {
		id := fmt.Sprintf("L0SM9cOF%03d=", i)
		want = append(want, id)
		perShard[dynamo.RoomConnPK("big", id)]++
	}
	// Half through PutConnection, half through AddRoomConnections.
	for _, id := range want[:n/2] {
		if err := s.PutConnection(ctx, testConn(id, "u-"+id), []string{"big"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddRoomConnections(ctx, "big", "u-late", want[n/2:]); err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	if got := roomConnIDs(t, s, "big"); !slices.Equal(got, want) {
		t.Fatalf("RoomConnections read %d of %d", len(got), len(want))
	}
	if len(perShard) != dynamo.RoomConnShards {
		t.Errorf("%d ids in %d partitions, want %d", n, len(perShard), dynamo.RoomConnShards)
	}
	for pk, count := range perShard {
		out, err := client.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String(s.TableName()), KeyConditionExpression: aws.String("pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
			Select:                    types.SelectCount,
		})
		if err != nil || int(out.Count) != count {
			t.Errorf("partition %s holds %v items, want %d (%v)", pk, out.Count, count, err)
		}
		if count < n/dynamo.RoomConnShards/2 {
			t.Errorf("partition %s holds %d of %d: uneven", pk, count, n)
		}
	}
	// Removing and deleting reach the right partitions.
	if err := s.RemoveRoomConnections(ctx, "big", want[:50]); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteConnection(ctx, testConn(want[50], ""), []string{"big"}); err != nil {
		t.Fatal(err)
	}
	if got := roomConnIDs(t, s, "big"); !slices.Equal(got, want[51:]) {
		t.Errorf("after removing 51: %d left, want %d", len(got), len(want)-51)
	}
}

// Items of the unsharded index (pk ROOMCONN#<roomId>, written before the
// index was sharded) stay readable, are listed once, and are deleted with
// their connection, whatever its shard.
func TestUnshardedRoomConnectionsStillWork(t *testing.T) {
	s, client := newStore(t)
	ctx := context.Background()
	var old string
	for i := 0; old == ""; i++ {
		if id := "old-" + strconv.Itoa(i); dynamo.RoomConnShard(id) != 0 {
			old = id
		}
	}
	ttl := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.TableName()), Item: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "ROOMCONN#general"}, "sk": &types.AttributeValueMemberS{Value: old},
		"userId": &types.AttributeValueMemberS{Value: "u-old"}, "ttl": &types.AttributeValueMemberN{Value: ttl},
	}}); err != nil {
		t.Fatal(err)
	}
	if got := roomConnIDs(t, s, "general"); !slices.Equal(got, []string{old}) {
		t.Fatalf("legacy item read as %v", got)
	}
	// Written again in its shard (a reconnect would do that): listed once.
	if err := s.AddRoomConnections(ctx, "general", "u-old", []string{old}); err != nil {
		t.Fatal(err)
	}
	if got := roomConnIDs(t, s, "general"); !slices.Equal(got, []string{old}) {
		t.Fatalf("legacy + sharded item read as %v", got)
	}
	if err := s.RemoveRoomConnections(ctx, "general", []string{old}); err != nil {
		t.Fatal(err)
	}
	if got := roomConnIDs(t, s, "general"); len(got) != 0 {
		t.Errorf("after removal %v", got)
	}
}
