package integration

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// botHTTP is one request to the stack's HTTP API with a bearer token; it
// returns the status and the decoded JSON body.
func botHTTP(t *testing.T, base, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: %d, not JSON: %s", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, out
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// TestBotOverHTTPAndWebSocket: an admin creates a bot over the WebSocket,
// the channel's owner adds it to #ops; with its token the bot, over the
// HTTP API on a real socket, lists its rooms, posts, replies in a thread,
// reacts and reads #ops' history, while a member's socket receives each;
// it is refused (403 JSON) in #general, which it was not added to, and
// (404) in a private channel; the same token connects over the WebSocket
// and acts as the bot; once rotated the old token is refused by both
// transports and the new one works; a deleted bot's token is refused.
func TestBotOverHTTPAndWebSocket(t *testing.T) {
	s := newStack(t, generousLimits)
	api := s.httpAPI()
	adm := s.staff(s.newUser("adm", "Ad Min"), chat.GroupAdmins)
	admin, _ := s.online(adm)
	alice, _ := s.online(s.newUser("alice", "Alice"))

	ops := decode[protocol.RoomEvent](t, alice.call(protocol.ActionCreateChannel, map[string]any{"name": "ops"}, protocol.EventRoom)).Room.Room
	secret := decode[protocol.RoomEvent](t, alice.call(protocol.ActionCreateChannel, map[string]any{"name": "secret", "private": true}, protocol.EventRoom)).Room.Room
	created := decode[protocol.BotEvent](t, admin.call(protocol.ActionCreateBot, map[string]any{"name": "Deploy bot"}, protocol.EventBot))
	botID, token := created.Bot.ID, created.Token
	if !chat.IsBotID(botID) || !strings.HasPrefix(token, chat.BotTokenPrefix) || created.Bot.CreatedBy != adm.id {
		t.Fatalf("createBot: %+v", created)
	}
	// Only admins manage bots; only the room's owners (and admins) add them.
	alice.callError(protocol.ActionCreateBot, map[string]any{"name": "Mine"}, string(chat.Forbidden))
	members := decode[protocol.MembersEvent](t, alice.call(protocol.ActionAddBotToRoom, map[string]any{"roomId": ops.ID, "botId": botID}, protocol.EventMembers))
	var sawBot bool
	for _, m := range members.Members {
		sawBot = sawBot || (m.UserID == botID && m.Bot)
	}
	if !sawBot {
		t.Fatalf("members after addBotToRoom: %+v", members.Members)
	}

	// No token, a wrong one: 401 JSON.
	if st, body := botHTTP(t, api, "", "GET", "/api/v1/rooms", nil); st != 401 || errCode(body) != "unauthorized" {
		t.Errorf("no token: %d %v", st, body)
	}
	if st, _ := botHTTP(t, api, "bcb_wrong", "GET", "/api/v1/rooms", nil); st != 401 {
		t.Errorf("wrong token: %d", st)
	}
	// A person's ID token is not a bot credential.
	if st, _ := botHTTP(t, api, adm.token, "GET", "/api/v1/rooms", nil); st != 401 {
		t.Errorf("a person's token: %d", st)
	}

	st, body := botHTTP(t, api, token, "GET", "/api/v1/rooms", nil)
	rooms, _ := body["rooms"].([]any)
	if st != 200 || len(rooms) != 1 || rooms[0].(map[string]any)["roomId"] != ops.ID {
		t.Fatalf("list rooms: %d %v", st, body)
	}
	alice.drain()
	st, body = botHTTP(t, api, token, "POST", "/api/v1/rooms/"+ops.ID+"/messages", map[string]any{"text": "deploy 42 is green", "clientId": "d42"})
	if st != 200 || body["type"] != protocol.EventAck {
		t.Fatalf("post: %d %v", st, body)
	}
	seq := int64(body["message"].(map[string]any)["seq"].(float64))
	alice.expectEvent(protocol.EventMessage, func(f frame) bool {
		m, _ := f.fields["message"].(map[string]any)
		return m["seq"] == float64(seq) && m["senderId"] == botID && m["text"] == "deploy 42 is green"
	})
	// The same clientId again: the stored message, no second copy.
	if st, again := botHTTP(t, api, token, "POST", "/api/v1/rooms/"+ops.ID+"/messages", map[string]any{"text": "deploy 42 is green", "clientId": "d42"}); st != 200 ||
		again["message"].(map[string]any)["seq"] != float64(seq) {
		t.Errorf("retry: %d %v", st, again)
	}
	st, body = botHTTP(t, api, token, "POST", "/api/v1/rooms/"+ops.ID+"/messages/"+strconv.FormatInt(seq, 10)+"/replies", map[string]any{"text": "changelog: …"})
	if st != 200 || body["message"].(map[string]any)["parentSeq"] != float64(seq) {
		t.Fatalf("reply: %d %v", st, body)
	}
	st, body = botHTTP(t, api, token, "POST", "/api/v1/rooms/"+ops.ID+"/messages/"+strconv.FormatInt(seq, 10)+"/reactions", map[string]any{"emoji": "🚀"})
	if st != 200 || body["type"] != protocol.EventMessageUpdated {
		t.Fatalf("react: %d %v", st, body)
	}
	alice.expectEvent(protocol.EventMessageUpdated, func(f frame) bool {
		m, _ := f.fields["message"].(map[string]any)
		return m["seq"] == float64(seq) && strings.Contains(string(f.raw), "🚀")
	})
	if st, body = botHTTP(t, api, token, "DELETE", "/api/v1/rooms/"+ops.ID+"/messages/"+strconv.FormatInt(seq, 10)+"/reactions/"+url.PathEscape("🚀"), nil); st != 200 {
		t.Errorf("unreact: %d %v", st, body)
	}
	st, body = botHTTP(t, api, token, "GET", "/api/v1/rooms/"+ops.ID+"/messages?limit=10", nil)
	if msgs, _ := body["messages"].([]any); st != 200 || body["type"] != protocol.EventHistory || len(msgs) == 0 {
		t.Fatalf("history: %d %v", st, body)
	}
	st, body = botHTTP(t, api, token, "GET", "/api/v1/rooms/"+ops.ID+"/messages/"+strconv.FormatInt(seq, 10)+"/replies", nil)
	if st != 200 || body["type"] != protocol.EventThreadHistory {
		t.Fatalf("thread: %d %v", st, body)
	}
	// The generic route: any action by name, same policy.
	if st, body = botHTTP(t, api, token, "POST", "/api/v1/actions/listMembers", map[string]any{"roomId": ops.ID}); st != 200 || body["type"] != protocol.EventMembers {
		t.Errorf("actions/listMembers: %d %v", st, body)
	}

	// Not its rooms, not its actions.
	if st, body = botHTTP(t, api, token, "POST", "/api/v1/rooms/general/messages", map[string]any{"text": "hi"}); st != 403 || errCode(body) != "forbidden" {
		t.Errorf("post in #general: %d %v", st, body)
	}
	if st, body = botHTTP(t, api, token, "GET", "/api/v1/rooms/general/messages", nil); st != 403 {
		t.Errorf("history of #general: %d %v", st, body)
	}
	if st, body = botHTTP(t, api, token, "GET", "/api/v1/rooms/"+secret.ID+"/messages", nil); st != 404 || errCode(body) != "not_found" {
		t.Errorf("history of a private channel: %d %v", st, body)
	}
	for _, a := range []struct {
		action string
		body   map[string]any
	}{
		{"createChannel", map[string]any{"name": "botland"}},
		{"joinChannel", map[string]any{"roomId": "general"}},
		{"openDirect", map[string]any{"userIds": []string{adm.id}}},
		{"createBot", map[string]any{"name": "child"}},
		{"deleteMessage", map[string]any{"roomId": ops.ID, "seq": 1}},
	} {
		if st, body := botHTTP(t, api, token, "POST", "/api/v1/actions/"+a.action, a.body); st != 403 {
			t.Errorf("actions/%s: %d %v, want 403", a.action, st, body)
		}
	}
	if st, _ := botHTTP(t, api, token, "POST", "/api/v1/actions/launchMissiles", map[string]any{}); st != 404 {
		t.Errorf("unknown action: %d", st)
	}

	// Over the WebSocket, the same token is the same bot.
	ws := s.connect(user{name: "bot", token: token})
	state := decode[protocol.StateEvent](t, ws.call(protocol.ActionGetState, nil, protocol.EventState))
	if state.Me.UserID != botID || !state.Me.Bot || len(state.Rooms) != 1 {
		t.Fatalf("bot's getState: me %+v, %d rooms", state.Me, len(state.Rooms))
	}
	ws.call(protocol.ActionSendMessage, map[string]any{"roomId": ops.ID, "clientId": "ws1", "text": "over the socket"}, protocol.EventAck)
	ws.callError(protocol.ActionSendMessage, map[string]any{"roomId": "general", "clientId": "ws2", "text": "x"}, string(chat.Forbidden))
	ws.callError(protocol.ActionCreateChannel, map[string]any{"name": "botland"}, string(chat.Forbidden))

	// Rotation: the old token is refused by both transports at once.
	rotated := decode[protocol.BotEvent](t, admin.call(protocol.ActionRotateBotToken, map[string]any{"botId": botID}, protocol.EventBot))
	if st, _ := botHTTP(t, api, token, "GET", "/api/v1/rooms", nil); st != 401 {
		t.Errorf("old token after rotation: %d", st)
	}
	if _, resp, err := dial(t, s.gw.URL(), token); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("old token at $connect: %v (%v)", err, resp)
	}
	ws.waitClosed() // rotation closes the connections the old token opened
	if st, _ := botHTTP(t, api, rotated.Token, "GET", "/api/v1/rooms", nil); st != 200 {
		t.Errorf("new token: %d", st)
	}
	admin.call(protocol.ActionDeleteBot, map[string]any{"botId": botID}, protocol.EventBot)
	if st, _ := botHTTP(t, api, rotated.Token, "GET", "/api/v1/rooms", nil); st != 401 {
		t.Errorf("deleted bot's token: %d", st)
	}
}
