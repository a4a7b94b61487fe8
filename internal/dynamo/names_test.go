package dynamo_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

func claimKey(name string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "CHANNAME#" + name},
		"sk": &types.AttributeValueMemberS{Value: "CLAIM"},
	}
}

// claimHolder reads the raw claim item of a lowercased name: the room id
// holding it, "" if there is none.
func claimHolder(t *testing.T, s *dynamo.Store, client *dynamodb.Client, name string) string {
	t.Helper()
	out, err := client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(s.TableName()), Key: claimKey(name), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("raw get claim %s: %v", name, err)
	}
	id, _ := out.Item["roomId"].(*types.AttributeValueMemberS)
	if id == nil {
		return ""
	}
	return id.Value
}

func dropClaim(t *testing.T, s *dynamo.Store, client *dynamodb.Client, name string) {
	t.Helper()
	_, err := client.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String(s.TableName()), Key: claimKey(name)})
	if err != nil {
		t.Fatalf("raw delete claim %s: %v", name, err)
	}
}

func TestNameClaimItems(t *testing.T) {
	s, client := newStore(t)
	ctx := context.Background()
	mustCreateRoom(t, s, testRoom("c1", chat.KindPrivate, "Ops"), "u1")
	mustCreateRoom(t, s, testRoom("d1", chat.KindDirect, "ops2"), "u1")
	if got := claimHolder(t, s, client, "ops"); got != "c1" {
		t.Errorf("claim of ops held by %q, want c1 (lowercased key)", got)
	}
	if got := claimHolder(t, s, client, "ops2"); got != "" {
		t.Errorf("a direct room claimed its name (held by %q)", got)
	}
	name := "deploys"
	if _, err := s.UpdateRoom(ctx, "c1", &name, nil); err != nil {
		t.Fatal(err)
	}
	if old, renamed := claimHolder(t, s, client, "ops"), claimHolder(t, s, client, "deploys"); old != "" || renamed != "c1" {
		t.Errorf("after rename: ops held by %q, deploys by %q; want none and c1", old, renamed)
	}
}

// Rooms written before name claims existed have none, and may share a
// name; renaming them must work and must not take another room's claim.
func TestRenameToleratesRoomsWithoutClaims(t *testing.T) {
	s, client := newStore(t)
	ctx := context.Background()
	mustCreateRoom(t, s, testRoom("old", chat.KindPublic, "dup"), "u1")
	dropClaim(t, s, client, "dup")
	mustCreateRoom(t, s, testRoom("new", chat.KindPublic, "dup"), "u1") // claims dup

	name := "fresh"
	got, err := s.UpdateRoom(ctx, "old", &name, nil)
	if err != nil || got.Name != "fresh" {
		t.Fatalf("rename of a room whose name another room claims = %+v, %v", got, err)
	}
	if holder := claimHolder(t, s, client, "dup"); holder != "new" {
		t.Errorf("claim of dup held by %q after the rename, want new", holder)
	}
	dropClaim(t, s, client, "fresh")
	name = "fresher"
	if _, err := s.UpdateRoom(ctx, "old", &name, nil); err != nil {
		t.Errorf("rename of a room without a claim: %v", err)
	}
	if holder := claimHolder(t, s, client, "fresher"); holder != "old" {
		t.Errorf("claim of fresher held by %q, want old", holder)
	}
}
