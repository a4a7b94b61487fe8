package service_test

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strconv"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// newFilesHarness is a harness whose service shares files through an
// in-memory blob store.
func newFilesHarness(t *testing.T, tweak ...func(*service.Config)) (*harness, *chattest.Blobs) {
	t.Helper()
	blobs := chattest.NewBlobs()
	h := newHarness(t, append([]func(*service.Config){func(c *service.Config) { c.Blobs = blobs }}, tweak...)...)
	return h, blobs
}

// uploaded asks for an upload ticket and stores data at its key as the
// client's PUT would, and returns the attachment the client then declares.
func uploaded(t *testing.T, h *harness, blobs *chattest.Blobs, c chat.Connection, roomID, name, typ string, data []byte) chat.Attachment {
	t.Helper()
	ticket, err := h.svc.RequestUpload(h.ctx, c, protocol.RequestUploadRequest{RoomID: roomID, Name: name, Size: int64(len(data)), Type: typ, SHA256: chat.SHA256Base64(data)})
	if err != nil {
		t.Fatalf("RequestUpload(%s): %v", name, err)
	}
	if err := blobs.PutPinned(h.ctx, ticket.Key, typ, data); err != nil {
		t.Fatal(err)
	}
	return chat.Attachment{Key: ticket.Key, Name: name, Size: int64(len(data)), Type: typ}
}

// sent sends att (from uploaded, its checksum set from data) in a message
// of c's and returns the stored attachment and the message's seq: a file is
// downloaded through the message it is attached to.
func sent(t *testing.T, h *harness, c chat.Connection, roomID string, att chat.Attachment, data []byte) (chat.Attachment, int64) {
	t.Helper()
	att.SHA256 = chat.SHA256Base64(data)
	h.sent++
	ack, err := h.svc.SendMessage(h.ctx, c, protocol.SendMessageRequest{RoomID: roomID, ClientID: "f" + strconv.Itoa(h.sent), Attachments: []chat.Attachment{att}})
	if err != nil {
		t.Fatalf("send %s: %v", att.Name, err)
	}
	return ack.Message.Attachments[0], ack.Message.Seq
}

// testImage is a w×h gradient, so encoders cannot shrink it to nothing.
func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / max(w, 1)), uint8(y * 255 / max(h, 1)), 128, 255})
		}
	}
	return img
}

func encodePNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, testImage(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// anySHA256 is a well-formed checksum for tickets whose upload the test
// never makes.
var anySHA256 = chat.SHA256Base64([]byte("never uploaded"))
