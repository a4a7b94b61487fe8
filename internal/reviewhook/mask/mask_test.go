package mask_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/reviewhook/mask"
)

// Each testdata/*.json is an event as the hook receives it (with the
// hook's deny words, if any) and the reply it must give.
type testCase struct {
	// DenyWords configure the hook (REVIEW_DENY_WORDS); none by default.
	DenyWords []string           `json:"denyWords"`
	Event     chat.ReviewRequest `json:"event"`
	Want      chat.ReviewVerdict `json:"want"`
}

func TestHandleEvents(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test events: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var tc testCase
			dec := json.NewDecoder(strings.NewReader(string(raw)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&tc); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			got, err := mask.Policy{DenyWords: tc.DenyWords}.Handle(t.Context(), tc.Event)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.Want) {
				t.Fatalf("text %q\n got %+v\nwant %+v", tc.Event.Text, got, tc.Want)
			}
		})
	}
}

func TestTextLeavesUnmaskedTextAlone(t *testing.T) {
	for _, s := range []string{"", "no digits", "2026-11-30 14:00", "version 1.2.3", "@ann see #general", "1234 5678 9012 3456"} {
		if got, changed := mask.Text(s); changed || got != s {
			t.Errorf("Text(%q) = %q, %v", s, got, changed)
		}
	}
}
