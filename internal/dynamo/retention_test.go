package dynamo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/search"
)

// TestRetentionOnDynamoDBLocal: the expiry is stored as ttl on the message
// and its idempotency item, reads leave out what is past it (with the
// store's clock), the re-stamp moves it, and the settings round-trip.
func TestRetentionOnDynamoDBLocal(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clock := now
	s, client := newStore(t, dynamo.WithClock(func() time.Time { return clock }))
	ctx := context.Background()
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), "u1")

	if _, found, err := s.GetWorkspaceSettings(ctx); err != nil || found {
		t.Fatalf("settings before any: found=%v, %v", found, err)
	}
	if err := s.PutWorkspaceSettings(ctx, chat.WorkspaceSettings{RetentionDays: 30, UpdatedBy: "u1", UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if ws, found, err := s.GetWorkspaceSettings(ctx); err != nil || !found || ws.RetentionDays != 30 || ws.UpdatedBy != "u1" {
		t.Fatalf("settings = %+v, %v, %v", ws, found, err)
	}
	day := 1
	room, err := s.SetRoomRetention(ctx, "r1", &day)
	if err != nil || room.RetentionDays == nil || *room.RetentionDays != 1 {
		t.Fatalf("SetRoomRetention = %+v, %v", room, err)
	}
	if got, _ := s.GetRoom(ctx, "r1"); got.RetentionDays == nil || *got.RetentionDays != 1 {
		t.Errorf("GetRoom retention = %v", got.RetentionDays)
	}
	if _, err := s.SetRoomRetention(ctx, "nope", nil); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("unknown room: %v", err)
	}

	m, _, err := s.AppendMessage(ctx, chat.Message{RoomID: "r1", SenderID: "u1", ClientID: "c1", Text: "short lived", CreatedAt: now, ExpiresAt: chat.MessageExpiry(now, 1)})
	if err != nil {
		t.Fatal(err)
	}
	keep, _, err := s.AppendMessage(ctx, chat.Message{RoomID: "r1", SenderID: "u1", ClientID: "c2", Text: "kept", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	ttlOf := func(sk string) string {
		out, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.TableName()), Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "MSG#r1"}, "sk": &types.AttributeValueMemberS{Value: sk}}})
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := out.Item["ttl"].(*types.AttributeValueMemberN); ok {
			return v.Value
		}
		return ""
	}
	want := fmt.Sprint(now.Add(24 * time.Hour).Unix())
	if got := ttlOf(fmt.Sprintf("%020d", m.Seq)); got != want {
		t.Errorf("message ttl %q, want %q", got, want)
	}
	if got := ttlOf("CLIENT#u1#c1"); got != want {
		t.Errorf("idempotency ttl %q, want %q", got, want)
	}
	if got := ttlOf(fmt.Sprintf("%020d", keep.Seq)); got != "" {
		t.Errorf("a message kept forever has ttl %q", got)
	}

	// A day and a second later: gone from every read, still stored.
	clock = now.Add(24*time.Hour + time.Second)
	if _, err := s.GetMessage(ctx, "r1", m.Seq); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("GetMessage of an expired message: %v", err)
	}
	before, _, _ := s.MessagesBefore(ctx, "r1", 0, 50)
	after, _, _ := s.MessagesAfter(ctx, "r1", 0, 50)
	got, _ := s.GetMessages(ctx, "r1", []int64{m.Seq, keep.Seq})
	found, _ := s.Messages(ctx, []search.MessageKey{{RoomID: "r1", Seq: m.Seq}, {RoomID: "r1", Seq: keep.Seq}})
	for name, ms := range map[string][]chat.Message{"MessagesBefore": before, "MessagesAfter": after, "GetMessages": got, "Messages": found} {
		if len(ms) != 1 || ms[0].Seq != keep.Seq {
			t.Errorf("%s = %v, want only %d", name, seqs(ms), keep.Seq)
		}
	}
	if ttlOf(fmt.Sprintf("%020d", m.Seq)) == "" {
		t.Error("the expired item is gone: only TTL (or the local sweep) deletes")
	}

	// Re-stamp under 30 days: the expired one is back, the kept one expires.
	last, more, err := s.RestampMessages(ctx, "r1", 30, 0, 100)
	if err != nil || more || last != keep.Seq {
		t.Fatalf("RestampMessages = %d, %v, %v", last, more, err)
	}
	want30 := fmt.Sprint(now.Add(30 * 24 * time.Hour).Unix())
	for _, sk := range []string{fmt.Sprintf("%020d", m.Seq), fmt.Sprintf("%020d", keep.Seq), "CLIENT#u1#c1", "CLIENT#u1#c2"} {
		if got := ttlOf(sk); got != want30 {
			t.Errorf("%s ttl after the re-stamp %q, want %q", sk, got, want30)
		}
	}
	if _, err := s.GetMessage(ctx, "r1", m.Seq); err != nil {
		t.Errorf("after the re-stamp: %v", err)
	}
	if err := s.ContinueRestamp(ctx, "r1", 7); err != nil {
		t.Fatal(err)
	}
}

