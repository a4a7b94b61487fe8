package service_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/media"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

var fileKeyPattern = regexp.MustCompile(`^rooms/general/alice/[0-9a-f]{32}/Q3 report\.pdf$`)

func TestRequestUploadSignsAKeyOfTheCallerInTheRoom(t *testing.T) {
	h, blobs := newFilesHarness(t)
	alice := h.connect("alice", "a1")
	ev, err := h.svc.RequestUpload(h.ctx, alice, protocol.RequestUploadRequest{
		RoomID: chat.GeneralRoomID, Name: "../../Q3 report.pdf", Size: 1234, Type: "Application/PDF; charset=binary", SHA256: anySHA256,
	})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != protocol.EventUploadTicket || ev.Method != "PUT" || ev.URL == "" || !fileKeyPattern.MatchString(ev.Key) {
		t.Errorf("ticket = %+v", ev)
	}
	if ev.Headers["Content-Type"] != "application/pdf" || ev.Headers["Content-Length"] != "1234" || ev.Headers["X-Amz-Checksum-Sha256"] != anySHA256 {
		t.Errorf("headers to send = %v", ev.Headers)
	}
	if want := h.clock().Add(5 * time.Minute); !ev.ExpiresAt.Equal(want) {
		t.Errorf("expiresAt = %v, want %v", ev.ExpiresAt, want)
	}
	ps := blobs.Presigns()
	if len(ps) != 1 {
		t.Fatalf("presigns = %+v", ps)
	}
	if p := ps[0]; p.Method != "PUT" || p.Key != ev.Key || p.ContentType != "application/pdf" || p.Size != 1234 || p.SHA256 != anySHA256 || p.TTL <= 0 || p.TTL > 5*time.Minute {
		t.Errorf("signed %+v", p)
	}
	again, err := h.svc.RequestUpload(h.ctx, alice, protocol.RequestUploadRequest{RoomID: chat.GeneralRoomID, Name: "Q3 report.pdf", Size: 1, Type: "application/pdf", SHA256: anySHA256})
	if err != nil || again.Key == ev.Key {
		t.Errorf("second ticket for the same name reuses key %q (%v)", again.Key, err)
	}
}

// filesWorld is alice's public, private and direct rooms, with bob in none
// of them.
type filesWorld struct {
	*harness
	blobs                   *chattest.Blobs
	alice, bob              chat.Connection
	public, private, direct chat.Room
}

func newFilesWorld(t *testing.T, tweak ...func(*service.Config)) *filesWorld {
	h, blobs := newFilesHarness(t, tweak...)
	w := &filesWorld{harness: h, blobs: blobs}
	w.alice = h.connect("alice", "a1")
	w.bob = h.connect("bob", "b1")
	h.connect("carol", "c1")
	w.public = h.channel(w.alice, "open", false)
	w.private = h.channel(w.alice, "secret", true)
	w.direct = h.direct(w.alice, "carol")
	return w
}

func TestNonMembersGetNoUploadOrDownloadURL(t *testing.T) {
	w := newFilesWorld(t)
	png := encodePNG(t, 4, 4)
	for _, tc := range []struct {
		room chat.Room
		code chat.Code
	}{
		{w.public, chat.Forbidden},
		{w.private, chat.NotFound},
		{w.direct, chat.NotFound},
		{chat.Room{ID: "c_missing"}, chat.NotFound},
	} {
		t.Run(string(tc.room.Kind)+tc.room.ID, func(t *testing.T) {
			before := len(w.blobs.Presigns())
			_, err := w.svc.RequestUpload(w.ctx, w.bob, protocol.RequestUploadRequest{RoomID: tc.room.ID, Name: "x.png", Size: 10, Type: "image/png", SHA256: anySHA256})
			wantCode(t, err, tc.code)
			key := chat.FileKey{RoomID: tc.room.ID, UserID: "alice", FileID: "f1", Name: "x.png"}.String()
			if tc.room.Kind != "" {
				key = uploaded(t, w.harness, w.blobs, w.alice, tc.room.ID, "x.png", "image/png", png).Key
				before++
			}
			_, err = w.svc.RequestDownload(w.ctx, w.bob, protocol.RequestDownloadRequest{RoomID: tc.room.ID, Key: key})
			wantCode(t, err, tc.code)
			_, err = w.svc.RequestDownload(w.ctx, w.bob, protocol.RequestDownloadRequest{RoomID: tc.room.ID, Key: key, Thumb: true})
			wantCode(t, err, tc.code)
			if n := len(w.blobs.Presigns()); n != before {
				t.Errorf("%d URLs signed for a non-member", n-before)
			}
		})
	}
	// A member of another room cannot reach this room's file by naming
	// their own room.
	key := uploaded(t, w.harness, w.blobs, w.alice, w.private.ID, "x.png", "image/png", png).Key
	_, err := w.svc.RequestDownload(w.ctx, w.bob, protocol.RequestDownloadRequest{RoomID: chat.GeneralRoomID, Key: key})
	wantCode(t, err, chat.Forbidden)
}

