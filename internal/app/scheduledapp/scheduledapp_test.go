package scheduledapp_test

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/app/scheduledapp"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// TestHandle: a malformed event is dropped (not retried); a stale one
// (no such item) is done; a store failure is an error (Lambda retries).
func TestHandle(t *testing.T) {
	store := chattest.NewStore()
	svc, err := service.New(service.Config{Store: store, Fanout: chattest.NewFanout()})
	if err != nil {
		t.Fatal(err)
	}
	a := scheduledapp.New(svc, nil)
	ctx := context.Background()
	for _, raw := range []string{`not json`, `{}`, `{"userId":"u1","id":"x"}`} {
		if err := a.Handle(ctx, []byte(raw)); err != nil {
			t.Errorf("%s: %v, want dropped", raw, err)
		}
	}
	at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if err := a.Handle(ctx, []byte(`{"userId":"u1","id":"gone","at":"`+at+`"}`)); err != nil {
		t.Errorf("stale: %v", err)
	}
	store.FailOn("ClaimScheduled", chat.Errorf(chat.Internal, "down"))
	if err := a.Handle(ctx, []byte(`{"userId":"u1","id":"gone","at":"`+at+`"}`)); err == nil {
		t.Error("a store failure was not an error")
	}
}
