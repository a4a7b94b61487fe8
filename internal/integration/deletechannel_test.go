package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/eventbus"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/s3blob"
)

// bigChannelMessages is the size of the channel TestDeleteBigChannel
// deletes: more than two purge passes' worth of items (1,000 each), so the
// continuation is exercised, and small enough to seed and index in
// seconds (2,500 took minutes once the search indexer also ran).
const bigChannelMessages = 1200

// itemsOfRoom counts every item stored under a room: its messages and
// idempotency items, its fan-out index shards, its room partition (META,
// message counter, members, bans, invitations, report references) and its
// name claim.
func itemsOfRoom(t *testing.T, client *dynamodb.Client, table, roomID, name string) int {
	t.Helper()
	pks := []string{"MSG#" + roomID, "ROOM#" + roomID, "ROOMCONN#" + roomID, "CHANNAME#" + name}
	for shard := 1; shard < dynamo.RoomConnShards; shard++ {
		pks = append(pks, fmt.Sprintf("ROOMCONN#%s#%d", roomID, shard))
	}
	n := 0
	for _, pk := range pks {
		p := dynamodb.NewQueryPaginator(client, &dynamodb.QueryInput{
			TableName: aws.String(table), KeyConditionExpression: aws.String("pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
			Select:                    types.SelectCount, ConsistentRead: aws.Bool(true),
		})
		for p.HasMorePages() {
			out, err := p.NextPage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			n += int(out.Count)
		}
	}
	return n
}

// TestDeleteBigChannel: an admin deletes a channel of 2,500 messages (three
// with files, one reported and resolved) over the gateway. The request does
// only the bounded part: the reply and every member's roomRemoved come at
// once, the channel answers not_found, its name is free; then the stream
// pipeline as deployed (DynamoDB Local's stream -> streamapp.Build: the
// room purger, the file sweeper, the bus) removes the rest in passes of
// 1,000 items until no item of the room is left, its files leave the
// bucket, the resolved report keeps a tombstone instead of the message,
// and exactly one room.deleted reaches the bus.
func TestDeleteBigChannel(t *testing.T) {
	bucket := newFilesBucket(t)
	tr := newTrioWithFiles(t, generousLimits, bucket)
	s := tr.s
	adm := s.staff(s.newUser("adm", "Ad Min"), chat.GroupAdmins)
	ad, _ := s.online(adm)
	blobs, err := s3blob.New(s.awsCfg, s3blob.Config{Bucket: bucket, UsePathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	ddb := dynamodb.NewFromConfig(s.awsCfg)
	store, err := dynamo.New(ddb, s.table)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	ch := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "big"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(ch), protocol.EventRoom)
	var keys []string
	var withFile protocol.AckEvent
	for i := range 3 {
		file := fmt.Appendf(nil, "file %d of a big channel", i)
		ticket := decode[protocol.UploadTicketEvent](t, tr.b.call(protocol.ActionRequestUpload,
			map[string]any{"roomId": ch, "name": "note.txt", "size": len(file), "type": "text/plain", "sha256": chat.SHA256Base64(file)}, protocol.EventUploadTicket))
		uploadByTicket(t, ticket, file)
		att := map[string]any{"key": ticket.Key, "name": "note.txt", "size": len(file), "type": "text/plain"}
		withFile = decode[protocol.AckEvent](t, tr.b.call(protocol.ActionSendMessage,
			map[string]any{"roomId": ch, "clientId": fmt.Sprintf("f-%d", i), "text": "see file", "attachments": []any{att}}, protocol.EventAck))
		keys = append(keys, ticket.Key)
	}
	rep := decode[protocol.ReportEvent](t, tr.a.call(protocol.ActionReportMessage, map[string]any{"roomId": ch, "seq": withFile.Message.Seq, "reason": "spam"}, protocol.EventReport))
	ad.call(protocol.ActionResolveReport, map[string]any{"reportId": rep.Report.ID, "resolution": protocol.ResolveDismiss}, protocol.EventReport)
	if err := store.PutBan(ctx, chat.Ban{RoomID: ch, UserID: "u-banned", By: adm.id, BannedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}

	// The bulk straight through the store, a few writers at a time.
	seedStart := time.Now()
	var (
		wg       sync.WaitGroup
		next     atomic.Int64
		firstErr atomic.Pointer[error]
	)
	for range 8 {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < bigChannelMessages; i = next.Add(1) - 1 {
				_, _, err := store.AppendMessage(ctx, chat.Message{RoomID: ch, ClientID: fmt.Sprintf("seed-%d", i), SenderID: tr.ann.id, Text: "history", CreatedAt: time.Now()})
				if err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	if p := firstErr.Load(); p != nil {
		t.Fatalf("seed: %v", *p)
	}
	items := itemsOfRoom(t, ddb, s.table, ch, "big")
	t.Logf("seeded %d messages in %s; the room has %d items", bigChannelMessages, time.Since(seedStart).Round(time.Millisecond), items)

	// The stream function as deployed, from here on (its poller starts at
	// the stream's trim horizon: the seeded messages' events go by first).
	bus := s.startEventsWithFiles(bucket)
	tr.a.drain()
	tr.b.drain()

	start := time.Now()
	reply := decode[protocol.RoomRemovedEvent](t, ad.call(protocol.ActionDeleteChannel, room(ch), protocol.EventRoomRemoved))
	took := time.Since(start)
	t.Logf("deleteChannel of a channel with %d messages (%d items) answered in %s", bigChannelMessages+3, items, took.Round(time.Millisecond))
	if reply.RoomID != ch || !reply.Deleted {
		t.Errorf("reply = %+v", reply)
	}
	for _, c := range []*client{tr.a, tr.b} {
		if ev := decode[protocol.RoomRemovedEvent](t, c.expectEvent(protocol.EventRoomRemoved, isRoom(ch))); !ev.Deleted {
			t.Errorf("roomRemoved without deleted: %+v", ev)
		}
	}
	// Gone at once, for every action.
	tr.b.callError(protocol.ActionHistory, map[string]any{"roomId": ch}, "not_found")
	tr.b.callError(protocol.ActionSendMessage, map[string]any{"roomId": ch, "clientId": "late", "text": "anyone?"}, "not_found")
	tr.c.callError(protocol.ActionJoinChannel, room(ch), "not_found")
	ad.callError(protocol.ActionDeleteChannel, room(ch), "not_found")
	decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "big"}, protocol.EventRoom))

	var deleted []eventbus.RoomDeletedDetail
	// room.deleted on the bus, looked for often: the local bus keeps the
	// last 1,000 events, and the purge's message.deleted follow it; the
	// seeded messages' events (indexed for search) go by first.
	// The limits are generous upper bounds, not timings (the test logs how
	// long it took): against LocalStack on a busy 2-core machine the
	// stream's backlog of the seeded messages alone took minutes.
	const purgeLimit = 8 * time.Minute
	for seenBy := time.Now().Add(purgeLimit); time.Now().Before(seenBy); {
		deleted = deleted[:0]
		for _, e := range bus.Events() {
			var d eventbus.RoomDeletedDetail
			if e.DetailType == string(chat.EventRoomDeleted) && json.Unmarshal(e.Detail, &d) == nil && d.RoomID == ch {
				deleted = append(deleted, d)
			}
		}
		if len(deleted) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(deleted) != 1 || deleted[0].Actor.UserID != adm.id || deleted[0].Name != "big" {
		seen := map[string]int{}
		for _, e := range bus.Events() {
			seen[e.DetailType]++
		}
		t.Errorf("room.deleted on the bus: %+v (the bus has %v)", deleted, seen)
	}

	// The background: every item of the room, then its files.
	deadline := start.Add(purgeLimit)
	for {
		n := itemsOfRoom(t, ddb, s.table, ch, "big")
		if n == 1 { // the name claim of the new #big
			t.Logf("every item of the deleted channel removed %s after the request", time.Since(start).Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d items of the deleted channel left %s after the request", n-1, purgeLimit)
		}
		time.Sleep(250 * time.Millisecond)
	}
	for _, k := range keys {
		for {
			_, err := blobs.Stat(ctx, k)
			if chat.ErrorCode(err) == chat.NotFound {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("file %s still in the bucket (%v)", k, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	t.Logf("its %d files deleted %s after the request", len(keys), time.Since(start).Round(time.Millisecond))
	got, err := store.GetReport(ctx, rep.Report.ID)
	if err != nil || got.Resolution != protocol.ResolveDismiss || got.Message.Text != "" || len(got.Message.Attachments) != 0 || !got.Message.Deleted {
		t.Errorf("the resolved report after the purge = %+v, %v", got, err)
	}
}
