package service_test

import (
	"bytes"
	"regexp"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

var avatarKeyPattern = regexp.MustCompile(`^avatars/alice/[0-9a-f]{32}\.(png|jpg|webp)$`)

// uploadedAvatar asks for an avatar ticket and stores data at its key as
// the client's PUT would.
func uploadedAvatar(t *testing.T, h *harness, blobs *chattest.Blobs, c chat.Connection, typ string, data []byte) string {
	t.Helper()
	ticket, err := h.svc.RequestAvatarUpload(h.ctx, c, protocol.RequestAvatarUploadRequest{Size: int64(len(data)), Type: typ, SHA256: chat.SHA256Base64(data)})
	if err != nil {
		t.Fatalf("RequestAvatarUpload: %v", err)
	}
	if err := blobs.PutPinned(h.ctx, ticket.Key, typ, data); err != nil {
		t.Fatal(err)
	}
	return ticket.Key
}

func TestRequestAvatarUploadSignsAKeyInTheCallersFolder(t *testing.T) {
	h, blobs := newFilesHarness(t)
	alice := h.connect("alice", "a1")
	ev, err := h.svc.RequestAvatarUpload(h.ctx, alice, protocol.RequestAvatarUploadRequest{Size: 5000, Type: "Image/JPEG", SHA256: anySHA256})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != protocol.EventUploadTicket || ev.Method != "PUT" || ev.URL == "" || !avatarKeyPattern.MatchString(ev.Key) {
		t.Errorf("ticket = %+v", ev)
	}
	if want := ".jpg"; ev.Key[len(ev.Key)-len(want):] != want {
		t.Errorf("key %q does not end in %s", ev.Key, want)
	}
	if ev.Headers["Content-Type"] != "image/jpeg" || ev.Headers["Content-Length"] != "5000" {
		t.Errorf("headers to send = %v", ev.Headers)
	}
	if want := h.clock().Add(5 * time.Minute); !ev.ExpiresAt.Equal(want) {
		t.Errorf("expiresAt = %v, want %v", ev.ExpiresAt, want)
	}
	ps := blobs.Presigns()
	if len(ps) != 1 || ps[0].Method != "PUT" || ps[0].Key != ev.Key || ps[0].ContentType != "image/jpeg" || ps[0].Size != 5000 {
		t.Fatalf("presigns = %+v", ps)
	}
	again, err := h.svc.RequestAvatarUpload(h.ctx, alice, protocol.RequestAvatarUploadRequest{Size: 10, Type: "image/png", SHA256: anySHA256})
	if err != nil || again.Key == ev.Key || !avatarKeyPattern.MatchString(again.Key) {
		t.Errorf("second ticket = %q (%v), want a new key", again.Key, err)
	}
}

func TestRequestAvatarUploadChecksTypeAndSize(t *testing.T) {
	cases := []struct {
		name string
		req  protocol.RequestAvatarUploadRequest
		code chat.Code
	}{
		{"png", protocol.RequestAvatarUploadRequest{Size: 100, Type: "image/png", SHA256: anySHA256}, ""},
		{"webp at the limit", protocol.RequestAvatarUploadRequest{Size: protocol.MaxAvatarBytes, Type: "image/webp", SHA256: anySHA256}, ""},
		{"too large", protocol.RequestAvatarUploadRequest{Size: protocol.MaxAvatarBytes + 1, Type: "image/png", SHA256: anySHA256}, chat.TooLarge},
		{"empty", protocol.RequestAvatarUploadRequest{Size: 0, Type: "image/png", SHA256: anySHA256}, chat.Invalid},
		{"negative", protocol.RequestAvatarUploadRequest{Size: -1, Type: "image/png", SHA256: anySHA256}, chat.Invalid},
		{"gif", protocol.RequestAvatarUploadRequest{Size: 100, Type: "image/gif", SHA256: anySHA256}, chat.Invalid},
		{"svg", protocol.RequestAvatarUploadRequest{Size: 100, Type: "image/svg+xml", SHA256: anySHA256}, chat.Invalid},
		{"pdf", protocol.RequestAvatarUploadRequest{Size: 100, Type: "application/pdf", SHA256: anySHA256}, chat.Invalid},
		{"no type", protocol.RequestAvatarUploadRequest{Size: 100, SHA256: anySHA256}, chat.Invalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, blobs := newFilesHarness(t)
			alice := h.connect("alice", "a1")
			_, err := h.svc.RequestAvatarUpload(h.ctx, alice, tc.req)
			wantCode(t, err, tc.code)
			if signed := len(blobs.Presigns()); tc.code != "" && signed != 0 {
				t.Errorf("refused request signed %d URLs", signed)
			}
		})
	}
}

