package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

// A transcript request is a MODIFY of the room's META that bumps trn: the
// decoder makes it the mailer's cue (and nothing else: no room.updated).
func TestDecodeTranscriptRequest(t *testing.T) {
	rec := loadRecords(t, "room-MODIFY.json")[0]
	rec.Change.OldImage = cloneImage(rec.Change.NewImage)
	rec.Change.NewImage = cloneImage(rec.Change.NewImage)
	rec.Change.NewImage["trn"] = events.NewNumberAttribute("1")
	rec.Change.NewImage["trto"] = events.NewStringAttribute("kim@example.org")
	rec.Change.NewImage["trl"] = events.NewStringAttribute("de")
	evs, err := dynamo.DecodeStreamRecord(rec)
	if err != nil || len(evs) != 1 {
		t.Fatalf("decode: %v, %v", evs, err)
	}
	cue, ok := evs[0].(chat.SupportTranscriptRequested)
	if !ok || cue.To != "kim@example.org" || cue.Lang != "de" || cue.N != 1 || cue.RoomID == "" {
		t.Fatalf("event = %#v", evs[0])
	}
	// The mailer removing the address afterwards is no request.
	rec.Change.OldImage = cloneImage(rec.Change.NewImage)
	delete(rec.Change.NewImage, "trto")
	if evs, err := dynamo.DecodeStreamRecord(rec); err != nil || len(evs) != 0 {
		t.Fatalf("clearing the address: %v, %v", evs, err)
	}
}

// On DynamoDB Local: the request counts, keeps the address until the
// mail of that request clears it, and a missing room is not_found.
func TestRequestTranscriptOnDynamoDBLocal(t *testing.T) {
	s, client := newStore(t)
	ctx := context.Background()
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), "u1")
	if n, err := s.RequestTranscript(ctx, "r1", "kim@example.org", "de"); err != nil || n != 1 {
		t.Fatalf("first: %d %v", n, err)
	}
	if n, err := s.RequestTranscript(ctx, "r1", "", "en"); err != nil || n != 2 {
		t.Fatalf("second: %d %v", n, err)
	}
	attr := func(name string) (string, bool) {
		out, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.TableName()), ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ROOM#r1"}, "sk": &types.AttributeValueMemberS{Value: "META"}}})
		if err != nil {
			t.Fatal(err)
		}
		v, ok := out.Item[name].(*types.AttributeValueMemberS)
		if !ok {
			return "", false
		}
		return v.Value, true
	}
	if _, ok := attr("trto"); ok {
		t.Fatal("a request without an address kept the earlier one")
	}
	if _, err := s.RequestTranscript(ctx, "r1", "kim@example.org", "de"); err != nil {
		t.Fatal(err)
	}
	if err := s.ClearTranscriptAddress(ctx, "r1", 2); err != nil { // an older request's mail
		t.Fatal(err)
	}
	if v, ok := attr("trto"); !ok || v != "kim@example.org" {
		t.Fatal("an older request's mail removed the newer address")
	}
	if err := s.ClearTranscriptAddress(ctx, "r1", 3); err != nil {
		t.Fatal(err)
	}
	if _, ok := attr("trto"); ok {
		t.Fatal("the address stayed after its mail")
	}
	if _, err := s.RequestTranscript(ctx, "nope", "", ""); chat.ErrorCode(err) != chat.NotFound {
		t.Fatalf("missing room: %v", err)
	}
}

// Erasing a visitor removes a pending transcript request's address from
// their conversation's room (the mail was not sent yet).
func TestErasureForgetsAPendingTranscriptAddress(t *testing.T) {
	s, client := newStore(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	const vis = "vis_tttttttttttttttttttttttttt"
	conv := chat.SupportConversation{RoomID: "sup_t", Visitor: chat.SupportVisitor{ID: vis, Name: "Kim", Email: "kim@example.org"},
		TeamID: "team_t", State: chat.SupportOpen, Priority: chat.PriorityNormal, Channel: chat.ChannelEmail, CreatedAt: now}
	room := chat.Room{ID: "sup_t", Kind: chat.KindSupport, Name: "support", CreatedBy: vis, CreatedAt: now}
	if err := s.CreateSupportConversation(ctx, room, conv, chat.Member{RoomID: "sup_t", UserID: vis, Role: chat.RoleMember, JoinedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestTranscript(ctx, "sup_t", "kim.private@example.org", "de"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EraseUserItems(ctx, vis, chat.ErasureErase, "", nil); err != nil {
		t.Fatal(err)
	}
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.TableName()), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ROOM#sup_t"}, "sk": &types.AttributeValueMemberS{Value: "META"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := out.Item["trto"]; ok {
		t.Fatal("the transcript's address stayed after the visitor's erasure")
	}
	if _, ok := out.Item["trl"]; ok {
		t.Fatal("the transcript's language stayed")
	}
}