func TestUploadLimits(t *testing.T) {
	cases := []struct {
		name   string
		size   int64
		typ    string
		code   chat.Code
		inText []string
	}{
		{"at the limit", protocol.DefaultMaxUploadBytes, "image/png", "", nil},
		{"one byte over", protocol.DefaultMaxUploadBytes + 1, "image/png", chat.TooLarge, []string{"25 MB", "26214400 bytes"}},
		{"empty", 0, "image/png", chat.Invalid, []string{"empty"}},
		{"negative", -1, "image/png", chat.Invalid, nil},
		{"html", 10, "text/html", chat.Invalid, []string{`"text/html"`, "image/png", "application/pdf"}},
		{"svg", 10, "image/svg+xml", chat.Invalid, []string{"allowed types are"}},
		{"no type", 10, "", chat.Invalid, []string{"allowed types are"}},
		{"garbage type", 10, "not a type", chat.Invalid, nil},
		{"type with parameters", 10, "text/plain; charset=utf-8", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, blobs := newFilesHarness(t)
			alice := h.connect("alice", "a1")
			_, err := h.svc.RequestUpload(h.ctx, alice, protocol.RequestUploadRequest{RoomID: chat.GeneralRoomID, Name: "f", Size: tc.size, Type: tc.typ, SHA256: anySHA256})
			wantCode(t, err, tc.code)
			for _, s := range tc.inText {
				if !strings.Contains(chat.ErrorMessage(err), s) {
					t.Errorf("message %q does not say %q", chat.ErrorMessage(err), s)
				}
			}
			if tc.code != "" && len(blobs.Presigns()) != 0 {
				t.Error("a refused upload was signed")
			}
		})
	}
}

func TestConfiguredUploadLimits(t *testing.T) {
	h, _ := newFilesHarness(t, func(c *service.Config) {
		c.Files = media.Limits{MaxBytes: 1536, AllowedTypes: []string{"text/html", " Image/PNG "}}
	})
	alice := h.connect("alice", "a1")
	req := protocol.RequestUploadRequest{RoomID: chat.GeneralRoomID, Name: "page.html", Size: 1536, Type: "text/html", SHA256: anySHA256}
	if _, err := h.svc.RequestUpload(h.ctx, alice, req); err != nil {
		t.Fatalf("configured type refused: %v", err)
	}
	req.Size = 1537
	_, err := h.svc.RequestUpload(h.ctx, alice, req)
	wantCode(t, err, chat.TooLarge)
	if !strings.Contains(chat.ErrorMessage(err), "1536 bytes") {
		t.Errorf("message %q", chat.ErrorMessage(err))
	}
	req.Size, req.Type = 10, "application/pdf"
	_, err = h.svc.RequestUpload(h.ctx, alice, req)
	wantCode(t, err, chat.Invalid)
	if !strings.HasSuffix(chat.ErrorMessage(err), "allowed types are text/html, image/png") {
		t.Errorf("message %q", chat.ErrorMessage(err))
	}
}

// Reading MAX_UPLOAD_BYTES and ALLOWED_UPLOAD_TYPES is tested in
// internal/app (TestFileLimitsFromEnv).
func TestNewRefusesNegativeFileLimits(t *testing.T) {
	if _, err := service.New(service.Config{Store: chattest.NewStore(), Fanout: chattest.NewFanout(), Files: media.Limits{MaxBytes: -1}}); err == nil {
		t.Error("New accepted a negative size limit")
	}
}

func TestFilesAreRefusedWithoutStorage(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	_, err := h.svc.RequestUpload(h.ctx, alice, protocol.RequestUploadRequest{RoomID: chat.GeneralRoomID, Name: "a", Size: 1, Type: "text/plain", SHA256: anySHA256})
	wantCode(t, err, chat.Invalid)
	_, err = h.svc.RequestDownload(h.ctx, alice, protocol.RequestDownloadRequest{RoomID: chat.GeneralRoomID, Key: "rooms/general/alice/f/a"})
	wantCode(t, err, chat.Invalid)
}
