package chattest

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// contractScheduled: scheduled items' states and the conditions between
// edit, cancel and delivery.
func contractScheduled(t *testing.T, s chat.ScheduledStore) {
	ctx := context.Background()
	user := uniq("sched")
	at := ms(time.Now().Add(time.Hour)).Truncate(time.Second)
	msg := chat.ScheduledItem{ID: uniq("m"), UserID: user, Kind: chat.ScheduledMessage, RoomID: "r1", Text: "later", ClientID: "c1", At: at}
	if err := s.PutScheduled(ctx, msg, 2); err != nil {
		t.Fatal(err)
	}
	if err := s.PutScheduled(ctx, msg, 2); chat.ErrorCode(err) != chat.Conflict {
		t.Errorf("the same id again: %v, want conflict", err)
	}
	rem := chat.ScheduledItem{ID: uniq("r"), UserID: user, Kind: chat.ScheduledReminder, RoomID: "r1", Seq: 7, At: at.Add(time.Minute)}
	if err := s.PutScheduled(ctx, rem, 2); err != nil {
		t.Fatal(err)
	}
	third := rem
	third.ID = uniq("r")
	if err := s.PutScheduled(ctx, third, 2); chat.ErrorCode(err) != chat.Conflict {
		t.Errorf("past the cap: %v, want conflict", err)
	}
	got, err := s.GetScheduled(ctx, user, msg.ID)
	if err != nil || got.State != chat.ScheduledPending || got.Text != "later" || !got.At.Equal(at) || got.ClientID != "c1" || got.Kind != chat.ScheduledMessage {
		t.Fatalf("GetScheduled = %+v, %v", got, err)
	}
	if _, err := s.GetScheduled(ctx, user, "nope"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("a missing item: %v", err)
	}
	all, err := s.ListScheduled(ctx, user)
	if err != nil || len(all) != 2 {
		t.Fatalf("ListScheduled = %d items, %v", len(all), err)
	}

	// Edit: only with the time it has.
	later := at.Add(2 * time.Hour)
	if _, err := s.UpdateScheduled(ctx, user, msg.ID, later, "x", later); chat.ErrorCode(err) != chat.Conflict {
		t.Errorf("an edit with a stale time: %v", err)
	}
	up, err := s.UpdateScheduled(ctx, user, msg.ID, at, "edited", later)
	if err != nil || up.Text != "edited" || !up.At.Equal(later) || up.State != chat.ScheduledPending {
		t.Fatalf("UpdateScheduled = %+v, %v", up, err)
	}

	// A stale schedule (the old time) claims nothing; the current one does,
	// and again (a retried delivery); then no edit or cancel.
	if _, err := s.ClaimScheduled(ctx, user, msg.ID, at); chat.ErrorCode(err) != chat.Conflict {
		t.Errorf("claim at the old time: %v", err)
	}
	for range 2 {
		if c, err := s.ClaimScheduled(ctx, user, msg.ID, later); err != nil || c.State != chat.ScheduledSending {
			t.Fatalf("ClaimScheduled = %+v, %v", c, err)
		}
	}
	if _, err := s.UpdateScheduled(ctx, user, msg.ID, later, "x", later); chat.ErrorCode(err) != chat.Conflict {
		t.Errorf("edit while sending: %v", err)
	}
	if _, err := s.DeleteScheduled(ctx, user, msg.ID, true); chat.ErrorCode(err) != chat.Conflict {
		t.Errorf("cancel while sending: %v", err)
	}
	now := ms(time.Now())
	failed, err := s.SettleScheduled(ctx, user, msg.ID, chat.ScheduledFailed, "you left", now, now.Add(time.Hour))
	if err != nil || failed.State != chat.ScheduledFailed || failed.Reason != "you left" || !failed.FiredAt.Equal(now) {
		t.Fatalf("SettleScheduled = %+v, %v", failed, err)
	}
	if _, err := s.ClaimScheduled(ctx, user, msg.ID, later); chat.ErrorCode(err) != chat.Conflict {
		t.Errorf("claim a failed item: %v", err)
	}
	// Dismissed; a pending one cancelled.
	if old, err := s.DeleteScheduled(ctx, user, msg.ID, false); err != nil || old.ID != msg.ID {
		t.Fatalf("DeleteScheduled = %+v, %v", old, err)
	}
	if _, err := s.DeleteScheduled(ctx, user, msg.ID, false); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("delete twice: %v", err)
	}
	if _, err := s.DeleteScheduled(ctx, user, rem.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimScheduled(ctx, user, rem.ID, rem.At); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("claim a cancelled item: %v", err)
	}
	if all, _ := s.ListScheduled(ctx, user); len(all) != 0 {
		t.Errorf("left: %+v", all)
	}
}