// TestDecodeTTLRemoval: DynamoDB's TTL removal of a message is a
// message.deleted naming its files (for the sweeper) and its text (for
// the index); of anything else, nothing. A retention change of a room, or
// a re-stamp continuation, is the re-stamp's cue.
func TestDecodeTTLRemoval(t *testing.T) {
	ttl := &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"}
	msg := events.DynamoDBEventRecord{EventID: "e1", EventName: "REMOVE", UserIdentity: ttl}
	msg.Change.Keys = map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute("MSG#r1"), "sk": events.NewStringAttribute("00000000000000000007")}
	msg.Change.OldImage = map[string]events.DynamoDBAttributeValue{
		"pk": events.NewStringAttribute("MSG#r1"), "sk": events.NewStringAttribute("00000000000000000007"),
		"roomId": events.NewStringAttribute("r1"), "seq": events.NewNumberAttribute("7"), "senderId": events.NewStringAttribute("u1"),
		"text": events.NewStringAttribute("old words"), "createdAt": events.NewStringAttribute("2026-11-01T12:00:00Z"),
		"ttl": events.NewNumberAttribute("1764590400"),
		"attachments": events.NewListAttribute([]events.DynamoDBAttributeValue{events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{
			"key": events.NewStringAttribute("rooms/r1/u1/abc/a.txt"), "name": events.NewStringAttribute("a.txt"),
			"size": events.NewNumberAttribute("3"), "type": events.NewStringAttribute("text/plain"),
		})}),
	}
	evs, err := dynamo.DecodeStreamRecord(msg)
	if err != nil || len(evs) != 1 {
		t.Fatalf("decode: %v, %v", evs, err)
	}
	md, ok := evs[0].(chat.MessageDeleted)
	if !ok || md.Message.Seq != 7 || len(md.Files) != 1 || md.Files[0] != "rooms/r1/u1/abc/a.txt" || md.Previous.Text != "old words" || md.Actor.UserID != "" {
		t.Errorf("event = %+v", evs[0])
	}
	conn := events.DynamoDBEventRecord{EventID: "e2", EventName: "REMOVE", UserIdentity: ttl}
	conn.Change.Keys = map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute("CONN#c1"), "sk": events.NewStringAttribute("META")}
	if evs, err := dynamo.DecodeStreamRecord(conn); err != nil || len(evs) != 0 {
		t.Errorf("a connection's expiry: %v, %v", evs, err)
	}

	// The room's retention changed: the cue, from the start.
	rec := deletedRoomRecord("c1", "9", 0)
	rec.Change.OldImage = copyImage(rec.Change.OldImage)
	rec.Change.NewImage = copyImage(rec.Change.OldImage)
	rec.Change.NewImage["ret"] = events.NewNumberAttribute("30")
	evs, err = dynamo.DecodeStreamRecord(rec)
	if err != nil || len(evs) != 1 || evs[0] != (chat.RoomRestamp{RoomID: "c1"}) {
		t.Errorf("retention change: %v, %v", evs, err)
	}
	// A continuation: from where the last pass stopped.
	rec.Change.OldImage = copyImage(rec.Change.NewImage)
	rec.Change.NewImage = copyImage(rec.Change.NewImage)
	rec.Change.NewImage["rsp"], rec.Change.NewImage["rsf"] = events.NewNumberAttribute("1"), events.NewNumberAttribute("200")
	evs, err = dynamo.DecodeStreamRecord(rec)
	if err != nil || len(evs) != 1 || evs[0] != (chat.RoomRestamp{RoomID: "c1", From: 200, Pass: 1}) {
		t.Errorf("continuation: %v, %v", evs, err)
	}
}

func copyImage(m map[string]events.DynamoDBAttributeValue) map[string]events.DynamoDBAttributeValue {
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
