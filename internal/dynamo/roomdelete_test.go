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
	"github.com/backchannel-chat/backchannel/internal/roompurge"
	"github.com/backchannel-chat/backchannel/internal/stream"
)

// deletedRoomRecord is the stream record of DeleteRoom's mark: the META
// item of roomID from not deleted to deleted (by "u-adm"), and the record
// of a purge continuation (purgePass 0 -> pass).
func deletedRoomRecord(roomID string, seq string, pass int) events.DynamoDBEventRecord {
	img := func(deleted bool, pass int) map[string]events.DynamoDBAttributeValue {
		m := map[string]events.DynamoDBAttributeValue{
			"pk": events.NewStringAttribute("ROOM#" + roomID), "sk": events.NewStringAttribute("META"),
			"roomId": events.NewStringAttribute(roomID), "kind": events.NewStringAttribute("public"),
			"name": events.NewStringAttribute("doomed"), "createdBy": events.NewStringAttribute("u1"),
			"createdAt": events.NewStringAttribute("2026-11-29T12:00:00Z"), "memberCount": events.NewNumberAttribute("2"),
		}
		if deleted {
			m["deleted"] = events.NewBooleanAttribute(true)
			m["deletedBy"] = events.NewStringAttribute("u-adm")
			m["deletedAt"] = events.NewStringAttribute("2026-11-29T15:00:00Z")
		}
		if pass > 0 {
			m["purgePass"] = events.NewNumberAttribute(fmt.Sprint(pass))
		}
		return m
	}
	rec := events.DynamoDBEventRecord{EventID: "e-" + seq, EventName: "MODIFY"}
	rec.Change.SequenceNumber = seq
	rec.Change.Keys = map[string]events.DynamoDBAttributeValue{
		"pk": events.NewStringAttribute("ROOM#" + roomID), "sk": events.NewStringAttribute("META"),
	}
	if pass == 0 {
		rec.Change.OldImage, rec.Change.NewImage = img(false, 0), img(true, 0)
	} else {
		rec.Change.OldImage, rec.Change.NewImage = img(true, pass-1), img(true, pass)
	}
	return rec
}

func TestDecodeRoomDeleted(t *testing.T) {
	evs, err := dynamo.DecodeStreamRecord(deletedRoomRecord("c1", "1", 0))
	if err != nil || len(evs) != 1 {
		t.Fatalf("decode: %v, %v", evs, err)
	}
	rd, ok := evs[0].(chat.RoomDeleted)
	if !ok || rd.Room.ID != "c1" || rd.Room.Name != "doomed" || rd.Actor.UserID != "u-adm" || !rd.At.Equal(time.Date(2026, 11, 29, 15, 0, 0, 0, time.UTC)) {
		t.Errorf("event = %#v", evs[0])
	}
	evs, err = dynamo.DecodeStreamRecord(deletedRoomRecord("c1", "2", 3))
	if err != nil || len(evs) != 1 || evs[0] != (chat.RoomPurgeContinued{RoomID: "c1", Pass: 3}) {
		t.Errorf("continuation: %#v, %v", evs, err)
	}
	// A deleted room's META changing otherwise (a member count) is nothing.
	rec := deletedRoomRecord("c1", "3", 3)
	rec.Change.OldImage["purgePass"] = events.NewNumberAttribute("3")
	rec.Change.NewImage["memberCount"] = events.NewNumberAttribute("1")
	if evs, err := dynamo.DecodeStreamRecord(rec); err != nil || len(evs) != 0 {
		t.Errorf("deleted room's other change: %v, %v", evs, err)
	}
}

