package digest_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/backchannel-chat/backchannel/internal/digest"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

// storeContract is what the digest relies on from a Store: idempotent
// items, and head changes conditional on the due time.
func storeContract(t *testing.T, s digest.Store) {
	ctx := context.Background()
	const u = "user-1"
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	due := t0.Add(15 * time.Minute)

	first := digest.Item{RoomID: "general", Seq: 5, Reason: digest.ReasonMention, At: t0}
	if err := s.AddItem(ctx, u, first, t0.Add(digest.ItemTTL)); err != nil {
		t.Fatal(err)
	}
	again := first
	again.At = t0.Add(time.Minute)
	if err := s.AddItem(ctx, u, again, t0.Add(digest.ItemTTL)); err != nil { // redelivered: the first At stays
		t.Fatal(err)
	}
	if err := s.AddItem(ctx, u, digest.Item{RoomID: "dm", Seq: 1, Reason: digest.ReasonDM, At: t0}, t0.Add(digest.ItemTTL)); err != nil {
		t.Fatal(err)
	}
	items, err := s.Items(ctx, u)
	if err != nil || len(items) != 2 {
		t.Fatalf("Items = %+v, %v", items, err)
	}
	for _, it := range items {
		if it.RoomID == "general" && (!it.At.Equal(t0) || it.Seq != 5 || it.Reason != digest.ReasonMention) {
			t.Fatalf("item %+v, want the first one stored", it)
		}
	}

	if h, err := s.Head(ctx, u); err != nil || !h.DueAt.IsZero() {
		t.Fatalf("Head of nobody = %+v, %v", h, err)
	}
	if ok, err := s.ClaimDue(ctx, u, time.Time{}, due, "sched-1"); !ok || err != nil {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	if ok, err := s.ClaimDue(ctx, u, time.Time{}, due.Add(time.Minute), "sched-2"); ok || err != nil {
		t.Fatalf("second claim won: %v %v", ok, err)
	}
	if h, _ := s.Head(ctx, u); !h.DueAt.Equal(due) || h.Schedule != "sched-1" {
		t.Fatalf("head %+v", h)
	}
	// Lease: once, and not for another due time.
	if ok, err := s.Lease(ctx, u, due.Add(time.Second), due, due.Add(time.Minute)); ok || err != nil {
		t.Fatalf("lease of a stale due: %v %v", ok, err)
	}
	if ok, err := s.Lease(ctx, u, due, due, due.Add(2*time.Minute)); !ok || err != nil {
		t.Fatalf("lease: %v %v", ok, err)
	}
	if ok, _ := s.Lease(ctx, u, due, due.Add(time.Minute), due.Add(3*time.Minute)); ok {
		t.Fatal("a live lease was taken twice")
	}
	if ok, _ := s.Lease(ctx, u, due, due.Add(3*time.Minute), due.Add(5*time.Minute)); !ok {
		t.Fatal("an expired lease was not taken over")
	}
	if err := s.ReleaseLease(ctx, u, due); err != nil {
		t.Fatal(err)
	}
	// Move, then finish only the current one.
	later := due.Add(time.Hour)
	if ok, err := s.MoveDue(ctx, u, due, later, "sched-3"); !ok || err != nil {
		t.Fatalf("move: %v %v", ok, err)
	}
	if ok, _ := s.MoveDue(ctx, u, due, later.Add(time.Hour), "sched-4"); ok {
		t.Fatal("moved from a due time that is no longer pending")
	}
	if err := s.Finish(ctx, u, due, later); err != nil { // stale: nothing changes
		t.Fatal(err)
	}
	if h, _ := s.Head(ctx, u); !h.DueAt.Equal(later) || !h.LastSentAt.IsZero() || h.Schedule != "sched-3" {
		t.Fatalf("a stale Finish changed the head: %+v", h)
	}
	if err := s.Finish(ctx, u, later, later); err != nil {
		t.Fatal(err)
	}
	if h, _ := s.Head(ctx, u); !h.DueAt.IsZero() || !h.LastSentAt.Equal(later) || h.Schedule != "" {
		t.Fatalf("after Finish: %+v", h)
	}
	if err := s.DeleteItems(ctx, u, items[:1]); err != nil {
		t.Fatal(err)
	}
	if rest, _ := s.Items(ctx, u); len(rest) != 1 {
		t.Fatalf("after deleting one: %+v", rest)
	}
	// Clear: the pending digest and every item go; lastSentAt stays.
	if ok, _ := s.ClaimDue(ctx, u, time.Time{}, later.Add(time.Hour), "sched-5"); !ok {
		t.Fatal("claim after finish")
	}
	old, err := s.Clear(ctx, u)
	if err != nil || old.Schedule != "sched-5" {
		t.Fatalf("Clear = %+v, %v", old, err)
	}
	if h, _ := s.Head(ctx, u); !h.DueAt.IsZero() || !h.LastSentAt.Equal(later) {
		t.Fatalf("after Clear: %+v", h)
	}
	if rest, _ := s.Items(ctx, u); len(rest) != 0 {
		t.Fatalf("items after Clear: %+v", rest)
	}
}

func TestMemStoreContract(t *testing.T) { storeContract(t, digest.NewMemStore()) }

// TestDynamoStoreContract runs the same on DynamoDB Local (the production
// table schema).
func TestDynamoStoreContract(t *testing.T) {
	cfg := testenv.AWSConfig(t)
	table := testenv.NewTable(t, cfg)
	storeContract(t, digest.NewDynamoStore(dynamodb.NewFromConfig(cfg), table))
}
