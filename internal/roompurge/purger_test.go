package roompurge_test

import (
	"context"
	"errors"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/roompurge"
)

type fakeStore struct {
	calls []string
	fail  string
}

func (f *fakeStore) PurgeRoom(_ context.Context, roomID string, maxItems int) (bool, error) {
	f.calls = append(f.calls, roomID)
	if maxItems != roompurge.DefaultMaxItems {
		return false, errors.New("wrong budget")
	}
	if roomID == f.fail {
		return false, errors.New("throttled")
	}
	return true, nil
}

// One pass per room.deleted and per continuation, nothing for other
// events; a failed pass names its event, so the stream retries from its
// record.
func TestPurgerPassPerEvent(t *testing.T) {
	st := &fakeStore{fail: "r3"}
	p := roompurge.New(st, 0, nil)
	evs := []chat.Event{
		chat.MessageDeleted{Message: chat.Message{RoomID: "r1"}},
		chat.RoomDeleted{Room: chat.Room{ID: "r1"}},
		chat.RoomUpdated{Room: chat.Room{ID: "r2"}},
		chat.RoomPurgeContinued{RoomID: "r2", Pass: 4},
		chat.RoomPurgeContinued{RoomID: "r3", Pass: 1},
		chat.RoomDeleted{Room: chat.Room{ID: "r4"}},
	}
	err := p.Consume(context.Background(), evs)
	var pf *chat.PartialFailure
	if !errors.As(err, &pf) || pf.Index != 4 {
		t.Fatalf("err = %v, want a failure at event 4", err)
	}
	if got := st.calls; len(got) != 3 || got[0] != "r1" || got[1] != "r2" || got[2] != "r3" {
		t.Errorf("passes for %v", got)
	}
}
