package service_test

import (
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

func TestSendWithAttachmentsStoresWhatWasUploaded(t *testing.T) {
	h, blobs := newFilesHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("bob", "b1")
	h.fan.Reset()
	pngAtt := uploaded(t, h, blobs, alice, chat.GeneralRoomID, "chart.png", "image/png", encodePNG(t, 30, 20))
	jpgAtt := uploaded(t, h, blobs, alice, chat.GeneralRoomID, "photo.jpg", "image/jpeg", encodeJPEG(t, 64, 48))
	gifAtt := uploaded(t, h, blobs, alice, chat.GeneralRoomID, "anim.gif", "image/gif", encodeGIF(t, 5, 7))
	pdfAtt := uploaded(t, h, blobs, alice, chat.GeneralRoomID, "notes.pdf", "application/pdf", []byte("%PDF-1.7 ..."))
	// The thumbnail of the JPEG exists already; the PNG's does not yet.
	if err := blobs.Put(h.ctx, mustParse(t, jpgAtt.Key).ThumbKey(), "image/jpeg", encodeJPEG(t, 8, 6)); err != nil {
		t.Fatal(err)
	}
	// What the client claims beyond key, size and type is not trusted.
	lie := pngAtt
	lie.Name, lie.Width, lie.Height, lie.ThumbKey = "evil.exe", 9999, 1, "thumbs/elsewhere.jpg"

	ack, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{
		RoomID: chat.GeneralRoomID, ClientID: "files", Text: "see attached",
		Attachments: []chat.Attachment{lie, jpgAtt, gifAtt, pdfAtt},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []chat.Attachment{
		{Key: pngAtt.Key, Name: "chart.png", Size: pngAtt.Size, Type: "image/png", Width: 30, Height: 20},
		{Key: jpgAtt.Key, Name: "photo.jpg", Size: jpgAtt.Size, Type: "image/jpeg", Width: 64, Height: 48, ThumbKey: mustParse(t, jpgAtt.Key).ThumbKey()},
		{Key: gifAtt.Key, Name: "anim.gif", Size: gifAtt.Size, Type: "image/gif", Width: 5, Height: 7},
		{Key: pdfAtt.Key, Name: "notes.pdf", Size: pdfAtt.Size, Type: "application/pdf"},
	}
	for i := range want { // the checksum the storage verified, recorded at send
		info, err := blobs.Stat(h.ctx, want[i].Key)
		if err != nil || info.SHA256 == "" {
			t.Fatalf("stat %s: %+v, %v", want[i].Key, info, err)
		}
		want[i].SHA256 = info.SHA256
	}
	got := ack.Message.Attachments
	if len(got) != len(want) {
		t.Fatalf("attachments = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("attachment %d = %+v\nwant %+v", i, got[i], want[i])
		}
	}
	ev := decodeOne[protocol.MessageEvent](t, h.fan, "b1", protocol.EventMessage)
	if len(ev.Message.Attachments) != 4 || ev.Message.Attachments[0].Width != 30 {
		t.Errorf("bob got %+v", ev.Message.Attachments)
	}
	stored, err := h.store.GetMessage(h.ctx, chat.GeneralRoomID, ack.Message.Seq)
	if err != nil || len(stored.Attachments) != 4 || stored.Attachments[1].ThumbKey == "" {
		t.Errorf("stored %+v, %v", stored.Attachments, err)
	}
}

func mustParse(t *testing.T, key string) chat.FileKey {
	t.Helper()
	fk, ok := chat.ParseFileKey(key)
	if !ok {
		t.Fatalf("not a file key: %q", key)
	}
	return fk
}

func TestForgedAttachmentKeysAreRefused(t *testing.T) {
	w := newFilesWorld(t)
	h := w.harness
	data := []byte("hello")
	bobsOwn := uploaded(t, h, w.blobs, w.bob, chat.GeneralRoomID, "b.txt", "text/plain", data)
	alicesElsewhere := uploaded(t, h, w.blobs, w.alice, w.private.ID, "a.txt", "text/plain", data)
	alicesHere := uploaded(t, h, w.blobs, w.alice, chat.GeneralRoomID, "a.txt", "text/plain", data)
	thumb := alicesHere
	thumb.Key = mustParse(t, alicesHere.Key).ThumbKey()
	if err := w.blobs.PutPinned(h.ctx, thumb.Key, "text/plain", data); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		att  chat.Attachment
		code chat.Code
	}{
		{"another room's file", alicesElsewhere, chat.Forbidden},
		{"another user's file", bobsOwn, chat.Forbidden},
		{"a key outside the layout", chat.Attachment{Key: "avatars/alice/me.png", Size: 5, Type: "text/plain"}, chat.Invalid},
		{"a thumbnail key", thumb, chat.Invalid},
		{"a key with extra folders", chat.Attachment{Key: alicesHere.Key + "/x", Size: 5, Type: "text/plain"}, chat.Invalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h.fan.Reset()
			_, err := h.svc.SendMessage(h.ctx, w.alice, protocol.SendMessageRequest{
				RoomID: chat.GeneralRoomID, ClientID: "forged", Text: "look", Attachments: []chat.Attachment{alicesHere, tc.att},
			})
			wantCode(t, err, tc.code)
			if len(h.fan.Sends()) != 0 {
				t.Error("a refused message was broadcast")
			}
		})
	}
	if r, _ := h.store.GetRoom(h.ctx, chat.GeneralRoomID); r.LastSeq != 0 {
		t.Errorf("%d messages stored", r.LastSeq)
	}
}

