package dynamo_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// The export record on DynamoDB Local: ten requests at once start one
// export (the others conflict); a finished one is replaced; a pending one
// older than chat.ExportStaleAfter no longer blocks; a replaced export's
// update is refused; RoomMessagesAfter pages every message, thread
// replies included.
func TestExportRecord(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, conflicts := 0, 0
	for i := range 10 {
		wg.Go(func() {
			e := chat.Export{ID: "x" + string(rune('a'+i)), UserID: "u1", State: chat.ExportPending, RequestedBy: "u1", CreatedAt: now, Key: "k"}
			err := s.CreateExport(ctx, e, now)
			mu.Lock()
			defer mu.Unlock()
			switch chat.ErrorCode(err) {
			case "":
				ok++
			case chat.Conflict:
				conflicts++
			default:
				t.Errorf("create: %v", err)
			}
		})
	}
	wg.Wait()
	if ok != 1 || conflicts != 9 {
		t.Fatalf("%d created, %d conflicts; want 1 and 9", ok, conflicts)
	}
	cur, err := s.GetExport(ctx, "u1")
	if err != nil || cur.State != chat.ExportPending || !cur.CreatedAt.Equal(now) {
		t.Fatalf("get: %+v, %v", cur, err)
	}
	// Ready: a new request replaces it.
	cur.State, cur.ReadyAt, cur.ExpiresAt, cur.Size = chat.ExportReady, now, now.Add(chat.ExportValidFor), 42
	if err := s.UpdateExport(ctx, cur); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetExport(ctx, "u1"); got.Size != 42 || !got.ExpiresAt.Equal(now.Add(chat.ExportValidFor)) {
		t.Errorf("after update: %+v", got)
	}
	next := chat.Export{ID: "y", UserID: "u1", State: chat.ExportPending, RequestedBy: "adm", CreatedAt: now}
	if err := s.CreateExport(ctx, next, now); err != nil {
		t.Fatalf("a finished export blocks a new one: %v", err)
	}
	// The replaced export's worker cannot overwrite the new record.
	if err := s.UpdateExport(ctx, cur); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("update of a replaced export: %v", err)
	}
	// A pending one past the stale cut-off no longer blocks.
	later := now.Add(chat.ExportStaleAfter + time.Second)
	if err := s.CreateExport(ctx, chat.Export{ID: "z", UserID: "u1", State: chat.ExportPending, CreatedAt: later}, now.Add(time.Minute)); chat.ErrorCode(err) != chat.Conflict {
		t.Errorf("a young pending export did not block: %v", err)
	}
	if err := s.CreateExport(ctx, chat.Export{ID: "z", UserID: "u1", State: chat.ExportPending, CreatedAt: later}, later); err != nil {
		t.Errorf("a stale pending export blocks: %v", err)
	}
	if _, err := s.GetExport(ctx, "nobody"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("no export: %v", err)
	}

	// RoomMessagesAfter: all of a room's messages, replies included, in pages.
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), "u1")
	for i := range 7 {
		m := chat.Message{RoomID: "r1", SenderID: "u1", ClientID: "c" + string(rune('a'+i)), Text: "t", CreatedAt: now}
		if i == 6 {
			m.ParentSeq = 1
		}
		if _, _, err := s.AppendMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	var seqs []int64
	var after int64
	for {
		page, more, err := s.RoomMessagesAfter(ctx, "r1", after, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page {
			seqs = append(seqs, m.Seq)
			after = m.Seq
		}
		if !more {
			break
		}
	}
	if len(seqs) < 7 || seqs[len(seqs)-1] != after {
		t.Errorf("paged seqs %v, want every message (the reply too)", seqs)
	}
}
