package dynamo_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

func testMessage(room, sender, clientID, text string) chat.Message {
	return chat.Message{RoomID: room, SenderID: sender, SenderName: "Name " + sender, ClientID: clientID, Text: text,
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
}

// burnSeq takes a seq from the room's counter without storing a message,
// as a lost race of two retries does, leaving a gap.
func burnSeq(t *testing.T, s *dynamo.Store, room string) {
	t.Helper()
	if err := s.BurnSeq(context.Background(), room); err != nil {
		t.Fatal(err)
	}
}

func seqs(ms []chat.Message) []int64 {
	out := make([]int64, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.Seq)
	}
	return out
}

func TestAppendMessageStampsAndStores(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), "u1")

	m := testMessage("r1", "u1", "c-1", "hello")
	m.Mentions = []string{"u2"}
	m.Attachments = []chat.Attachment{{Key: "files/r1/a.png", Name: "a.png", Size: 123, Type: "image/png", Width: 10, Height: 20}}
	stored, created, err := s.AppendMessage(ctx, m)
	if err != nil || !created || stored.Seq != 1 {
		t.Fatalf("AppendMessage = seq %d, %v, %v", stored.Seq, created, err)
	}
	got, err := s.GetMessage(ctx, "r1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != "hello" || got.ClientID != "c-1" || got.SenderID != "u1" || got.SenderName != m.SenderName ||
		!slices.Equal(got.Mentions, m.Mentions) || len(got.Attachments) != 1 || got.Attachments[0] != m.Attachments[0] ||
		!got.CreatedAt.Equal(m.CreatedAt) || !got.EditedAt.IsZero() || got.Deleted {
		t.Errorf("GetMessage = %+v", got)
	}
	second, created, err := s.AppendMessage(ctx, testMessage("r1", "u1", "c-2", "again"))
	if err != nil || !created || second.Seq != 2 {
		t.Errorf("second AppendMessage = seq %d, %v, %v", second.Seq, created, err)
	}
	if r, _ := s.GetRoom(ctx, "r1"); r.LastSeq != 2 {
		t.Errorf("room lastSeq = %d, want 2", r.LastSeq)
	}
	if _, _, err := s.AppendMessage(ctx, testMessage("ghost", "u1", "c-1", "x")); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("AppendMessage(unknown room) = %v, want not_found", err)
	}
	if _, err := s.GetMessage(ctx, "r1", 3); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("GetMessage(3) = %v, want not_found", err)
	}
}

func TestAppendMessageIsIdempotent(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), "u1", "u2")

	first, created, err := s.AppendMessage(ctx, testMessage("r1", "u1", "same", "original"))
	if err != nil || !created {
		t.Fatalf("first append: %v, %v", created, err)
	}
	retry, created, err := s.AppendMessage(ctx, testMessage("r1", "u1", "same", "retried text"))
	if err != nil || created {
		t.Fatalf("retry append: created=%v, %v; want created=false", created, err)
	}
	if retry.Seq != first.Seq || retry.Text != "original" {
		t.Errorf("retry returned %+v, want the first message %+v", retry, first)
	}
	// The same client id from another sender is another message.
	other, created, err := s.AppendMessage(ctx, testMessage("r1", "u2", "same", "u2's"))
	if err != nil || !created || other.Seq == first.Seq {
		t.Errorf("other sender: %+v, %v, %v", other, created, err)
	}
	msgs, more, err := s.MessagesAfter(ctx, "r1", 0, 10)
	if err != nil || more || !slices.Equal(seqs(msgs), []int64{first.Seq, other.Seq}) {
		t.Errorf("history = %v (more %v, %v): the idempotency items must not show up", seqs(msgs), more, err)
	}
}

