package eventbus_test

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/eventbus"
)

// TestDocsExamples: docs/EVENTS.md has, under a heading per detail-type, an
// example detail that is exactly what the publisher sends for the sample
// event (text left out), so the documented schema cannot drift.
func TestDocsExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/EVENTS.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range samples() {
		typ := ev.Type()
		re := regexp.MustCompile("(?s)### `" + regexp.QuoteMeta(string(typ)) + "`.*?```json\n(.*?)```")
		m := re.FindSubmatch(doc)
		want := example(t, ev)
		if m == nil {
			t.Errorf("docs/EVENTS.md has no example for %s; it would be:\n%s", typ, want)
			continue
		}
		var got, exp any
		if err := json.Unmarshal(m[1], &got); err != nil {
			t.Errorf("%s example: %v", typ, err)
			continue
		}
		_ = json.Unmarshal(want, &exp)
		g, _ := json.Marshal(got)
		e, _ := json.Marshal(exp)
		if !bytes.Equal(g, e) {
			t.Errorf("%s example differs from the publisher's detail; it would be:\n%s", typ, want)
		}
	}
	for _, typ := range chat.EventTypes {
		if !bytes.Contains(doc, []byte("`"+string(typ)+"`")) {
			t.Errorf("docs/EVENTS.md does not name %s", typ)
		}
	}
}

func example(t *testing.T, ev chat.Event) []byte {
	d, _, err := eventbus.Detail(ev, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