func TestAvatarsNeedTheFilesBucket(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	_, err := h.svc.RequestAvatarUpload(h.ctx, alice, protocol.RequestAvatarUploadRequest{Size: 100, Type: "image/png", SHA256: anySHA256})
	wantCode(t, err, chat.Invalid)
	_, err = h.svc.UpdateProfile(h.ctx, alice, protocol.UpdateProfileRequest{AvatarKey: ptr("avatars/alice/x.png")})
	wantCode(t, err, chat.Invalid)
	// Removing needs no bucket.
	if _, err := h.svc.UpdateProfile(h.ctx, alice, protocol.UpdateProfileRequest{AvatarKey: ptr("")}); err != nil {
		t.Fatal(err)
	}
}

func TestUpdateProfileSetsAnUploadedAvatarAndRemovesIt(t *testing.T) {
	h, blobs := newFilesHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("bob", "b1")
	key := uploadedAvatar(t, h, blobs, alice, "image/png", encodePNG(t, 256, 256))
	h.fan.Reset()
	ev, err := h.svc.UpdateProfile(h.ctx, alice, protocol.UpdateProfileRequest{AvatarKey: &key})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Profile.AvatarKey != key {
		t.Errorf("reply profile = %+v, want avatarKey %s", ev.Profile, key)
	}
	if got := decodeOne[protocol.ProfileEvent](t, h.fan, "b1", protocol.EventUserUpdated); got.Profile.AvatarKey != key {
		t.Errorf("bob saw %+v", got.Profile)
	}
	if _, err := h.svc.UpdateProfile(h.ctx, alice, protocol.UpdateProfileRequest{AvatarKey: ptr("")}); err != nil {
		t.Fatal(err)
	}
	if p, _ := h.store.GetProfile(h.ctx, "alice"); p.AvatarKey != "" {
		t.Errorf("after removal avatarKey = %q", p.AvatarKey)
	}
}

func TestUpdateProfileRefusesAvatarsThatAreNotItsPictures(t *testing.T) {
	h, blobs := newFilesHarness(t)
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	bobs := uploadedAvatar(t, h, blobs, bob, "image/png", encodePNG(t, 8, 8))
	// Objects under alice's folder that no ticket would have allowed.
	put := func(key, typ string, data []byte) string {
		if err := blobs.PutPinned(h.ctx, key, typ, data); err != nil {
			t.Fatal(err)
		}
		return key
	}
	cases := []struct {
		name string
		key  string
	}{
		{"another user's picture", bobs},
		{"missing object", "avatars/alice/00000000000000000000000000000000.png"},
		{"not an image type", put("avatars/alice/page.html", "text/html", []byte("<script>alert(1)</script>"))},
		{"gif", put("avatars/alice/anim.gif", "image/gif", encodeGIF(t, 4, 4))},
		{"bytes that are no png", put("avatars/alice/fake.png", "image/png", []byte("this is not a picture at all"))},
		{"jpeg labelled png", put("avatars/alice/wrong.png", "image/png", encodeJPEG(t, 8, 8))},
		{"too large", put("avatars/alice/huge.png", "image/png", append(encodePNG(t, 4, 4), bytes.Repeat([]byte{0}, protocol.MaxAvatarBytes)...))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.svc.UpdateProfile(h.ctx, alice, protocol.UpdateProfileRequest{AvatarKey: ptr(tc.key)})
			want := chat.Invalid
			if tc.name == "too large" {
				want = chat.TooLarge
			}
			wantCode(t, err, want)
			if p, _ := h.store.GetProfile(h.ctx, "alice"); p.AvatarKey != "" {
				t.Errorf("refused key was stored: %q", p.AvatarKey)
			}
		})
	}
}

