package service_test

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// benchStore is the in-memory store of the service benchmarks: the
// chattest fake, with the calls a send makes on its hot path answered in
// constant time (the fake copies and sorts on every call, which at 1,000
// connections is most of what a benchmark over it measures). Setup still
// goes through the fake.
type benchStore struct {
	*chattest.Store
	conns map[string][]chat.RoomConnection // room -> its connections, precomputed
	names map[string][]chat.Profile        // name key -> members of the room under it
	seq   atomic.Int64
}

// MentionCandidates answers from a precomputed index, as the real store's
// name index does (the fake scans the room).
func (s *benchStore) MentionCandidates(_ context.Context, _ string, keys []string) ([]chat.Profile, error) {
	var out []chat.Profile
	for _, k := range keys {
		out = append(out, s.names[k]...)
	}
	return out, nil
}

func (s *benchStore) RoomConnections(_ context.Context, roomID string) ([]chat.RoomConnection, error) {
	return s.conns[roomID], nil
}

func (s *benchStore) AppendMessage(_ context.Context, m chat.Message) (chat.Message, bool, error) {
	m.Seq = s.seq.Add(1)
	return m, true, nil
}

// Allow never refuses: the rate limit is not what these benchmarks measure.
func (s *benchStore) Allow(context.Context, string, int, time.Duration) (bool, error) {
	return true, nil
}

// countingFanout delivers nowhere and counts.
type countingFanout struct{ posts atomic.Int64 }

func (f *countingFanout) Send(_ context.Context, ids []string, _ []byte) chat.FanoutResult {
	f.posts.Add(int64(len(ids)))
	return chat.FanoutResult{Recipients: len(ids), Delivered: len(ids)}
}

// BenchmarkSendMessage measures the service's own cost of one send, charge
// included, into a room with N live connections: validation,
// authorization, mentions, building and encoding the event, the push's
// recipient list. The store answers from memory in constant time and the
// fan-out only counts, so the figures are the service's, not the fakes'.
//
//	go test -run '^$' -bench SendMessage -benchmem ./internal/service/
func BenchmarkSendMessage(b *testing.B) {
	for _, n := range []int{10, 1000} {
		for _, mention := range []bool{false, true} {
			b.Run(fmt.Sprintf("room=%d/mention=%v", n, mention), func(b *testing.B) { benchSend(b, n, mention) })
		}
	}
}

func benchSend(b *testing.B, n int, mention bool) {
	ctx := context.Background()
	store := &benchStore{Store: chattest.NewStore(), conns: map[string][]chat.RoomConnection{}, names: map[string][]chat.Profile{}}
	fan := &countingFanout{}
	svc, err := service.New(service.Config{Store: store, Fanout: fan})
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		id := "u" + strconv.Itoa(i)
		if err := svc.Connect(ctx, chat.Connection{ID: "c" + id, Identity: chat.Identity{UserID: id, Username: id, DisplayName: "User " + id}}); err != nil {
			b.Fatal(err)
		}
	}
	rcs, err := store.Store.RoomConnections(ctx, chat.GeneralRoomID)
	if err != nil || len(rcs) != n {
		b.Fatalf("%d room connections (%v), want %d", len(rcs), err, n)
	}
	store.conns[chat.GeneralRoomID] = rcs
	for _, rc := range rcs {
		p, err := store.GetProfile(ctx, rc.UserID)
		if err != nil {
			b.Fatal(err)
		}
		for _, k := range chat.NameKeys(p.Username, p.DisplayName) {
			store.names[k] = append(store.names[k], p)
		}
	}
	sender, err := svc.Connection(ctx, "cu0")
	if err != nil {
		b.Fatal(err)
	}
	text := "hello everyone, a typical short chat line"
	if mention {
		text = "hello @u7, a typical short chat line"
	}
	fan.posts.Store(0)
	i := 0
	for b.Loop() {
		i++
		if err := svc.Charge(ctx, sender.UserID, protocol.BudgetWrite); err != nil {
			b.Fatal(err)
		}
		ack, err := svc.SendMessage(ctx, sender, protocol.SendMessageRequest{
			RoomID: chat.GeneralRoomID, ClientID: "k" + strconv.Itoa(i), Text: text,
		})
		if err != nil {
			b.Fatal(err)
		}
		if mention && len(ack.Message.Mentions) != 1 {
			b.Fatalf("mentions = %v, want u7", ack.Message.Mentions)
		}
	}
	if want := int64(i * (n - 1)); fan.posts.Load() != want {
		b.Fatalf("%d posts for %d messages, want %d", fan.posts.Load(), i, want)
	}
}
