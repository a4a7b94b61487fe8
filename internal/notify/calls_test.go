package notify_test

import (
	"context"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/notify"
)

type presence map[string]int // user -> visible tabs

func (p presence) UserPresence(_ context.Context, userID string) (int, int, error) {
	return p[userID], p[userID], nil
}

// TestCallRingerPushesOnlyHiddenPeople: the people rung with a visible tab
// ring there; the others get "Incoming video call" from the caller.
func TestCallRingerPushesOnlyHiddenPeople(t *testing.T) {
	q := &queue{}
	r := &notify.CallRinger{Presence: presence{"bo": 1}, Queue: q}
	call := chat.Call{ID: "d_x/k", RoomID: "d_x", Video: true}
	if err := r.Ring(context.Background(), call, "Ada", chat.Profile{UserID: "ada", DisplayName: "Ada"}, []string{"bo", "cy"}); err != nil {
		t.Fatal(err)
	}
	if len(q.jobs) != 1 {
		t.Fatalf("jobs = %+v", q.jobs)
	}
	j := q.jobs[0]
	if j.UserID != "cy" || j.RoomID != "d_x" || j.Sender != "Ada" || j.Preview != "Incoming video call" || j.Reason != notify.ReasonCall || j.Room != "Ada" {
		t.Errorf("job = %+v", j)
	}
}
