package chat_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func TestFileKeyLayout(t *testing.T) {
	k := chat.FileKey{RoomID: "c_room", UserID: "u-1", FileID: "abc", Name: "a b.png"}
	if got := k.String(); got != "rooms/c_room/u-1/abc/a b.png" {
		t.Errorf("String() = %q", got)
	}
	if got := k.ThumbKey(); got != "thumbs/rooms/c_room/u-1/abc/thumb.jpg" {
		t.Errorf("ThumbKey() = %q", got)
	}
	if back, ok := chat.ParseFileKey(k.String()); !ok || back != k {
		t.Errorf("ParseFileKey(String()) = %+v, %v", back, ok)
	}
	for _, bad := range []string{
		k.ThumbKey(), // thumbnails are not originals: the thumbnail function skips them
		"rooms/c_room/u-1/abc",
		"rooms/c_room/u-1/abc/x/y.png",
		"rooms/c_room//abc/a.png",
		"rooms/c_room/u-1/abc/",
		"rooms/../u-1/abc/a.png",
		"rooms/c_room/u-1/./a.png",
		"/rooms/c_room/u-1/abc/a.png",
		"avatars/u-1/a.png",
		"",
	} {
		if fk, ok := chat.ParseFileKey(bad); ok {
			t.Errorf("ParseFileKey(%q) = %+v, want refused", bad, fk)
		}
	}
}
