package chattest_test

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
)

func TestStoreFollowsTheContract(t *testing.T) {
	chattest.RunStoreContract(t, func(*testing.T) chat.Store { return chattest.NewStore() })
}

func TestSharedStoreFollowsTheContract(t *testing.T) {
	shared := chattest.NewStore()
	chattest.RunStoreContract(t, func(*testing.T) chat.Store { return shared })
}

// The fake is as strict as DynamoDB where the service could slip.
func TestStoreStrictness(t *testing.T) {
	ctx := context.Background()
	s := chattest.NewStore()
	if err := s.PutConnection(ctx, chat.Connection{ID: ""}, nil); chat.ErrorCode(err) != chat.Internal {
		t.Errorf("empty key accepted: %v", err)
	}
	if _, _, err := s.EnsureProfile(ctx, chat.Profile{UserID: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetProfiles(ctx, []string{"a", "a"}); chat.ErrorCode(err) != chat.Internal {
		t.Errorf("duplicate BatchGet keys accepted: %v", err)
	}
	if _, _, err := s.MessagesAfter(ctx, "r", 0, 0); chat.ErrorCode(err) != chat.Internal {
		t.Errorf("zero limit accepted: %v", err)
	}
	if _, _, err := s.AppendMessage(ctx, chat.Message{RoomID: "nope", SenderID: "a", ClientID: "k"}); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("append to a missing room: %v", err)
	}
	// Returned slices are copies.
	if err := s.CreateRoom(ctx, chat.Room{ID: "d", Kind: chat.KindDirect, MemberIDs: []string{"a", "b"}}, nil); err != nil {
		t.Fatal(err)
	}
	r, _ := s.GetRoom(ctx, "d")
	r.MemberIDs[0] = "mallory"
	if again, _ := s.GetRoom(ctx, "d"); again.MemberIDs[0] != "a" {
		t.Error("GetRoom shares its slice with the store")
	}
}

func TestStoreFaultInjection(t *testing.T) {
	ctx := context.Background()
	s := chattest.NewStore()
	boom := chat.Errorf(chat.Internal, "boom")
	s.FailOnce("GetProfile", boom)
	if _, err := s.GetProfile(ctx, "x"); err != boom {
		t.Errorf("first call = %v, want boom", err)
	}
	if _, err := s.GetProfile(ctx, "x"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("second call = %v, want NotFound", err)
	}
}

func TestRateLimiterWindows(t *testing.T) {
	ctx := context.Background()
	s := chattest.NewStore()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	for range 2 {
		if ok, _ := s.Allow(ctx, "k", 2, time.Minute); !ok {
			t.Fatal("refused within the limit")
		}
	}
	if ok, _ := s.Allow(ctx, "k", 2, time.Minute); ok {
		t.Error("allowed over the limit")
	}
	now = now.Add(time.Minute)
	if ok, _ := s.Allow(ctx, "k", 2, time.Minute); !ok {
		t.Error("new window still refused")
	}
}

func TestFanoutRecords(t *testing.T) {
	f := chattest.NewFanout()
	f.SetGone("b")
	res := f.Send(context.Background(), []string{"a", "b"}, []byte(`{"type":"message"}`))
	if res.Recipients != 2 || res.Delivered != 1 || res.Gone != 1 {
		t.Errorf("result = %+v", res)
	}
	if got := f.Types("a"); len(got) != 1 || got[0] != "message" {
		t.Errorf("a received %v", got)
	}
	if len(f.Deliveries("c")) != 0 {
		t.Error("c received something")
	}
}