// TestRetryRepairsASendThatCrashedAfterItsClaim: a send that claimed its
// client id and seq but never stored its message is completed by its
// retry, at the claimed seq, announced once (created on the repair only).
func TestRetryRepairsASendThatCrashedAfterItsClaim(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), "u1")
	seq, err := s.CrashAfterClaim(ctx, "r1", "u1", "lost")
	if err != nil {
		t.Fatal(err)
	}
	repaired, created, err := s.AppendMessage(ctx, testMessage("r1", "u1", "lost", "second try"))
	if err != nil || !created || repaired.Seq != seq || repaired.Text != "second try" {
		t.Fatalf("repair = %+v, created=%v, %v; want created at the claimed seq %d", repaired, created, err, seq)
	}
	again, created, err := s.AppendMessage(ctx, testMessage("r1", "u1", "lost", "third try"))
	if err != nil || created || again.Seq != seq || again.Text != "second try" {
		t.Errorf("retry after the repair = %+v, created=%v, %v; want the repaired message", again, created, err)
	}
	next, _, err := s.AppendMessage(ctx, testMessage("r1", "u1", "next", "next one"))
	if err != nil || next.Seq <= seq {
		t.Errorf("next message seq %d (%v), want after %d", next.Seq, err, seq)
	}
	msgs, _, err := s.MessagesAfter(ctx, "r1", 0, 50)
	if err != nil || !slices.Equal(seqs(msgs), []int64{seq, next.Seq}) {
		t.Errorf("history %v (%v), want [%d %d]", seqs(msgs), err, seq, next.Seq)
	}
}

func TestConcurrentRetriesStoreOneMessage(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), "u1")

	const n = 8
	results := make([]chat.Message, n)
	createdCount := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			m, created, err := s.AppendMessage(ctx, testMessage("r1", "u1", "dup", fmt.Sprint("try ", i)))
			if err != nil {
				t.Errorf("append %d: %v", i, err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			results[i] = m
			if created {
				createdCount++
			}
		})
	}
	wg.Wait()
	if createdCount != 1 {
		t.Errorf("%d appends reported created, want 1", createdCount)
	}
	for _, m := range results {
		if m.Seq != results[0].Seq || m.Text != results[0].Text {
			t.Errorf("retries returned different messages: %+v vs %+v", m, results[0])
		}
	}
	msgs, _, err := s.MessagesAfter(ctx, "r1", 0, 50)
	if err != nil || len(msgs) != 1 {
		t.Errorf("history has %d messages, want 1 (%v)", len(msgs), err)
	}
}

