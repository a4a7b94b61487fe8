package chat

import (
	"fmt"
	"testing"
)

func TestReactionEmoji(t *testing.T) {
	ok := map[string]string{
		"👍": "👍", "👍🏽": "👍🏽", "❤️": "❤️", "❤": "❤", "🇩🇪": "🇩🇪", "1️⃣": "1️⃣", "#⃣": "#⃣",
		"👩‍💻": "👩‍💻", "👨‍👩‍👧‍👦": "👨‍👩‍👧‍👦", "🏴󠁧󠁢󠁳󠁣󠁴󠁿": "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🏳️‍🌈": "🏳️‍🌈", "🫠": "🫠",
		":+1:": "👍", ":TADA:": "🎉", ":eyes:": "👀",
	}
	for in, want := range ok {
		if got, err := ReactionEmoji(in); err != nil || got != want {
			t.Errorf("ReactionEmoji(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := []string{"", "a", "1", "ok", "👍👍", "👍 ", " 👍", "👍a", "🇩", "🇩🇪🇩🇪", "\u200d👍", "👍\u200d",
		"<img src=x>", ":nope:", "字", "\xff", "🏽", "1⃣⃣"}
	for _, in := range bad {
		if got, err := ReactionEmoji(in); ErrorCode(err) != Invalid {
			t.Errorf("ReactionEmoji(%q) = %q, %v; want Invalid", in, got, err)
		}
	}
}

func TestApplyReaction(t *testing.T) {
	rs, changed, err := ApplyReaction(nil, "u1", "👍", true)
	if err != nil || !changed || len(rs) != 1 || rs[0].UserIDs[0] != "u1" {
		t.Fatalf("add = %+v %v %v", rs, changed, err)
	}
	again, changed, _ := ApplyReaction(rs, "u1", "👍", true)
	if changed || len(again) != 1 {
		t.Errorf("add again changed=%v %+v", changed, again)
	}
	two, _, _ := ApplyReaction(rs, "u2", "👍", true)
	if len(two[0].UserIDs) != 2 || len(rs[0].UserIDs) != 1 {
		t.Errorf("second person: %+v (input changed: %+v)", two, rs)
	}
	none, changed, _ := ApplyReaction(rs, "u1", "👍", false)
	if !changed || len(none) != 0 {
		t.Errorf("remove = %+v %v", none, changed)
	}
	if _, changed, _ := ApplyReaction(rs, "u2", "👍", false); changed {
		t.Error("removing a reaction nobody made changed something")
	}
	// The distinct-emoji cap: one more emoji is refused, an existing one is fine.
	var full []Reaction
	for i := range MaxReactionEmoji {
		full = append(full, Reaction{Emoji: fmt.Sprint(i), UserIDs: []string{"u1"}})
	}
	if _, _, err := ApplyReaction(full, "u2", "new", true); ErrorCode(err) != Invalid {
		t.Errorf("past the emoji cap: %v", err)
	}
	if _, changed, err := ApplyReaction(full, "u2", "0", true); err != nil || !changed {
		t.Errorf("existing emoji at the cap: %v %v", changed, err)
	}
	// The total cap.
	big := []Reaction{{Emoji: "👍"}}
	for i := range MaxReactions {
		big[0].UserIDs = append(big[0].UserIDs, fmt.Sprint("u", i))
	}
	if _, _, err := ApplyReaction(big, "x", "👍", true); ErrorCode(err) != Invalid {
		t.Errorf("past the total cap: %v", err)
	}
}
