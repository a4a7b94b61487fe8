package chat

import (
	"strings"
	"testing"
)

// FuzzParseFileKey: a key parses only when it is an original's key
// (rooms/<room>/<user>/<file>/<name>, no empty or relative segment), and
// what parses rebuilds to the same key, with a thumbnail key that can never
// be parsed as an original.
func FuzzParseFileKey(f *testing.F) {
	for _, s := range []string{
		"rooms/r1/u1/f1/cat.png", "rooms/r1/u1/f1/", "rooms/r1/u1/f1/a/b", "rooms/../u1/f1/x",
		"rooms/r1/./f1/x", "thumbs/rooms/r1/u1/f1/thumb.jpg", "avatars/u1/a.png", "rooms//u1/f1/x",
		"rooms/r1/u1/f1/..", "ROOMS/r1/u1/f1/x", "rooms/r 1/u\x00/f1/é.png",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		k, ok := ParseFileKey(key)
		if !ok {
			return
		}
		if k.String() != key {
			t.Fatalf("ParseFileKey(%q) = %+v, rebuilds as %q", key, k, k.String())
		}
		for _, seg := range []string{k.RoomID, k.UserID, k.FileID, k.Name} {
			if seg == "" || seg == "." || seg == ".." || strings.Contains(seg, "/") {
				t.Fatalf("ParseFileKey(%q) accepted segment %q", key, seg)
			}
		}
		thumb := k.ThumbKey()
		if !strings.HasPrefix(thumb, ThumbsPrefix) || strings.HasPrefix(thumb, FilesPrefix) {
			t.Fatalf("thumbnail key %q is under the originals' prefix", thumb)
		}
		if _, ok := ParseFileKey(thumb); ok {
			t.Fatalf("thumbnail key %q parses as an original", thumb)
		}
	})
}

// FuzzIsAvatarKeyOf: a key is a user's picture only when it sits directly
// in that user's folder, and never in another user's.
func FuzzIsAvatarKeyOf(f *testing.F) {
	f.Add("u1", "avatars/u1/a.png", "u2")
	f.Add("u1", "avatars/u1/../u2/a.png", "u2")
	f.Add("u1", "avatars/u1/", "u1/")
	f.Add("", "avatars//x", "x")
	f.Add("u1", "avatars/u1/..", "u")
	f.Add("u", "avatars/u/1/a.png", "u/1")
	f.Fuzz(func(t *testing.T, user, key, other string) {
		if !IsAvatarKeyOf(user, key) {
			return
		}
		name := strings.TrimPrefix(key, AvatarPrefix(user))
		if user == "" || name == "" || name == "." || name == ".." || strings.Contains(name, "/") {
			t.Fatalf("IsAvatarKeyOf(%q, %q) accepted name %q", user, key, name)
		}
		// User ids never contain "/" (Cognito subs are UUIDs): another
		// such user's folder never holds this key.
		if other != user && !strings.Contains(other, "/") && !strings.Contains(user, "/") && IsAvatarKeyOf(other, key) {
			t.Fatalf("%q is the picture of both %q and %q", key, user, other)
		}
	})
}
