package integration

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// TestAvatarPicture: Ann uploads a picture through a presigned ticket over
// real HTTP, sets it on her profile, and Bob sees the key and fetches the
// picture; another user's key, a missing object and removal behave.
func TestAvatarPicture(t *testing.T) {
	bucket := newFilesBucket(t)
	tr := newTrioWithFiles(t, generousLimits, bucket)
	pic := pngBytes(t, 256, 256)

	tr.b.callError(protocol.ActionRequestAvatarURL, map[string]any{"userId": tr.ann.id}, "not_found")

	ticket := decode[protocol.UploadTicketEvent](t, tr.a.call(protocol.ActionRequestAvatarUpload,
		map[string]any{"size": len(pic), "type": "image/png", "sha256": chat.SHA256Base64(pic)}, protocol.EventUploadTicket))
	if ticket.Method != http.MethodPut || !strings.HasPrefix(ticket.Key, "avatars/"+tr.ann.id+"/") || !strings.HasSuffix(ticket.Key, ".png") {
		t.Fatalf("ticket %+v", ticket)
	}
	// Setting the key before the upload is refused: there is no object.
	tr.a.callError(protocol.ActionUpdateProfile, map[string]any{"avatarKey": ticket.Key}, "invalid")

	uploadByTicket(t, ticket, pic)

	// Bob cannot claim Ann's picture as his.
	tr.b.callError(protocol.ActionUpdateProfile, map[string]any{"avatarKey": ticket.Key}, "invalid")

	prof := decode[protocol.ProfileEvent](t, tr.a.call(protocol.ActionUpdateProfile, map[string]any{"avatarKey": ticket.Key}, protocol.EventProfile))
	if prof.Profile.AvatarKey != ticket.Key {
		t.Fatalf("profile %+v, want avatarKey %s", prof.Profile, ticket.Key)
	}
	tr.b.expectEvent(protocol.EventUserUpdated, func(f frame) bool {
		return decode[protocol.ProfileEvent](t, f).Profile.AvatarKey == ticket.Key
	})
	users := decode[protocol.UsersEvent](t, tr.c.call(protocol.ActionListUsers, map[string]any{}, protocol.EventUsers))
	found := false
	for _, u := range users.Users {
		found = found || (u.UserID == tr.ann.id && u.AvatarKey == ticket.Key)
	}
	if !found {
		t.Errorf("Cyd's user list %+v lacks Ann's avatarKey", users.Users)
	}

	got := decode[protocol.AvatarURLEvent](t, tr.b.call(protocol.ActionRequestAvatarURL, map[string]any{"userId": tr.ann.id}, protocol.EventAvatarURL))
	if got.UserID != tr.ann.id || got.URL == "" {
		t.Fatalf("avatarUrl %+v", got)
	}
	dl, err := http.Get(got.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(dl.Body)
	dl.Body.Close()
	if dl.StatusCode != http.StatusOK || !bytes.Equal(body, pic) || dl.Header.Get("Content-Type") != "image/png" {
		t.Errorf("download: %s %q, %d bytes, want the %d uploaded as image/png", dl.Status, dl.Header.Get("Content-Type"), len(body), len(pic))
	}

	// Limits of a ticket.
	tr.a.callError(protocol.ActionRequestAvatarUpload, map[string]any{"size": protocol.MaxAvatarBytes + 1, "type": "image/png"}, "too_large")
	tr.a.callError(protocol.ActionRequestAvatarUpload, map[string]any{"size": 100, "type": "image/svg+xml"}, "invalid")

	// Removing the picture.
	prof = decode[protocol.ProfileEvent](t, tr.a.call(protocol.ActionUpdateProfile, map[string]any{"avatarKey": ""}, protocol.EventProfile))
	if prof.Profile.AvatarKey != "" {
		t.Errorf("after removal %+v", prof.Profile)
	}
	tr.b.callError(protocol.ActionRequestAvatarURL, map[string]any{"userId": tr.ann.id}, "not_found")
}
