package wsapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// fuzzSeeds are frames of every action of protocol.ActionTable: bare, with
// a request id, with each request field set to a value of its type and to
// values of the wrong type, plus envelope oddities.
func fuzzSeeds() []string {
	seeds := []string{
		``, `null`, `[]`, `"x"`, `{}`, `{"action":null}`, `{"action":1}`, `{"Action":"ping"}`,
		`{"action":"ping","requestId":7}`, `{"action":"nope","requestId":"r"}`, "{\"action\":\"ping\",\"x\":\"\xff\"}",
		`{"action":"sendMessage","ACTION":"ping"}`,
	}
	for _, spec := range protocol.ActionTable {
		seeds = append(seeds, fmt.Sprintf(`{"action":%q}`, spec.Name), fmt.Sprintf(`{"action":%q,"requestId":"r-1"}`, spec.Name))
		rt := spec.RequestType()
		if rt == nil {
			continue
		}
		full := map[string]any{"action": spec.Name, "requestId": "r-2"}
		for i := range rt.NumField() {
			name, _, _ := cutTag(rt.Field(i).Tag.Get("json"))
			if name == "" || name == "-" {
				continue
			}
			full[name] = sampleValue(rt.Field(i).Type)
			for _, wrong := range []any{"s", 1, true, []any{1}, map[string]any{"a": 1}, nil} {
				b, _ := json.Marshal(map[string]any{"action": spec.Name, name: wrong})
				seeds = append(seeds, string(b))
			}
		}
		b, _ := json.Marshal(full)
		seeds = append(seeds, string(b))
	}
	return seeds
}

func cutTag(tag string) (name, rest string, ok bool) {
	for i := range len(tag) {
		if tag[i] == ',' {
			return tag[:i], tag[i+1:], true
		}
	}
	return tag, "", false
}

// sampleValue is a plausible value of a request field's type.
func sampleValue(t reflect.Type) any {
	switch t.Kind() {
	case reflect.String:
		return "r-general"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64, reflect.Float64:
		return 3
	case reflect.Bool:
		return true
	case reflect.Slice:
		return []any{sampleValue(t.Elem())}
	case reflect.Map:
		return map[string]any{"r-general": sampleValue(t.Elem())}
	case reflect.Pointer:
		return sampleValue(t.Elem())
	case reflect.Struct:
		m := map[string]any{}
		for i := range t.NumField() {
			if name, _, _ := cutTag(t.Field(i).Tag.Get("json")); name != "" && name != "-" {
				m[name] = sampleValue(t.Field(i).Type)
			}
		}
		return m
	}
	return nil
}

// FuzzDecodeFrame decodes arbitrary bytes as a frame of every action of
// protocol.ActionTable (and as an unknown action's): no panic, errors are
// the client's (Invalid), and what decodes is what was sent: the action
// the frame names, a request of the action's type.
func FuzzDecodeFrame(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add([]byte(s))
	}
	actions, err := bind(protocol.ActionTable, invokers())
	if err != nil {
		f.Fatal(err)
	}
	specs := append([]*action{nil}, func() []*action {
		var as []*action
		for _, spec := range protocol.ActionTable {
			as = append(as, actions[spec.Name])
		}
		return as
	}()...)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, a := range specs {
			fr, err := decodeFrame(body, a)
			if !utf8.ValidString(fr.action) || !utf8.ValidString(fr.requestID) {
				t.Fatalf("decoded envelope is not UTF-8: %q %q", fr.action, fr.requestID)
			}
			if err != nil {
				if chat.ErrorCode(err) != chat.Invalid {
					t.Fatalf("decodeFrame(%q): %v, want an invalid error", body, err)
				}
				continue
			}
			if fr.requestErr != nil && chat.ErrorCode(fr.requestErr) != chat.Invalid {
				t.Fatalf("decodeFrame(%q): request error %v, want invalid", body, fr.requestErr)
			}
			// The action is the exact key "action" (not one that folds to
			// it), as API Gateway's route selection reads it.
			var keys map[string]json.RawMessage
			var want string
			if json.Unmarshal(body, &keys) == nil && json.Unmarshal(keys["action"], &want) == nil && want != fr.action {
				t.Fatalf("decodeFrame(%q): action %q, the frame's \"action\" is %q", body, fr.action, want)
			}
			if a != nil && a.request != nil && fr.requestErr == nil && fr.request.Type() != a.request {
				t.Fatalf("decodeFrame(%q) as %s: request of type %v", body, a.spec.Name, fr.request.Type())
			}
		}
	})
}

// FuzzHandleFrame runs arbitrary frames through the whole action handler
// (decoding, routing, budgets, the real service over the in-memory fakes)
// on a registered connection: every frame gets exactly one reply, a JSON
// event with a type; errors are coded, never internal, and echo the
// request id that was read.
func FuzzHandleFrame(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	c := newTestChat(f)
	c.register(testConn)
	c.user("u-bob", "conn-bob")
	for _, body := range []string{
		`{"action":"createChannel","name":"general"}`,
		`{"action":"createChannel","name":"random","private":true}`,
	} {
		c.do(body)
	}
	known := []chat.Code{chat.Invalid, chat.NotFound, chat.Forbidden, chat.Conflict, chat.TooLarge, chat.RateLimited}
	f.Fuzz(func(t *testing.T, body string) {
		c.advance(time.Minute) // a fresh rate window: frames get past the budget
		req := frameEvent(t, body)
		resp, err := c.actions.Handle(c.ctx, req)
		if err != nil {
			t.Fatalf("Handle(%q) returned error %v", body, err)
		}
		if resp.StatusCode != 200 {
			t.Fatalf("Handle(%q): status %d", body, resp.StatusCode)
		}
		if resp.Body == "" {
			if req.RequestContext.RouteKey == protocol.ActionTyping {
				return // typing has no reply
			}
			t.Fatalf("Handle(%q): empty reply", body)
		}
		var ev struct {
			Type      string    `json:"type"`
			Code      chat.Code `json:"code"`
			RequestID *string   `json:"requestId"`
		}
		if err := json.Unmarshal([]byte(resp.Body), &ev); err != nil {
			t.Fatalf("Handle(%q): reply is not a JSON object: %v\n%s", body, err, resp.Body)
		}
		if ev.Type == "" {
			t.Fatalf("Handle(%q): reply without a type: %s", body, resp.Body)
		}
		if ev.Type == protocol.EventError && !slices.Contains(known, ev.Code) {
			t.Fatalf("Handle(%q): error code %q: %s", body, ev.Code, resp.Body)
		}
	})
}
