package service_test

import (
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

func ptr[T any](v T) *T { return &v }

func TestUpdateProfileValidation(t *testing.T) {
	cases := []struct {
		name string
		req  protocol.UpdateProfileRequest
		code chat.Code
	}{
		{"name", protocol.UpdateProfileRequest{DisplayName: ptr("  Ali  ")}, ""},
		{"empty name", protocol.UpdateProfileRequest{DisplayName: ptr("   ")}, chat.Invalid},
		{"long name", protocol.UpdateProfileRequest{DisplayName: ptr(strings.Repeat("n", protocol.MaxNameRunes+1))}, chat.Invalid},
		{"bad utf8", protocol.UpdateProfileRequest{DisplayName: ptr("a\xffb")}, chat.Invalid},
		{"control", protocol.UpdateProfileRequest{DisplayName: ptr("a\nb")}, chat.Invalid},
		{"colour", protocol.UpdateProfileRequest{AvatarColor: ptr("#A0b1C2")}, ""},
		{"colour name", protocol.UpdateProfileRequest{AvatarColor: ptr("red")}, chat.Invalid},
		{"colour short", protocol.UpdateProfileRequest{AvatarColor: ptr("#abc")}, chat.Invalid},
		{"colour css", protocol.UpdateProfileRequest{AvatarColor: ptr("#abcdef;x")}, chat.Invalid},
		{"own avatar", protocol.UpdateProfileRequest{AvatarKey: ptr("avatars/alice/me.png")}, ""},
		{"clear avatar", protocol.UpdateProfileRequest{AvatarKey: ptr("")}, ""},
		{"someone else's avatar", protocol.UpdateProfileRequest{AvatarKey: ptr("avatars/bob/me.png")}, chat.Invalid},
		{"prefix trick", protocol.UpdateProfileRequest{AvatarKey: ptr("avatars/alice-evil/me.png")}, chat.Invalid},
		{"traversal", protocol.UpdateProfileRequest{AvatarKey: ptr("avatars/alice/../bob/me.png")}, chat.Invalid},
		{"any file", protocol.UpdateProfileRequest{AvatarKey: ptr("files/general/x.png")}, chat.Invalid},
		{"bare prefix", protocol.UpdateProfileRequest{AvatarKey: ptr("avatars/alice/")}, chat.Invalid},
		{"sub-folder", protocol.UpdateProfileRequest{AvatarKey: ptr("avatars/alice/x/me.png")}, chat.Invalid},
		{"not uploaded", protocol.UpdateProfileRequest{AvatarKey: ptr("avatars/alice/missing.png")}, chat.Invalid},
		{"nothing", protocol.UpdateProfileRequest{}, chat.Invalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, blobs := newFilesHarness(t)
			alice := h.connect("alice", "a1")
			// The pictures exist: only the key's place is wrong.
			for _, k := range []string{"avatars/alice/me.png", "avatars/bob/me.png", "avatars/alice-evil/me.png"} {
				if err := blobs.PutPinned(h.ctx, k, "image/png", encodePNG(t, 4, 4)); err != nil {
					t.Fatal(err)
				}
			}
			before, _ := h.store.GetProfile(h.ctx, "alice")
			_, err := h.svc.UpdateProfile(h.ctx, alice, tc.req)
			wantCode(t, err, tc.code)
			after, _ := h.store.GetProfile(h.ctx, "alice")
			if tc.code != "" && after != before {
				t.Errorf("refused update changed the profile: %+v", after)
			}
		})
	}
}

func TestUpdateProfileTellsEveryoneWhoSharesARoom(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("alice", "a2")
	h.connect("bob", "b1")
	// A user who shares no room with alice (never signed in through Connect).
	if _, _, err := h.store.EnsureProfile(h.ctx, chat.Profile{UserID: "hermit", DisplayName: "Hermit"}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.PutConnection(h.ctx, chat.Connection{ID: "h1", Identity: chat.Identity{UserID: "hermit"}, ExpiresAt: h.clock().Add(time.Hour)}, nil); err != nil {
		t.Fatal(err)
	}
	h.fan.Reset()

	ev, err := h.svc.UpdateProfile(h.ctx, alice, protocol.UpdateProfileRequest{DisplayName: ptr("Ally"), AvatarColor: ptr("#ABCDEF")})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != protocol.EventProfile || ev.Profile.DisplayName != "Ally" || ev.Profile.AvatarColor != "#abcdef" {
		t.Errorf("reply = %+v", ev)
	}
	for _, c := range []string{"a2", "b1"} {
		got := decodeOne[protocol.ProfileEvent](t, h.fan, c, protocol.EventUserUpdated)
		if got.Profile.DisplayName != "Ally" || got.Profile.UserID != "alice" {
			t.Errorf("%s saw %+v", c, got.Profile)
		}
	}
	if n := len(h.fan.Deliveries("a1")); n != 0 {
		t.Errorf("calling connection got %v", h.fan.Types("a1"))
	}
	if n := len(h.fan.Deliveries("h1")); n != 0 {
		t.Errorf("a stranger was told: %v", h.fan.Types("h1"))
	}
}

func TestListUsersPagesWithPresence(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	for i := range 55 {
		id := "user" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		h.connect(id, "c-"+id)
		if i%2 == 0 {
			if err := h.svc.Disconnect(h.ctx, "c-"+id); err != nil {
				t.Fatal(err)
			}
		}
	}
	first, err := h.svc.ListUsers(h.ctx, alice, protocol.ListUsersRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if first.Type != protocol.EventUsers || len(first.Users) != 50 || first.Cursor == "" {
		t.Fatalf("first page: %d users, cursor %q", len(first.Users), first.Cursor)
	}
	second, err := h.svc.ListUsers(h.ctx, alice, protocol.ListUsersRequest{Cursor: first.Cursor})
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Users) != 6 || second.Cursor != "" {
		t.Fatalf("second page: %d users, cursor %q", len(second.Users), second.Cursor)
	}
	online := map[string]bool{}
	for _, u := range append(first.Users, second.Users...) {
		online[u.UserID] = u.Online
	}
	if !online["alice"] || online["useraa"] || !online["userab"] {
		t.Errorf("presence wrong: alice %v useraa %v userab %v", online["alice"], online["useraa"], online["userab"])
	}
}