func TestAttachmentsMustMatchTheUpload(t *testing.T) {
	h, blobs := newFilesHarness(t)
	alice := h.connect("alice", "a1")
	png := uploaded(t, h, blobs, alice, chat.GeneralRoomID, "p.png", "image/png", encodePNG(t, 3, 3))
	html := []byte("<html><script>alert(1)</script></html>")
	fakePNG := uploaded(t, h, blobs, alice, chat.GeneralRoomID, "x.png", "image/png", html)
	jpegAsPNG := uploaded(t, h, blobs, alice, chat.GeneralRoomID, "y.png", "image/png", encodeJPEG(t, 3, 3))
	fakeWebP := uploaded(t, h, blobs, alice, chat.GeneralRoomID, "z.webp", "image/webp", html)
	ticket, err := h.svc.RequestUpload(h.ctx, alice, protocol.RequestUploadRequest{RoomID: chat.GeneralRoomID, Name: "never.txt", Size: 4, Type: "text/plain", SHA256: anySHA256})
	if err != nil {
		t.Fatal(err)
	}
	// An object of a type no longer allowed (or written by other means).
	exe := chat.Attachment{Key: strings.Replace(png.Key, "p.png", "tool.exe", 1), Size: 2, Type: "application/x-msdownload"}
	if err := blobs.PutPinned(h.ctx, exe.Key, exe.Type, []byte("MZ")); err != nil {
		t.Fatal(err)
	}

	bigger, otherType, loose := png, png, png
	bigger.Size++
	otherType.Type = "image/gif"
	loose.Type = "IMAGE/PNG; q=1" // the same media type, written differently: fine
	cases := []struct {
		name string
		att  chat.Attachment
		code chat.Code
		says string
	}{
		{"size differs", bigger, chat.Invalid, "does not match"},
		{"type differs", otherType, chat.Invalid, "does not match"},
		{"type spelled differently", loose, "", ""},
		{"never uploaded", chat.Attachment{Key: ticket.Key, Size: 4, Type: "text/plain"}, chat.Invalid, "was not uploaded"},
		{"html declared as png", fakePNG, chat.Invalid, "not a valid image/png image"},
		{"jpeg declared as png", jpegAsPNG, chat.Invalid, "not a valid image/png image"},
		{"html declared as webp", fakeWebP, chat.Invalid, "not a valid image/webp image"},
		{"stored type not allowed", exe, chat.Invalid, "cannot be shared"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{
				RoomID: chat.GeneralRoomID, ClientID: "m" + string(rune('a'+i)), Attachments: []chat.Attachment{tc.att},
			})
			wantCode(t, err, tc.code)
			if !strings.Contains(chat.ErrorMessage(err), tc.says) {
				t.Errorf("message %q does not say %q", chat.ErrorMessage(err), tc.says)
			}
		})
	}
	_, err = h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{
		RoomID: chat.GeneralRoomID, ClientID: "twice", Attachments: []chat.Attachment{png, png},
	})
	wantCode(t, err, chat.Invalid)
}

func TestAttachmentStoreFailuresAreInternal(t *testing.T) {
	h, blobs := newFilesHarness(t)
	alice := h.connect("alice", "a1")
	att := uploaded(t, h, blobs, alice, chat.GeneralRoomID, "p.png", "image/png", encodePNG(t, 3, 3))
	for _, method := range []string{"Stat", "ReadPrefix"} {
		blobs.FailOn(method, chat.Errorf(chat.Internal, "s3 down"))
		_, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: chat.GeneralRoomID, ClientID: "k" + method, Attachments: []chat.Attachment{att}})
		wantCode(t, err, chat.Internal)
		blobs.FailOn(method, nil)
	}
}

var _ chat.BlobStore = (*chattest.Blobs)(nil)
