package outhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/outhook"
)

type fakeStore struct {
	hooks []chat.Integration
	msgs  map[int64]chat.Message
}

func (f fakeStore) ListIntegrations(_ context.Context, roomID string, _ chat.IntegrationKind) ([]chat.Integration, error) {
	return f.hooks, nil
}

func (f fakeStore) GetMessage(_ context.Context, _ string, seq int64) (chat.Message, error) {
	m, ok := f.msgs[seq]
	if !ok {
		return m, chat.Errorf(chat.NotFound, "gone")
	}
	return m, nil
}

func created(seq int64, sender string) outhook.BusEvent {
	d, _ := json.Marshal(map[string]any{"roomId": "c_ops", "seq": seq, "senderId": sender})
	return outhook.BusEvent{ID: "ev-1", DetailType: "message.created", Source: "backchannel", Detail: d}
}

// TestDeliverFiresAndSigns: only the hooks a message fires are posted,
// each signed with its own secret; integration posts, other event types
// and gone messages post nothing; a 4xx is not retried in the invocation,
// a 5xx is, and both fail the invocation (Lambda's retries, then the
// dead-letter queue).
func TestDeliverFiresAndSigns(t *testing.T) {
	var mu sync.Mutex
	got := map[string][]outhook.WebhookPayload{}
	status := map[string]int{"/a": 200, "/b": 200}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		secret := "sec" + r.URL.Path
		if err := outhook.Verify(secret, r.Header, body, time.Now()); err != nil {
			http.Error(w, err.Error(), 401)
			return
		}
		var p outhook.WebhookPayload
		_ = json.Unmarshal(body, &p)
		mu.Lock()
		got[r.URL.Path] = append(got[r.URL.Path], p)
		st := status[r.URL.Path]
		mu.Unlock()
		w.WriteHeader(st)
	}))
	defer srv.Close()
	store := fakeStore{
		hooks: []chat.Integration{
			{ID: "a", Kind: chat.KindOutgoing, URL: srv.URL + "/a", Secret: "sec/a", TriggerWords: []string{"deploy"}},
			{ID: "b", Kind: chat.KindOutgoing, URL: srv.URL + "/b", Secret: "sec/b", AllMessages: true},
		},
		msgs: map[int64]chat.Message{
			1: {RoomID: "c_ops", Seq: 1, SenderID: "ann", Text: "time to deploy"},
			2: {RoomID: "c_ops", Seq: 2, SenderID: "ann", Text: "hello"},
		},
	}
	d := &outhook.Deliverer{Store: store, Client: &outhook.Client{AllowPrivate: true}, Backoff: []time.Duration{time.Millisecond}}
	ctx := context.Background()
	if err := d.Deliver(ctx, created(1, "ann")); err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver(ctx, created(2, "ann")); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got["/a"]) != 1 || got["/a"][0].TriggerWord != "deploy" || got["/a"][0].DeliveryID != "ev-1:a" || len(got["/b"]) != 2 {
		t.Fatalf("deliveries %+v", got)
	}
	mu.Unlock()
	for _, ev := range []outhook.BusEvent{created(1, "integration:ig_x"), created(2, "hook:c_x.wh_y"), created(9, "ann"), {DetailType: "member.joined"}} {
		if err := d.Deliver(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	if len(got["/a"]) != 1 || len(got["/b"]) != 2 {
		t.Fatalf("posted for an integration's message, a gone one or another event: %+v", got)
	}
	status["/a"], status["/b"] = 410, 503
	mu.Unlock()
	if err := d.Deliver(ctx, created(1, "ann")); err == nil {
		t.Fatal("failures did not fail the invocation")
	}
	mu.Lock()
	if len(got["/a"]) != 2 || len(got["/b"]) != 4 {
		t.Fatalf("4xx tried %d times (want once more), 5xx %d (want twice more)", len(got["/a"])-1, len(got["/b"])-2)
	}
}
