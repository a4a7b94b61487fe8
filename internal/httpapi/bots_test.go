package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// botAPI: the API over a service on the in-memory store, with #ops (the
// bot's room) and a private #secret, and a bot in #ops; it returns the
// API and the bot's token.
func botAPI(t *testing.T) (*API, string, *chattest.Store) {
	t.Helper()
	ctx := context.Background()
	store := chattest.NewStore()
	svc, err := service.New(service.Config{Store: store, Fanout: chattest.NewFanout(), RatePerWindow: 1000, ReadsPerWindow: 1000})
	if err != nil {
		t.Fatal(err)
	}
	admin := chat.Connection{ID: "c-adm", Identity: chat.Identity{UserID: "adm", Username: "adm", DisplayName: "Adm", Groups: []string{chat.GroupAdmins}}}
	if err := svc.Connect(ctx, admin); err != nil {
		t.Fatal(err)
	}
	ops, err := svc.CreateChannel(ctx, admin, protocol.CreateChannelRequest{Name: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateChannel(ctx, admin, protocol.CreateChannelRequest{Name: "secret", Private: true}); err != nil {
		t.Fatal(err)
	}
	b, err := svc.CreateBot(ctx, admin, protocol.CreateBotRequest{Name: "CI"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddBotToRoom(ctx, admin, protocol.RoomBotRequest{RoomID: ops.Room.ID, BotID: b.Bot.ID}); err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{Chat: svc, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return a, b.Token, store
}

func botReq(method, path, token, body string) events.APIGatewayV2HTTPRequest {
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	path, query, _ := strings.Cut(path, "?")
	ev := req(method, path, ct, body)
	if q, err := url.ParseQuery(query); err == nil && query != "" {
		ev.RawQueryString = query
		ev.QueryStringParameters = map[string]string{}
		for k, v := range q {
			ev.QueryStringParameters[k] = v[0]
		}
	}
	if token != "" {
		ev.Headers["authorization"] = "Bearer " + token
	}
	ev.RequestContext.RequestID = "req-" + time.Now().Format("150405.000000")
	return ev
}

// TestBotRoutes: the routes answer the protocol's reply events for the
// bot's room and the policy's refusals as JSON with their statuses.
func TestBotRoutes(t *testing.T) {
	a, token, _ := botAPI(t)
	ctx := context.Background()
	do := func(method, path, tok, body string) (int, map[string]any) {
		t.Helper()
		resp, err := a.Handle(ctx, botReq(method, path, tok, body))
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		if resp.Body != "" {
			if err := json.Unmarshal([]byte(resp.Body), &out); err != nil {
				t.Fatalf("%s %s: %q", method, path, resp.Body)
			}
		}
		return resp.StatusCode, out
	}
	st, body := do("GET", "/api/v1/rooms", token, "")
	rooms, _ := body["rooms"].([]any)
	if st != 200 || len(rooms) != 1 {
		t.Fatalf("rooms: %d %v", st, body)
	}
	ops := rooms[0].(map[string]any)["roomId"].(string)
	if st, body = do("POST", "/api/v1/rooms/"+ops+"/messages", token, `{"text":"hi","clientId":"c1"}`); st != 200 || body["type"] != protocol.EventAck {
		t.Errorf("post: %d %v", st, body)
	}
	if st, body = do("GET", "/api/v1/me", token, ""); st != 200 || body["bot"] != true {
		t.Errorf("me: %d %v", st, body)
	}
	for _, c := range []struct {
		method, path, token, body string
		status                    int
		code                      string
	}{
		{"GET", "/api/v1/rooms", "", "", 401, "unauthorized"},
		{"GET", "/api/v1/rooms", "bcb_nope", "", 401, "unauthorized"},
		{"GET", "/api/v1/rooms", "eyJhbGciOi.x.y", "", 401, "unauthorized"},
		{"POST", "/api/v1/rooms/general/messages", token, `{"text":"x"}`, 403, "forbidden"},
		{"GET", "/api/v1/rooms/c_missing/messages", token, "", 404, "not_found"},
		{"POST", "/api/v1/actions/createChannel", token, `{"name":"x"}`, 403, "forbidden"},
		{"POST", "/api/v1/actions/nope", token, `{}`, 404, "no_route"},
		{"POST", "/api/v1/rooms/" + ops + "/messages", token, `{"text": 5}`, 400, "invalid"},
		{"POST", "/api/v1/rooms/" + ops + "/messages/x/reactions", token, `{"emoji":"👍"}`, 400, "invalid"},
		{"GET", "/api/v1/rooms/" + ops + "/messages?limit=-1", token, "", 400, "invalid"},
		{"POST", "/api/v1/actions/sendMessage", token, `{"action":"createChannel","roomId":"` + ops + `","text":"x","clientId":"z"}`, 400, "invalid"},
	} {
		st, body := do(c.method, c.path, c.token, c.body)
		if st != c.status || errorCodeOf(body) != c.code {
			t.Errorf("%s %s: %d %v, want %d %s", c.method, c.path, st, body, c.status, c.code)
		}
	}
}

func errorCodeOf(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}
