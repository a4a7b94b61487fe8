package service_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// TestUploadsArePinnedToTheirChecksum: a ticket needs the file's SHA-256
// and signs it; an object stored without a checksum (not through a pinned
// ticket) cannot be attached, nor one whose checksum is not the one the
// client declares; the message records the checksum, and a download with
// the recorded version id signs that version.
func TestUploadsArePinnedToTheirChecksum(t *testing.T) {
	h, blobs := newFilesHarness(t)
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	for _, bad := range []string{"", "abc", chat.SHA256Base64([]byte("x"))[:43], "AAAA" + chat.SHA256Base64([]byte("x"))} {
		_, err := h.svc.RequestUpload(h.ctx, alice, protocol.RequestUploadRequest{RoomID: chat.GeneralRoomID, Name: "a.txt", Size: 1, Type: "text/plain", SHA256: bad})
		wantCode(t, err, chat.Invalid)
	}

	data := []byte("the checked bytes")
	att := uploaded(t, h, blobs, alice, chat.GeneralRoomID, "a.txt", "text/plain", data)
	if p := blobs.Presigns(); p[len(p)-1].SHA256 != chat.SHA256Base64(data) {
		t.Errorf("signed %+v, want the checksum", p[len(p)-1])
	}

	// An object without a checksum (stored by other means) is refused.
	ticket, err := h.svc.RequestUpload(h.ctx, alice, protocol.RequestUploadRequest{RoomID: chat.GeneralRoomID, Name: "b.txt", Size: int64(len(data)), Type: "text/plain", SHA256: chat.SHA256Base64(data)})
	if err != nil {
		t.Fatal(err)
	}
	if err := blobs.Put(h.ctx, ticket.Key, "text/plain", data); err != nil {
		t.Fatal(err)
	}
	_, err = h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: chat.GeneralRoomID, ClientID: "unpinned",
		Attachments: []chat.Attachment{{Key: ticket.Key, Size: int64(len(data)), Type: "text/plain"}}})
	wantCode(t, err, chat.Invalid)

	// A declared checksum that is not the stored one is refused.
	lie := att
	lie.SHA256 = chat.SHA256Base64([]byte("other bytes, same size"))
	_, err = h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: chat.GeneralRoomID, ClientID: "lie", Attachments: []chat.Attachment{lie}})
	wantCode(t, err, chat.Invalid)

	att.SHA256 = chat.SHA256Base64(data)
	ack, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: chat.GeneralRoomID, ClientID: "ok", Attachments: []chat.Attachment{att}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ack.Message.Attachments[0]; got.SHA256 != chat.SHA256Base64(data) {
		t.Errorf("recorded %+v, want the checksum", got)
	}

	// The fake keeps no versions: a named one is not found, and the URL
	// of the current one names none.
	_, err = h.svc.RequestDownload(h.ctx, bob, protocol.RequestDownloadRequest{RoomID: chat.GeneralRoomID, Seq: ack.Message.Seq, Key: att.Key, VersionID: "v1"})
	wantCode(t, err, chat.NotFound)
	_, err = h.svc.RequestDownload(h.ctx, bob, protocol.RequestDownloadRequest{RoomID: chat.GeneralRoomID, Seq: ack.Message.Seq, Key: att.Key, VersionID: "bad version?"})
	wantCode(t, err, chat.Invalid)
	if _, err := h.svc.RequestDownload(h.ctx, bob, protocol.RequestDownloadRequest{RoomID: chat.GeneralRoomID, Seq: ack.Message.Seq, Key: att.Key}); err != nil {
		t.Fatal(err)
	}
	if p := blobs.Presigns(); p[len(p)-1].Method != "GET" || p[len(p)-1].VersionID != "" {
		t.Errorf("signed %+v", p[len(p)-1])
	}
}
