package samplebot

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

func TestParseWhen(t *testing.T) {
	for in, want := range map[string]struct {
		d    time.Duration
		what string
	}{
		"in 10m stand-up":          {10 * time.Minute, "stand-up"},
		"10m stand-up":             {10 * time.Minute, "stand-up"},
		"2h call Bob":              {2 * time.Hour, "call Bob"},
		"in 2 hours call Bob":      {2 * time.Hour, "call Bob"},
		"1d ship the release":      {24 * time.Hour, "ship the release"},
		"90 minutes tea, then out": {90 * time.Minute, "tea, then out"},
	} {
		d, what, err := ParseWhen(in)
		if err != nil || d != want.d || what != want.what {
			t.Errorf("ParseWhen(%q) = %v, %q, %v", in, d, what, err)
		}
	}
	for _, in := range []string{"", "in", "soon tea", "10 fortnights tea", "10m", "0m tea", "31d tea", "-5m tea"} {
		if _, _, err := ParseWhen(in); err == nil {
			t.Errorf("ParseWhen(%q) accepted", in)
		}
	}
}

// TestHandleSkipsBotsAndIntegrations: a message.created whose detail marks
// a bot's or an integration's post makes no request at all (no answer, no
// read); a person's message with the same sender id prefixes the bot used
// to check is read (the marks decide, not the ids).
func TestHandleSkipsBotsAndIntegrations(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.Method+" "+r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/me":
			_, _ = w.Write([]byte(`{"userId":"bot_me","name":"Helper"}`))
		default:
			_, _ = w.Write([]byte(`{"messages":[]}`))
		}
	}))
	defer srv.Close()
	b := &Bot{API: srv.URL, Token: "bcb_x"}
	handle := func(detail string) []string {
		t.Helper()
		mu.Lock()
		paths = nil
		mu.Unlock()
		if err := b.Handle(context.Background(), events.EventBridgeEvent{DetailType: "message.created", Detail: json.RawMessage(detail)}); err != nil {
			t.Fatalf("%s: %v", detail, err)
		}
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), paths...)
	}
	for _, d := range []string{
		`{"roomId":"c_1","seq":2,"senderId":"hook:wh_1","mentions":["bot_me"],"integration":{"kind":"webhook","id":"wh_1","name":"CI"}}`,
		`{"roomId":"c_1","seq":3,"senderId":"integration:ig_1","integration":{"kind":"command","id":"ig_1","name":"/deploy"}}`,
		`{"roomId":"c_1","seq":4,"senderId":"bot_other","mentions":["bot_me"],"bot":true}`,
		`{"roomId":"c_1","seq":5,"senderId":"bot_me","bot":true}`,
	} {
		if got := handle(d); len(got) != 0 {
			t.Errorf("%s made requests %v", d, got)
		}
	}
	if got := handle(`{"roomId":"c_1","seq":6,"senderId":"u-ann","mentions":["bot_me"]}`); !slices.Contains(got, "GET /api/v1/rooms/c_1/messages") {
		t.Errorf("a person's message was not read: %v", got)
	}
}
