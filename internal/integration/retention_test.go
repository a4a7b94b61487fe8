package integration

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/ttlsweep"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/s3blob"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// TestRetentionExpiresMessagesAndFiles (issue 15): the owner keeps #keep's
// messages for a day; messages sent two days ago (the service's clock set
// back: a shortened clock) are past their expiry. Before anything deletes
// them, history, resume and search leave them out; then the local TTL
// sweep (ttlsweep, DynamoDB's TTL played against DynamoDB Local) deletes
// the items, the stream sees the REMOVE, and the file sweeper deletes the
// expired message's file from the bucket. A message sent now stays; one
// sent before the setting is re-stamped through the stream.
func TestRetentionExpiresMessagesAndFiles(t *testing.T) {
	bucket := newFilesBucket(t)
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())).UTC() }
	tr := newTrioWithFiles(t, func(c *service.Config) { generousLimits(c); c.Now = clock }, bucket)
	s := tr.s
	blobs, err := s3blob.New(s.awsCfg, s3blob.Config{Bucket: bucket, UsePathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	s.startEventsWithFiles(bucket) // the stream function as deployed: file sweeper, search index, re-stamp

	ch := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "keep"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(ch), protocol.EventRoom)
	// Two days ago, while the room kept messages forever: no expiry.
	offset.Store(int64(-48 * time.Hour))
	early := decode[protocol.AckEvent](t, tr.b.call(protocol.ActionSendMessage, message(ch, "early-1", "written before the setting"), protocol.EventAck)).Message
	offset.Store(0)
	if !early.ExpiresAt.IsZero() {
		t.Fatalf("a message sent while the room keeps forever expires at %v", early.ExpiresAt)
	}
	tr.b.callError(protocol.ActionSetRoomRetention, map[string]any{"roomId": ch, "retentionDays": 1}, "forbidden")
	set := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionSetRoomRetention, map[string]any{"roomId": ch, "retentionDays": 1}, protocol.EventRoom))
	if set.Room.RetentionDays == nil || *set.Room.RetentionDays != 1 {
		t.Fatalf("setRoomRetention = %+v", set.Room)
	}
	// The re-stamp (the stream's internal/retention) gives the stored
	// message its expiry, a day after it was sent: past already, so it
	// leaves history.
	restamped := time.Now().Add(10 * time.Second)
	for {
		h := decode[protocol.HistoryEvent](t, tr.b.call(protocol.ActionHistory, map[string]any{"roomId": ch}, protocol.EventHistory))
		if !hasSeq(h.Messages, early.Seq) {
			break
		}
		if time.Now().After(restamped) {
			t.Fatal("the message sent before the setting is still in history 10 s after it")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Two days ago: a file and a line, kept a day.
	offset.Store(int64(-48 * time.Hour))
	file := []byte("a file kept a day")
	ticket := decode[protocol.UploadTicketEvent](t, tr.b.call(protocol.ActionRequestUpload,
		map[string]any{"roomId": ch, "name": "old.txt", "size": len(file), "type": "text/plain", "sha256": chat.SHA256Base64(file)}, protocol.EventUploadTicket))
	uploadByTicket(t, ticket, file)
	att := map[string]any{"key": ticket.Key, "name": "old.txt", "size": len(file), "type": "text/plain"}
	old := decode[protocol.AckEvent](t, tr.b.call(protocol.ActionSendMessage,
		map[string]any{"roomId": ch, "clientId": "old-1", "text": "ancient parchment", "attachments": []any{att}}, protocol.EventAck)).Message
	if want := old.CreatedAt.Add(24 * time.Hour); !old.ExpiresAt.Equal(want.Truncate(time.Second)) {
		t.Errorf("expiresAt = %v, want %v", old.ExpiresAt, want)
	}
	// Now.
	offset.Store(0)
	fresh := decode[protocol.AckEvent](t, tr.a.call(protocol.ActionSendMessage, message(ch, "new-1", "fresh parchment"), protocol.EventAck)).Message

	// Read time: past its expiry, the old message is gone from every read.
	hist := decode[protocol.HistoryEvent](t, tr.b.call(protocol.ActionHistory, map[string]any{"roomId": ch}, protocol.EventHistory))
	if hasSeq(hist.Messages, old.Seq) || !hasSeq(hist.Messages, fresh.Seq) {
		t.Errorf("history seqs %v: want %d, not the expired %d", seqsOf(hist.Messages), fresh.Seq, old.Seq)
	}
	missed := decode[protocol.MissedEvent](t, tr.b.call(protocol.ActionResume, map[string]any{"rooms": map[string]any{ch: 0}}, protocol.EventMissed))
	for _, r := range missed.Rooms {
		if hasSeq(r.Messages, old.Seq) {
			t.Errorf("resume returned the expired message %d", old.Seq)
		}
	}
	// Search: once the index has the fresh message, the old one (indexed
	// too) is not among the results.
	deadline := time.Now().Add(10 * time.Second)
	for {
		res := decode[protocol.SearchResultsEvent](t, tr.b.call(protocol.ActionSearch, map[string]any{"query": "parchment"}, protocol.EventSearchResults))
		if len(res.Results) > 0 {
			for _, r := range res.Results {
				if r.Seq == old.Seq {
					t.Errorf("search found the expired message %d", old.Seq)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("search never found the fresh message")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := blobs.Stat(context.Background(), ticket.Key); err != nil {
		t.Fatalf("file gone before the sweep: %v", err)
	}
	// Still in the bucket, but past its message's retention: not signed,
	// neither the file nor its thumbnail.
	tr.b.callError(protocol.ActionRequestDownload, map[string]any{"roomId": ch, "seq": old.Seq, "key": ticket.Key}, "not_found")
	tr.b.callError(protocol.ActionRequestDownload, map[string]any{"roomId": ch, "seq": old.Seq, "key": ticket.Key, "thumb": true}, "not_found")

	// The TTL process (locally: the sweep) deletes the expired items; the
	// stream's REMOVE takes the file with it.
	sw := ttlsweep.Sweeper{Client: dynamodb.NewFromConfig(s.awsCfg), Table: s.table}
	n, err := sw.SweepOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 { // the message and its idempotency item, at least
		t.Errorf("the sweep deleted %d items", n)
	}
	start := time.Now()
	for {
		_, err := blobs.Stat(context.Background(), ticket.Key)
		if chat.ErrorCode(err) == chat.NotFound {
			t.Logf("file deleted %s after the sweep", time.Since(start).Round(time.Millisecond))
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("file still in the bucket 10 s after its message expired (%v)", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	hist = decode[protocol.HistoryEvent](t, tr.b.call(protocol.ActionHistory, map[string]any{"roomId": ch}, protocol.EventHistory))
	if !hasSeq(hist.Messages, fresh.Seq) {
		t.Errorf("the fresh message went too: %v", seqsOf(hist.Messages))
	}
}

func hasSeq(ms []chat.Message, seq int64) bool {
	for _, m := range ms {
		if m.Seq == seq {
			return true
		}
	}
	return false
}

func seqsOf(ms []chat.Message) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.Seq
	}
	return out
}

// TestWorkspaceRetentionRestampsRoomsFollowingTheDefault (issue 15): a
// change of the workspace's default retention re-stamps, in the
// background, the stored messages of every room that follows the default
// (channels and a DM), through the stream (#general's META cues the pages
// of rooms, each room's own re-stamp runs as after a change of its
// retention); a room with its own retention keeps its expiry.
func TestWorkspaceRetentionRestampsRoomsFollowingTheDefault(t *testing.T) {
	tr := newTrio(t, generousLimits)
	s := tr.s
	s.startEvents(false, nil)
	adm, _ := s.online(s.staff(s.newUser("adm", "Ad Min"), chat.GroupAdmins))
	follows := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "follows"}, protocol.EventRoom)).Room.ID
	own := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "own"}, protocol.EventRoom)).Room.ID
	dm := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{tr.bob.id}}, protocol.EventRoom)).Room.ID
	tr.a.call(protocol.ActionSetRoomRetention, map[string]any{"roomId": own, "retentionDays": 30}, protocol.EventRoom)
	sent := map[string]protocol.AckEvent{}
	for _, r := range []string{follows, own, dm, "general"} {
		sent[r] = decode[protocol.AckEvent](t, tr.a.call(protocol.ActionSendMessage, message(r, "m-"+r, "kept by "+r), protocol.EventAck))
	}
	if !sent[follows].Message.ExpiresAt.IsZero() || sent[own].Message.ExpiresAt.IsZero() {
		t.Fatalf("before: follows expires %v, own %v", sent[follows].Message.ExpiresAt, sent[own].Message.ExpiresAt)
	}
	ownExpiry := sent[own].Message.ExpiresAt

	adm.call(protocol.ActionSetWorkspaceSettings, map[string]any{"retentionDays": 7}, protocol.EventWorkspaceSettings)
	expiry := func(roomID string, seq int64) time.Time {
		h := decode[protocol.HistoryEvent](t, tr.a.call(protocol.ActionHistory, map[string]any{"roomId": roomID}, protocol.EventHistory))
		for _, m := range h.Messages {
			if m.Seq == seq {
				return m.ExpiresAt
			}
		}
		t.Fatalf("message %d of %s not in history", seq, roomID)
		return time.Time{}
	}
	deadline := time.Now().Add(15 * time.Second)
	for _, r := range []string{follows, dm, "general"} {
		m := sent[r].Message
		want := chat.MessageExpiry(m.CreatedAt, 7)
		for !expiry(r, m.Seq).Equal(want) {
			if time.Now().After(deadline) {
				t.Fatalf("%s's message expires %v, want %v (createdAt + the new default)", r, expiry(r, m.Seq), want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if got := expiry(own, sent[own].Message.Seq); !got.Equal(ownExpiry) {
		t.Errorf("the room with its own retention: expires %v, want %v as before", got, ownExpiry)
	}
}