// roomItems counts every item stored under roomID: its messages and
// idempotency items, fan-out index shards and room partition (META
// included), and its name claim.
func roomItems(t *testing.T, client *dynamodb.Client, table, roomID, name string) int {
	t.Helper()
	pks := []string{"MSG#" + roomID, "ROOM#" + roomID, "ROOMCONN#" + roomID, "CHANNAME#" + name}
	for shard := 1; shard < dynamo.RoomConnShards; shard++ {
		pks = append(pks, fmt.Sprintf("ROOMCONN#%s#%d", roomID, shard))
	}
	n := 0
	for _, pk := range pks {
		out, err := client.Query(context.Background(), &dynamodb.QueryInput{
			TableName: aws.String(table), KeyConditionExpression: aws.String("pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
			Select:                    types.SelectCount, ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			t.Fatal(err)
		}
		n += int(out.Count)
	}
	return n
}

// TestDeleteRoomThenPurge: DeleteRoom makes the room gone at once (NotFound,
// out of browse, name free, members gone) and leaves the bulk; the purge,
// driven by the room.deleted record through the stream handler, removes
// the rest in bounded passes, each continuation a stream record of its own;
// reports filed in the room keep a tombstone instead of the message. The
// same record handled twice (at-least-once delivery), before and after the
// purge finished, is harmless, and a room that is not deleted is never
// purged.
func TestDeleteRoomThenPurge(t *testing.T) {
	s, client := newStore(t)
	ctx := context.Background()
	table := s.TableName()
	now := time.Now().UTC()
	room := chat.Room{ID: "c_doomed", Kind: chat.KindPublic, Name: "doomed", CreatedBy: "u1", CreatedAt: now}
	if err := s.CreateRoom(ctx, room, []chat.Member{
		{RoomID: room.ID, UserID: "u1", Role: chat.RoleOwner, JoinedAt: now},
		{RoomID: room.ID, UserID: "u2", Role: chat.RoleMember, JoinedAt: now},
	}); err != nil {
		t.Fatal(err)
	}
	kept := chat.Room{ID: "c_kept", Kind: chat.KindPublic, Name: "kept", CreatedBy: "u1", CreatedAt: now}
	if err := s.CreateRoom(ctx, kept, []chat.Member{{RoomID: kept.ID, UserID: "u1", Role: chat.RoleOwner, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	const messages = 60
	var reported chat.Message
	for i := range messages {
		m, _, err := s.AppendMessage(ctx, chat.Message{RoomID: room.ID, ClientID: fmt.Sprintf("c%d", i), SenderID: "u2", Text: "words", CreatedAt: now})
		if err != nil {
			t.Fatal(err)
		}
		reported = m
	}
	if _, _, err := s.AppendMessage(ctx, chat.Message{RoomID: kept.ID, ClientID: "k", SenderID: "u1", Text: "stays", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutBan(ctx, chat.Ban{RoomID: room.ID, UserID: "u9", By: "u1", BannedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutInvite(ctx, chat.Invite{RoomID: room.ID, UserID: "u8", InvitedBy: "u1", InvitedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutConnection(ctx, chat.Connection{ID: "conn-2", Identity: chat.Identity{UserID: "u2"}, ConnectedAt: now, ExpiresAt: now.Add(time.Hour)}, []string{room.ID}); err != nil {
		t.Fatal(err)
	}
	rep := chat.Report{ID: "rep1", RoomID: room.ID, Seq: reported.Seq, ReporterID: "u1", CreatedAt: now, Message: reported}
	if err := s.PutReport(ctx, rep); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResolveReport(ctx, rep.ID, "dismiss", "u1", now); err != nil {
		t.Fatal(err)
	}
	before := roomItems(t, client, table, room.ID, room.Name)

	if err := s.DeleteRoom(ctx, room.ID, "u-adm"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetRoom(ctx, room.ID); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("GetRoom after delete: %v", err)
	}
	if err := s.DeleteRoom(ctx, room.ID, "u-adm"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("DeleteRoom twice: %v", err)
	}
	if ms, _ := s.ListMembers(ctx, room.ID); len(ms) != 0 {
		t.Errorf("members after delete: %+v", ms)
	}
	if rs, _, _ := s.ListPublicRooms(ctx, "", 100); len(rs) != 1 || rs[0].ID != kept.ID {
		t.Errorf("browse after delete: %+v", rs)
	}
	after := roomItems(t, client, table, room.ID, room.Name)
	// Gone in the request: the claim and the two memberships.
	if after != before-3 {
		t.Errorf("items of the room: %d before, %d after the request; want 3 fewer", before, after)
	}
	t.Logf("items of a %d-message room: %d; left by the request for the purge: %d", messages, before, after)

	// The purge through the stream handler, 25 items a pass: the
	// continuation records are made up as the stream would carry them.
	h, err := stream.New(stream.Config{Consumers: []chat.EventConsumer{roompurge.New(s, 25, nil)}})
	if err != nil {
		t.Fatal(err)
	}
	first := deletedRoomRecord(room.ID, "100", 0)
	handle := func(recs ...events.DynamoDBEventRecord) {
		t.Helper()
		resp, err := h.Handle(ctx, events.DynamoDBEvent{Records: recs})
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("handle: %+v, %v", resp, err)
		}
	}
	handle(first, first) // the same record twice in one batch
	passes := 1
	for ; passes < 20; passes++ {
		if roomItems(t, client, table, room.ID, room.Name) == 0 {
			break
		}
		handle(deletedRoomRecord(room.ID, fmt.Sprint(100+passes), passes))
	}
	if n := roomItems(t, client, table, room.ID, room.Name); n != 0 {
		t.Fatalf("%d items of the room left after %d passes", n, passes)
	}
	t.Logf("purged in %d passes of 25 items", passes)
	handle(first) // redelivered after the purge finished: nothing to do

	got, err := s.GetReport(ctx, rep.ID)
	if err != nil || got.Resolution != "dismiss" || got.Message.Text != "" || !got.Message.Deleted || got.Message.Seq != reported.Seq || got.Message.RoomID != room.ID {
		t.Errorf("report after the purge = %+v, %v", got, err)
	}
	// The other room is untouched, and never purged: it is not deleted.
	if more, err := s.PurgeRoom(ctx, kept.ID, 25); more || err != nil {
		t.Errorf("PurgeRoom of a live room = %v, %v", more, err)
	}
	if msgs, _, err := s.MessagesBefore(ctx, kept.ID, 0, 10); err != nil || len(msgs) != 1 {
		t.Errorf("the other room's messages = %+v, %v", msgs, err)
	}
	if _, err := s.GetRoom(ctx, kept.ID); err != nil {
		t.Errorf("the other room: %v", err)
	}
}