func TestRequestAvatarURL(t *testing.T) {
	h, blobs := newFilesHarness(t)
	alice := h.connect("alice", "a1")
	// carol shares no room with alice (she never signed in through
	// Connect): avatars are visible to every signed-in user.
	carol := chat.Connection{ID: "c1", Identity: chat.Identity{UserID: "carol"}, ExpiresAt: h.clock().Add(time.Hour)}
	if _, _, err := h.store.EnsureProfile(h.ctx, chat.Profile{UserID: "carol", DisplayName: "Carol"}); err != nil {
		t.Fatal(err)
	}

	_, err := h.svc.RequestAvatarURL(h.ctx, carol, protocol.RequestAvatarURLRequest{UserID: "alice"})
	wantCode(t, err, chat.NotFound) // no picture yet
	_, err = h.svc.RequestAvatarURL(h.ctx, carol, protocol.RequestAvatarURLRequest{UserID: "nobody"})
	wantCode(t, err, chat.NotFound)
	_, err = h.svc.RequestAvatarURL(h.ctx, carol, protocol.RequestAvatarURLRequest{UserID: "../x"})
	wantCode(t, err, chat.Invalid)

	key := uploadedAvatar(t, h, blobs, alice, "image/jpeg", encodeJPEG(t, 16, 16))
	if _, err := h.svc.UpdateProfile(h.ctx, alice, protocol.UpdateProfileRequest{AvatarKey: &key}); err != nil {
		t.Fatal(err)
	}
	ev, err := h.svc.RequestAvatarURL(h.ctx, carol, protocol.RequestAvatarURLRequest{UserID: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != protocol.EventAvatarURL || ev.UserID != "alice" || ev.URL == "" || !ev.ExpiresAt.Equal(h.clock().Add(10*time.Minute)) {
		t.Errorf("avatarUrl = %+v", ev)
	}
	ps := blobs.Presigns()
	last := ps[len(ps)-1]
	if last.Method != "GET" || last.Key != key || last.Response.ContentType != "image/jpeg" || last.Response.ContentDisposition[:6] != "inline" {
		t.Errorf("signed %+v", last)
	}
}

// TestAvatarsArePinned: a picture ticket needs the checksum; an object
// stored without one (not through a pinned ticket) cannot be set; a pinned
// one is set with its version recorded, and its URL signs that version.
func TestAvatarsArePinned(t *testing.T) {
	h, blobs := newFilesHarness(t)
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	_, err := h.svc.RequestAvatarUpload(h.ctx, alice, protocol.RequestAvatarUploadRequest{Size: 100, Type: "image/png"})
	wantCode(t, err, chat.Invalid)
	data := encodePNG(t, 4, 4)
	ticket, err := h.svc.RequestAvatarUpload(h.ctx, alice, protocol.RequestAvatarUploadRequest{Size: int64(len(data)), Type: "image/png", SHA256: chat.SHA256Base64(data)})
	if err != nil {
		t.Fatal(err)
	}
	if err := blobs.Put(h.ctx, ticket.Key, "image/png", data); err != nil { // no checksum
		t.Fatal(err)
	}
	_, err = h.svc.UpdateProfile(h.ctx, alice, protocol.UpdateProfileRequest{AvatarKey: &ticket.Key})
	wantCode(t, err, chat.Invalid)
	key := uploadedAvatar(t, h, blobs, alice, "image/png", data)
	if _, err := h.svc.UpdateProfile(h.ctx, alice, protocol.UpdateProfileRequest{AvatarKey: &key}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.RequestAvatarURL(h.ctx, bob, protocol.RequestAvatarURLRequest{UserID: "alice"}); err != nil {
		t.Fatal(err)
	}
}
