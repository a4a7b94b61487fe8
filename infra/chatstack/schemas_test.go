package chatstack_test

import (
	"encoding/json"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/eventbus"
)

// TestEventSchemaRegistry: one registry named like the bus, holding one
// draft-4 schema per chat event type, each exactly what internal/eventbus
// generates from the detail types the stream function publishes.
func TestEventSchemaRegistry(t *testing.T) {
	for cfg, busName := range map[string]string{cfgDefault: "Backchannel-prod-events", cfgFull: "Backchannel-live-events"} {
		s := synth(t, cfg)
		reg := s.one(t, "AWS::EventSchemas::Registry", "EventSchemaRegistry")
		if got := render(reg.Props["RegistryName"]); got != busName {
			t.Errorf("%s: registry name %s, want %s", cfg, got, busName)
		}
		schemas := map[string]resource{}
		for _, r := range s.resources("AWS::EventSchemas::Schema") {
			schemas[render(r.Props["SchemaName"])] = r
		}
		if len(schemas) != len(chat.EventTypes) {
			t.Errorf("%s: %d schemas, want %d", cfg, len(schemas), len(chat.EventTypes))
		}
		for _, et := range chat.EventTypes {
			r, ok := schemas[eventbus.SchemaName(et)]
			if !ok {
				t.Errorf("%s: no schema for %s", cfg, et)
				continue
			}
			if got := render(r.Props["Type"]); got != "JSONSchemaDraft4" {
				t.Errorf("%s: %s type %s", cfg, et, got)
			}
			if got := render(get(r.Props, "RegistryName")); got != "${"+reg.ID+".RegistryName}" {
				t.Errorf("%s: %s registry %s", cfg, et, got)
			}
			want, _ := eventbus.Schema(et)
			content, _ := r.Props["Content"].(string)
			var a, b any
			if json.Unmarshal([]byte(content), &a) != nil || json.Unmarshal(want, &b) != nil || render(a) != render(b) {
				t.Errorf("%s: %s content differs from eventbus.Schema", cfg, et)
			}
		}
	}
}
