package integration

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// newFilesBucket gives the test an S3 (LocalStack's under `make
// test-localstack`, else an in-process one), points the SDK's S3 endpoint
// at it (before the stack loads its AWS config) and creates a bucket of its
// own.
func newFilesBucket(t *testing.T) string {
	t.Helper()
	if !testenv.Enabled() {
		t.Skip("integration test: run under scripts/testenv")
	}
	endpoint := testenv.NewS3(t)
	t.Setenv("AWS_ENDPOINT_URL_S3", endpoint)
	return testenv.NewBucket(t, testenv.AWSConfig(t), endpoint)
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestFileSharing: upload through a presigned ticket, attach, download
// through a presigned URL; only members get tickets and URLs.
func TestFileSharing(t *testing.T) {
	bucket := newFilesBucket(t)
	tr := newTrioWithFiles(t, generousLimits, bucket)
	dm := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{tr.bob.id}}, protocol.EventRoom)).Room.ID
	file := pngBytes(t, 40, 30)

	ticket := decode[protocol.UploadTicketEvent](t, tr.a.call(protocol.ActionRequestUpload,
		map[string]any{"roomId": dm, "name": "chart.png", "size": len(file), "type": "image/png", "sha256": chat.SHA256Base64(file)}, protocol.EventUploadTicket))
	if ticket.Method != http.MethodPut || ticket.URL == "" || ticket.Key == "" {
		t.Fatalf("ticket %+v", ticket)
	}
	uploadByTicket(t, ticket, file)

	att := map[string]any{"key": ticket.Key, "name": "chart.png", "size": len(file), "type": "image/png"}
	ack := decode[protocol.AckEvent](t, tr.a.call(protocol.ActionSendMessage,
		map[string]any{"roomId": dm, "clientId": "with-file", "text": "", "attachments": []any{att}}, protocol.EventAck))
	if len(ack.Message.Attachments) != 1 || ack.Message.Attachments[0].Width != 40 || ack.Message.Attachments[0].Height != 30 {
		t.Errorf("stored attachments %+v, want the 40x30 image", ack.Message.Attachments)
	}
	tr.b.expectEvent(protocol.EventMessage, isMessage(t, dm, ack.Message.Seq))

	// Bob, a member, downloads it.
	dl := decode[protocol.DownloadURLEvent](t, tr.b.call(protocol.ActionRequestDownload,
		map[string]any{"roomId": dm, "seq": ack.Message.Seq, "key": ticket.Key}, protocol.EventDownloadURL))
	got, err := http.Get(dl.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if got.StatusCode != http.StatusOK || !bytes.Equal(body, file) {
		t.Errorf("download: %s, %d bytes, want the %d uploaded", got.Status, len(body), len(file))
	}

	// Cyd, not in the DM, gets neither tickets nor URLs.
	tr.c.callError(protocol.ActionRequestDownload, map[string]any{"roomId": dm, "seq": ack.Message.Seq, "key": ticket.Key}, "not_found")
	tr.c.callError(protocol.ActionRequestUpload, map[string]any{"roomId": dm, "name": "x.png", "size": 10, "type": "image/png", "sha256": chat.SHA256Base64(file)}, "not_found")
	// Nor can a file of the DM be attached elsewhere, even by its uploader.
	tr.a.callError(protocol.ActionSendMessage, map[string]any{"roomId": "general", "clientId": "steal", "text": "look", "attachments": []any{att}}, "forbidden")
	// Limits on what may be uploaded.
	tr.a.callError(protocol.ActionRequestUpload, map[string]any{"roomId": dm, "name": "page.html", "size": 10, "type": "text/html"}, "invalid")
	tr.a.callError(protocol.ActionRequestUpload, map[string]any{"roomId": dm, "name": "huge.zip", "size": protocol.DefaultMaxUploadBytes + 1, "type": "application/zip"}, "too_large")
	// A declared size that does not match the upload is refused.
	bad := map[string]any{"key": ticket.Key, "name": "chart.png", "size": len(file) + 1, "type": "image/png"}
	tr.a.callError(protocol.ActionSendMessage, map[string]any{"roomId": dm, "clientId": "lie", "text": "", "attachments": []any{bad}}, "invalid")
}

// uploadByTicket PUTs body to the presigned URL of ticket, with the headers
// it signed, over real HTTP, as the browser does.
func uploadByTicket(t *testing.T, ticket protocol.UploadTicketEvent, body []byte) {
	t.Helper()
	req, err := http.NewRequest(ticket.Method, ticket.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range ticket.Headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("upload: %s", resp.Status)
	}
}
