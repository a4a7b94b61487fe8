package eventbus

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// DetailTypes maps every event type to the Go type of its detail. The
// schema registry in the CDK stack (infra/chatstack) and docs/EVENTS.md
// describe these types; a test ties this table to chat.EventTypes and to
// what Detail returns.
var DetailTypes = map[chat.EventType]reflect.Type{
	chat.EventMessageCreated: reflect.TypeFor[MessageDetail](),
	chat.EventMessageEdited:  reflect.TypeFor[MessageDetail](),
	chat.EventMessageDeleted: reflect.TypeFor[MessageDetail](),
	chat.EventMemberJoined:   reflect.TypeFor[MemberJoinedDetail](),
	chat.EventMemberLeft:     reflect.TypeFor[MemberLeftDetail](),
	chat.EventMemberUpdated:  reflect.TypeFor[MemberUpdatedDetail](),
	chat.EventRoomCreated:    reflect.TypeFor[RoomDetail](),
	chat.EventRoomUpdated:    reflect.TypeFor[RoomDetail](),
	chat.EventRoomDeleted:    reflect.TypeFor[RoomDeletedDetail](),
	chat.EventProfileUpdated: reflect.TypeFor[ProfileDetail](),
}

// SchemaName is the name of t's schema in the registry:
// "backchannel@message.created" in the form EventBridge's own discovered
// schemas take ("<source>@<detail-type>").
func SchemaName(t chat.EventType) string { return Source + "@" + string(t) }

// Schema is the JSON Schema (draft 4, the dialect EventBridge's schema
// registry takes) of a whole event of type t as a rule target receives it:
// the envelope with source and detail-type fixed, and the detail.
func Schema(t chat.EventType) ([]byte, error) {
	dt, ok := DetailTypes[t]
	if !ok {
		return nil, fmt.Errorf("eventbus: no detail type for %q", t)
	}
	str := map[string]any{"type": "string"}
	envelope := map[string]any{
		"$schema":     "http://json-schema.org/draft-04/schema#",
		"title":       SchemaName(t),
		"description": fmt.Sprintf("Backchannel %s event (detail schema version %d); see docs/EVENTS.md.", t, SchemaVersion),
		"type":        "object",
		"properties": map[string]any{
			"version":     str,
			"id":          str,
			"detail-type": map[string]any{"type": "string", "enum": []string{string(t)}},
			"source":      map[string]any{"type": "string", "enum": []string{Source}},
			"account":     str,
			"time":        map[string]any{"type": "string", "format": "date-time"},
			"region":      str,
			"resources":   map[string]any{"type": "array", "items": str},
			"detail":      schemaOf(dt),
		},
		"required": []string{"detail-type", "source", "detail"},
	}
	return json.Marshal(envelope)
}

var timeType = reflect.TypeFor[time.Time]()

// schemaOf describes the JSON encoding/json gives a value of type t: the
// detail types are plain structs of strings, numbers, booleans, times,
// pointers and slices, and nothing else is needed.
func schemaOf(t reflect.Type) map[string]any {
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Struct:
		props := map[string]any{}
		required := []string{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = schemaOf(f.Type)
			if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
				required = append(required, name)
			}
		}
		s := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			s["required"] = required
		}
		return s
	}
	panic(fmt.Sprintf("eventbus: no JSON schema for %s", t))
}
