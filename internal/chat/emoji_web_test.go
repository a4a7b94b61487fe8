package chat

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReactionShortcodesMatchTheWebList: every shortcode the server maps
// for reactions is in the web client's list (web/src/ui/common/
// shortcodes.data.ts) with the same emoji, so a :name: typed in the
// composer, shown in a message and sent as a reaction is one emoji.
func TestReactionShortcodesMatchTheWebList(t *testing.T) {
	src, err := os.ReadFile("../../web/src/ui/common/shortcodes.data.ts")
	if err != nil {
		t.Fatal(err)
	}
	web := map[string]string{}
	for _, m := range regexp.MustCompile(`\[("(?:[^"\\]|\\.)*"), ("(?:[^"\\]|\\.)*")\]`).FindAllSubmatch(src, -1) {
		var name, emoji string
		if json.Unmarshal(m[1], &name) != nil || json.Unmarshal(m[2], &emoji) != nil {
			t.Fatalf("cannot read %s", m[0])
		}
		web[name] = emoji
	}
	if len(web) < 300 {
		t.Fatalf("read %d shortcodes from the web list", len(web))
	}
	for code, emoji := range reactionShortcodes {
		name := strings.Trim(code, ":")
		if got, ok := web[name]; !ok || got != emoji {
			t.Errorf("%s: the server maps %q, the web list %q", code, emoji, got)
		}
	}
	// And each of the web's emoji is a reaction the server accepts.
	for name, emoji := range web {
		if _, err := ReactionEmoji(emoji); err != nil {
			t.Errorf(":%s: %q is not one emoji to the server: %v", name, emoji, err)
		}
	}
}
