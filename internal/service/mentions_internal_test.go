package service

import (
	"slices"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func TestResolveMentions(t *testing.T) {
	people := []chat.Profile{
		{UserID: "u1", Username: "ann", DisplayName: "Ann Lee"},
		{UserID: "u2", Username: "anna", DisplayName: "Anna"},
		{UserID: "u3", Username: "bob.smith", DisplayName: "Bob"},
		{UserID: "u4", Username: "zoë", DisplayName: "Zoë"},
	}
	cases := []struct {
		text string
		want []string
	}{
		{"hi @ann", []string{"u1"}},
		{"hi @ANN!", []string{"u1"}},
		{"@anna first", []string{"u2"}},
		{"@annabel is nobody", nil},
		{"@Ann Lee and @ann", []string{"u1"}},
		{"(@bob.smith) and @bob", []string{"u3"}},
		{"@bob.", []string{"u3"}},
		{"ann@example.com", nil},
		{"@@ann", []string{"u1"}},
		{"@zoë?", []string{"u4"}},
		{"no mentions here", nil},
		{"@", nil},
		{"@ann @anna @ann", []string{"u1", "u2"}},
	}
	for _, tc := range cases {
		got := resolveMentions(tc.text, mentionStarts(tc.text), people)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: mentions %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestDirectRoomIDIsOrderIndependent(t *testing.T) {
	a := directRoomID([]string{"x", "y", "z"})
	b := directRoomID([]string{"z", "x", "y"})
	if a != b || len(a) != 26 {
		t.Errorf("ids %q %q", a, b)
	}
	if directRoomID([]string{"x", "y"}) == a {
		t.Error("different member sets share an id")
	}
}

func TestAvatarColorIsInThePalette(t *testing.T) {
	seen := map[string]bool{}
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"} {
		c := avatarColor(id)
		if !slices.Contains(avatarPalette, c) || !colorPattern.MatchString(c) {
			t.Errorf("colour %q", c)
		}
		seen[c] = true
	}
	if len(seen) < 3 {
		t.Errorf("only %d colours over 12 users", len(seen))
	}
}