func TestConcurrentAppendsGetDistinctIncreasingSeqs(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), "u1")

	const workers, each = 10, 3
	var mu sync.Mutex
	got := map[int64]string{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var last int64
			for i := range each {
				clientID := fmt.Sprintf("w%d-%d", w, i)
				m, created, err := s.AppendMessage(ctx, testMessage("r1", fmt.Sprint("u", w), clientID, clientID))
				if err != nil || !created {
					t.Errorf("append %s: %v, %v", clientID, created, err)
					return
				}
				if m.Seq <= last {
					t.Errorf("worker %d: seq %d after %d", w, m.Seq, last)
				}
				last = m.Seq
				mu.Lock()
				if prev, dup := got[m.Seq]; dup {
					t.Errorf("seq %d given to %s and %s", m.Seq, prev, clientID)
				}
				got[m.Seq] = clientID
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	msgs, more, err := s.MessagesAfter(ctx, "r1", 0, 100)
	if err != nil || more || len(msgs) != workers*each {
		t.Fatalf("history: %d messages (more %v, %v), want %d", len(msgs), more, err, workers*each)
	}
	for i, m := range msgs {
		if got[m.Seq] != m.ClientID {
			t.Errorf("message %d: seq %d has client id %s, want %s", i, m.Seq, m.ClientID, got[m.Seq])
		}
		if i > 0 && m.Seq <= msgs[i-1].Seq {
			t.Errorf("history out of order at %d: %d after %d", i, m.Seq, msgs[i-1].Seq)
		}
	}
}

func TestHistoryPagingWithGaps(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), "u1")

	// Seqs 1..12 with 4, 5 and 9 burned: stored 1 2 3 6 7 8 10 11 12.
	var stored []int64
	for seq := int64(1); seq <= 12; seq++ {
		if seq == 4 || seq == 5 || seq == 9 {
			burnSeq(t, s, "r1")
			continue
		}
		m, _, err := s.AppendMessage(ctx, testMessage("r1", "u1", fmt.Sprint("c", seq), fmt.Sprint("m", seq)))
		if err != nil || m.Seq != seq {
			t.Fatalf("append: seq %d, %v; want %d", m.Seq, err, seq)
		}
		stored = append(stored, seq)
	}

	before := []struct {
		before int64
		limit  int
		want   []int64
		more   bool
	}{
		{0, 4, []int64{12, 11, 10, 8}, true},
		{8, 4, []int64{7, 6, 3, 2}, true},
		{2, 4, []int64{1}, false},
		{1, 4, []int64{}, false},
		{6, 3, []int64{3, 2, 1}, false},
		{0, 9, []int64{12, 11, 10, 8, 7, 6, 3, 2, 1}, false},
		{100, 2, []int64{12, 11}, true},
	}
	for _, c := range before {
		msgs, more, err := s.MessagesBefore(ctx, "r1", c.before, c.limit)
		if err != nil || !slices.Equal(seqs(msgs), c.want) || more != c.more {
			t.Errorf("MessagesBefore(%d, %d) = %v more=%v %v; want %v more=%v", c.before, c.limit, seqs(msgs), more, err, c.want, c.more)
		}
	}
	after := []struct {
		after int64
		limit int
		want  []int64
		more  bool
	}{
		{0, 4, []int64{1, 2, 3, 6}, true},
		{3, 3, []int64{6, 7, 8}, true},
		{4, 3, []int64{6, 7, 8}, true},
		{8, 3, []int64{10, 11, 12}, false},
		{12, 3, []int64{}, false},
		{0, 9, stored, false},
	}
	for _, c := range after {
		msgs, more, err := s.MessagesAfter(ctx, "r1", c.after, c.limit)
		if err != nil || !slices.Equal(seqs(msgs), c.want) || more != c.more {
			t.Errorf("MessagesAfter(%d, %d) = %v more=%v %v; want %v more=%v", c.after, c.limit, seqs(msgs), more, err, c.want, c.more)
		}
	}
	if msgs, more, err := s.MessagesAfter(ctx, "empty-room", 0, 5); err != nil || len(msgs) != 0 || more {
		t.Errorf("MessagesAfter(empty room) = %v, %v, %v", msgs, more, err)
	}
}

func TestReplaceMessage(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), "u1")
	m, _, err := s.AppendMessage(ctx, testMessage("r1", "u1", "c1", "typo"))
	if err != nil {
		t.Fatal(err)
	}
	m.Text = "fixed"
	m.EditedAt = time.Now().UTC().Truncate(time.Millisecond)
	if err := s.ReplaceMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetMessage(ctx, "r1", m.Seq); got.Text != "fixed" || !got.EditedAt.Equal(m.EditedAt) {
		t.Errorf("after edit: %+v", got)
	}
	tomb := m
	tomb.Text, tomb.Deleted, tomb.Mentions = "", true, nil
	if err := s.ReplaceMessage(ctx, tomb); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetMessage(ctx, "r1", m.Seq); got.Text != "" || !got.Deleted {
		t.Errorf("after delete: %+v", got)
	}
	// A retried send after the delete still finds the original (tombstoned) message.
	if got, created, err := s.AppendMessage(ctx, testMessage("r1", "u1", "c1", "typo")); err != nil || created || !got.Deleted {
		t.Errorf("retry after delete = %+v, %v, %v", got, created, err)
	}
	ghost := m
	ghost.Seq = 999
	if err := s.ReplaceMessage(ctx, ghost); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("ReplaceMessage(missing) = %v, want not_found", err)
	}
	if _, err := s.GetMessage(ctx, "r1", 999); chat.ErrorCode(err) != chat.NotFound {
		t.Error("ReplaceMessage created a message")
	}
}
