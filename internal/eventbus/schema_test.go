package eventbus

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// sampleEvents has one fully populated event of every type, so the check
// below sees every optional field too.
func sampleEvents() []chat.Event {
	at := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	msg := chat.Message{
		RoomID: "general", Seq: 7, ClientID: "c-1", SenderID: "u-1", SenderName: "Ana",
		Text: "hi @Bo", Mentions: []string{"u-2"}, CreatedAt: at, EditedAt: at,
		Attachments: []chat.Attachment{{Key: "rooms/general/u-1/x/a.png", Name: "a.png", Size: 3, Type: "image/png", Width: 2, Height: 1, ThumbKey: "thumbs/x"}},
	}
	room := chat.Room{ID: "d-1", Kind: chat.KindDirect, Name: "Ana, Bo", Topic: "t", CreatedBy: "u-1", CreatedAt: at, MemberCount: 2, MemberIDs: []string{"u-1", "u-2"}}
	actor := chat.Actor{UserID: "u-1"}
	return []chat.Event{
		chat.MessageCreated{Actor: actor, Message: msg},
		chat.MessageCreated{Actor: chat.Actor{UserID: "u-1"}, Message: chat.Message{RoomID: "general", Seq: 8, SenderID: "hook:wh_1", SenderName: "CI", Text: "green",
			CreatedAt: at, Integration: &chat.MessageIntegration{Kind: chat.IntegrationWebhook, ID: "wh_1", Name: "CI", AvatarURL: "https://ci.example.com/a.png"}}},
		chat.MessageCreated{Actor: chat.Actor{UserID: "bot_1"}, Message: chat.Message{RoomID: "general", Seq: 9, SenderID: "bot_1", SenderName: "Helper", Text: "hi", CreatedAt: at}},
		chat.MessageEdited{Actor: actor, Message: msg},
		chat.MessageDeleted{Actor: actor, Message: chat.Message{RoomID: "general", Seq: 7, SenderID: "u-1", CreatedAt: at, EditedAt: at, Deleted: true}},
		chat.MemberJoined{Actor: actor, Member: chat.Member{RoomID: "general", UserID: "u-2", Role: chat.RoleMember, JoinedAt: at}},
		chat.MemberLeft{Actor: actor, RoomID: "general", UserID: "u-2", At: at},
		chat.RoomCreated{Actor: actor, Room: room},
		chat.RoomUpdated{Actor: actor, Room: room},
		chat.ProfileUpdated{Actor: actor, Profile: chat.Profile{UserID: "u-1", Username: "ana", DisplayName: "Ana", AvatarColor: "#123456", AvatarKey: "avatars/u-1/x.png"}},
	}
}

func TestDetailTypesCoverEveryEventType(t *testing.T) {
	for _, et := range chat.EventTypes {
		if _, ok := DetailTypes[et]; !ok {
			t.Errorf("DetailTypes lacks %s", et)
		}
	}
	if len(DetailTypes) != len(chat.EventTypes) {
		t.Errorf("DetailTypes has %d entries, chat.EventTypes %d", len(DetailTypes), len(chat.EventTypes))
	}
	for _, ev := range sampleEvents() {
		d, _, err := Detail(ev, true)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := reflect.TypeOf(d), DetailTypes[ev.Type()]; got != want {
			t.Errorf("%s: Detail returns %s, DetailTypes says %s", ev.Type(), got, want)
		}
	}
}

// TestDetailsMatchTheirSchema checks every published detail against its
// schema: each field is declared with the right JSON type, and every
// required field is there. (A full draft-4 validator is not needed for
// these flat, closed shapes.)
func TestDetailsMatchTheirSchema(t *testing.T) {
	for _, includeText := range []bool{false, true} {
		for _, ev := range sampleEvents() {
			raw, err := Schema(ev.Type())
			if err != nil {
				t.Fatal(err)
			}
			var schema map[string]any
			if err := json.Unmarshal(raw, &schema); err != nil {
				t.Fatalf("%s: schema is not JSON: %v", ev.Type(), err)
			}
			props := schema["properties"].(map[string]any)
			if got := props["detail-type"].(map[string]any)["enum"]; !reflect.DeepEqual(got, []any{string(ev.Type())}) {
				t.Errorf("%s: detail-type enum %v", ev.Type(), got)
			}
			d, _, err := Detail(ev, includeText)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(d)
			var detail any
			_ = json.Unmarshal(b, &detail)
			checkAgainst(t, string(ev.Type())+".detail", props["detail"].(map[string]any), detail)
		}
	}
}

