package wsapi

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/media"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

var jsonBlock = regexp.MustCompile("(?s)```json\n(.*?)```")

// TestProtocolDocExamples keeps docs/PROTOCOL.md true: every json example
// decodes, with no unknown field, into the Go type its action or type
// names, every row of the action table has an example of its request and
// of its reply, and every event type has at least one example.
func TestProtocolDocExamples(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "PROTOCOL.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := jsonBlock.FindAllSubmatch(doc, -1)
	if len(blocks) < len(protocol.Actions)+len(protocol.Events)-2 {
		t.Fatalf("found only %d json examples", len(blocks))
	}
	seenActions, seenEvents := map[string]bool{}, map[string]bool{}
	for i, b := range blocks {
		example := b[1]
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(example, &fields); err != nil {
			t.Errorf("example %d is not a JSON object: %v\n%s", i+1, err, example)
			continue
		}
		var action, typ string
		_ = json.Unmarshal(fields["action"], &action)
		_ = json.Unmarshal(fields["type"], &typ)
		switch {
		// Error events name the failed action, and requestUpload has a
		// "type" field (the file's): tell them apart by what they are.
		case typ == protocol.EventError || (action == "" && typ != ""):
			seenEvents[typ] = true
			checkEventExample(t, typ, example)
		case action != "":
			seenActions[action] = true
			checkRequestExample(t, action, fields, example)
		default:
			t.Errorf("example %d has neither action nor type:\n%s", i+1, example)
		}
	}
	for _, a := range protocol.ActionTable {
		if !seenActions[a.Name] {
			t.Errorf("action %s has no example", a.Name)
		}
		if a.Reply != "" && !seenEvents[a.Reply] {
			t.Errorf("action %s has no example of its reply %s", a.Name, a.Reply)
		}
	}
	for typ := range protocol.Events {
		if !seenEvents[typ] {
			t.Errorf("event %s has no example", typ)
		}
	}
}

func checkRequestExample(t *testing.T, action string, fields map[string]json.RawMessage, example []byte) {
	t.Helper()
	row, known := protocol.LookupAction(action)
	if !known {
		t.Errorf("example for unknown action %q:\n%s", action, example)
		return
	}
	delete(fields, "action")
	delete(fields, "requestId")
	rt := row.RequestType()
	if rt == nil {
		if len(fields) != 0 {
			t.Errorf("action %s takes no fields, example has %v", action, keys(fields))
		}
		return
	}
	rest, _ := json.Marshal(fields)
	strictDecode(t, rt, rest, example)
}

func checkEventExample(t *testing.T, typ string, example []byte) {
	t.Helper()
	ev, known := protocol.Events[typ]
	if !known {
		t.Errorf("example for unknown event type %q:\n%s", typ, example)
		return
	}
	strictDecode(t, reflect.TypeOf(ev), example, example)
}

// strictDecode decodes data into a new value of type rt, refusing unknown
// fields and trailing data.
func strictDecode(t *testing.T, rt reflect.Type, data, example []byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(reflect.New(rt).Interface()); err != nil {
		t.Errorf("example does not decode into %s: %v\n%s", rt, err, example)
	}
}

func keys(m map[string]json.RawMessage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestProtocolDocUploadTypes keeps the default upload types that
// docs/PROTOCOL.md lists under requestUpload equal to the code's
// (media.DefaultUploadTypes, what getState's limits.allowedUploadTypes
// carries unless configured).
func TestProtocolDocUploadTypes(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "PROTOCOL.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	start := strings.Index(text, "### requestUpload")
	end := strings.Index(text[start+1:], "```")
	if start < 0 || end < 0 {
		t.Fatal("no requestUpload section with an example")
	}
	var listed []string
	for _, m := range regexp.MustCompile("`([a-z]+/[a-z0-9.+-]+)`").FindAllStringSubmatch(text[start:start+1+end], -1) {
		listed = append(listed, m[1])
	}
	want := slices.Clone(media.DefaultUploadTypes)
	slices.Sort(listed)
	slices.Sort(want)
	if !slices.Equal(listed, want) {
		t.Errorf("PROTOCOL.md lists upload types %v,\nthe code allows %v by default", listed, want)
	}
}