func checkAgainst(t *testing.T, path string, schema map[string]any, v any) {
	t.Helper()
	want := schema["type"].(string)
	var got string
	switch v.(type) {
	case map[string]any:
		got = "object"
	case []any:
		got = "array"
	case string:
		got = "string"
	case bool:
		got = "boolean"
	case float64:
		got = "integer"
		if f := v.(float64); f != float64(int64(f)) {
			got = "number"
		}
	case nil:
		got = "null"
	}
	if got != want && (want != "number" || got != "integer") {
		t.Errorf("%s: value is %s, schema says %s", path, got, want)
		return
	}
	switch val := v.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		for k, fv := range val {
			ps, ok := props[k].(map[string]any)
			if !ok {
				t.Errorf("%s.%s: not in the schema", path, k)
				continue
			}
			checkAgainst(t, path+"."+k, ps, fv)
		}
		req, _ := schema["required"].([]any)
		for _, r := range req {
			if _, ok := val[r.(string)]; !ok {
				t.Errorf("%s: required %s missing", path, r)
			}
		}
	case []any:
		for _, item := range val {
			checkAgainst(t, path+"[]", schema["items"].(map[string]any), item)
		}
	}
}

func TestSchemaNames(t *testing.T) {
	var names []string
	for _, et := range chat.EventTypes {
		names = append(names, SchemaName(et))
	}
	if !slices.Contains(names, "backchannel@message.created") {
		t.Errorf("names %v", names)
	}
	if _, err := Schema("nope.nothing"); err == nil {
		t.Error("unknown event type has a schema")
	}
}

// TestMessageDetailMarksIntegrationsAndBots: an integration's message
// carries integration (kind, id, name; never the picture URL), a bot's
// bot: true, a person's neither, so bots on the bus can skip both
// without parsing senderId prefixes.
func TestMessageDetailMarksIntegrationsAndBots(t *testing.T) {
	at := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		msg  chat.Message
		want string
	}{
		{chat.Message{RoomID: "r", Seq: 1, SenderID: "u-1", CreatedAt: at}, `{}`},
		{chat.Message{RoomID: "r", Seq: 2, SenderID: "hook:wh_1", CreatedAt: at,
			Integration: &chat.MessageIntegration{Kind: chat.IntegrationWebhook, ID: "wh_1", Name: "CI", AvatarURL: "https://x/a.png"}},
			`{"integration":{"kind":"webhook","id":"wh_1","name":"CI"}}`},
		{chat.Message{RoomID: "r", Seq: 3, SenderID: "integration:ig_1", CreatedAt: at,
			Integration: &chat.MessageIntegration{Kind: chat.IntegrationCommand, ID: "ig_1", Name: "/deploy"}},
			`{"integration":{"kind":"command","id":"ig_1","name":"/deploy"}}`},
		{chat.Message{RoomID: "r", Seq: 4, SenderID: "bot_abc", CreatedAt: at}, `{"bot":true}`},
	} {
		for _, ev := range []chat.Event{chat.MessageCreated{Message: tc.msg}, chat.MessageEdited{Message: tc.msg}} {
			d, _, err := Detail(ev, false)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(d)
			var got map[string]any
			_ = json.Unmarshal(b, &got)
			marks := map[string]any{}
			for _, k := range []string{"integration", "bot"} {
				if v, ok := got[k]; ok {
					marks[k] = v
				}
			}
			mb, _ := json.Marshal(marks)
			var w any
			_ = json.Unmarshal([]byte(tc.want), &w)
			wb, _ := json.Marshal(w)
			if string(mb) != string(wb) {
				t.Errorf("%s of %s: marks %s, want %s", ev.Type(), tc.msg.SenderID, mb, wb)
			}
		}
	}
}
