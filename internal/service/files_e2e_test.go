package service_test

import (
	"bytes"
	"context"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/s3lifecycle"
	"github.com/backchannel-chat/backchannel/internal/local/s3notify"
	"github.com/backchannel-chat/backchannel/internal/media"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/s3blob"
	"github.com/backchannel-chat/backchannel/internal/service"
	"github.com/backchannel-chat/backchannel/internal/thumbnail"
)

// s3Harness is the service over the real S3 adapter and an in-process
// gofakes3 on a loopback port: URLs are fetched over real HTTP.
func s3Harness(t *testing.T, tweak ...func(*service.Config)) *harness {
	t.Helper()
	h, _ := s3HarnessWithThumbnails(t, false, tweak...)
	return h
}

// s3HarnessWithThumbnails optionally runs the thumbnail handler on every
// upload, through s3notify, as the local stack does; wait waits for it.
func s3HarnessWithThumbnails(t *testing.T, thumbnails bool, tweak ...func(*service.Config)) (h *harness, wait func()) {
	t.Helper()
	var (
		handler http.Handler = gofakes3.New(s3mem.New()).Server()
		target  s3notify.Target
		n       *s3notify.Notifier
		err     error
	)
	wait = func() {}
	if thumbnails {
		n, err = s3notify.New(handler, s3notify.Config{
			Prefix: chat.FilesPrefix,
			Target: func(ctx context.Context, ev events.S3Event) error { return target(ctx, ev) },
		})
		if err != nil {
			t.Fatal(err)
		}
		handler, wait = n, n.Wait
	}
	// The object tags and lifecycle gofakes3 lacks (the pending-upload
	// rule), as the local stack has them in front of it.
	handler = s3lifecycle.New(handler, func(string, string) error { return nil })
	srv := httptest.NewServer(handler)
	t.Cleanup(func() {
		if n != nil {
			n.Close()
		}
		srv.Close()
	})
	awsCfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint: aws.String(srv.URL),
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("files")}); err != nil {
		t.Fatal(err)
	}
	blobs, err := s3blob.New(awsCfg, s3blob.Config{Bucket: "files", UsePathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	thumbs, err := thumbnail.NewHandler(blobs, thumbnail.Config{Bucket: "files"})
	if err != nil {
		t.Fatal(err)
	}
	target = thumbs.Handle
	return newHarness(t, append([]func(*service.Config){func(c *service.Config) { c.Blobs = blobs }}, tweak...)...), wait
}

// httpDo sends a request as a browser would and returns status, headers
// and body.
func httpDo(t *testing.T, method, url string, headers map[string]string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		if k != "Content-Length" { // forbidden to scripts: the browser sets it from the body
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestUploadSendAndDownloadOverS3(t *testing.T) {
	h := s3Harness(t, func(c *service.Config) {
		c.Files.AllowedTypes = append([]string{"text/html"}, media.DefaultUploadTypes...)
	})
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")

	// 1. Alice uploads an HTML page and a PNG straight to storage.
	page := []byte("<html><script>alert(document.cookie)</script></html>")
	img := encodePNG(t, 40, 20)
	var atts []chat.Attachment
	for _, f := range []struct {
		name, typ string
		body      []byte
	}{{"index.html", "text/html", page}, {"chart.png", "image/png", img}} {
		ticket, err := h.svc.RequestUpload(h.ctx, alice, protocol.RequestUploadRequest{
			RoomID: chat.GeneralRoomID, Name: f.name, Size: int64(len(f.body)), Type: f.typ, SHA256: chat.SHA256Base64(f.body),
		})
		if err != nil {
			t.Fatal(err)
		}
		if resp, _ := httpDo(t, ticket.Method, ticket.URL, ticket.Headers, f.body); resp.StatusCode != http.StatusOK {
			t.Fatalf("upload %s: %s", f.name, resp.Status)
		}
		atts = append(atts, chat.Attachment{Key: ticket.Key, Name: f.name, Size: int64(len(f.body)), Type: f.typ})
	}

	// 2. She sends them; the server checks what was stored.
	ack, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: chat.GeneralRoomID, ClientID: "up", Attachments: atts})
	if err != nil {
		t.Fatal(err)
	}
	if got := ack.Message.Attachments; len(got) != 2 || got[1].Width != 40 || got[1].Height != 20 || got[0].Type != "text/html" {
		t.Fatalf("attachments = %+v", got)
	}

	// 3. Bob downloads: the HTML comes as an attachment, never inline.
	dl, err := h.svc.RequestDownload(h.ctx, bob, protocol.RequestDownloadRequest{RoomID: chat.GeneralRoomID, Seq: ack.Message.Seq, Key: atts[0].Key})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := httpDo(t, http.MethodGet, dl.URL, nil, nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, page) {
		t.Fatalf("download: %s %q", resp.Status, body)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="index.html"`) {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html" {
		t.Errorf("Content-Type = %q", ct)
	}
	dl, err = h.svc.RequestDownload(h.ctx, bob, protocol.RequestDownloadRequest{RoomID: chat.GeneralRoomID, Seq: ack.Message.Seq, Key: atts[1].Key})
	if err != nil {
		t.Fatal(err)
	}
	resp, body = httpDo(t, http.MethodGet, dl.URL, nil, nil)
	if !bytes.Equal(body, img) || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "inline;") || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("image download: %s, %v", resp.Status, resp.Header)
	}
	// No thumbnail function runs here: the thumbnail is not found, and
	// the client shows the original.
	_, err = h.svc.RequestDownload(h.ctx, bob, protocol.RequestDownloadRequest{RoomID: chat.GeneralRoomID, Seq: ack.Message.Seq, Key: atts[1].Key, Thumb: true})
	wantCode(t, err, chat.NotFound)
}

func TestAnUploadThatWasNeverMadeCannotBeSent(t *testing.T) {
	h := s3Harness(t)
	alice := h.connect("alice", "a1")
	ticket, err := h.svc.RequestUpload(h.ctx, alice, protocol.RequestUploadRequest{RoomID: chat.GeneralRoomID, Name: "a.txt", Size: 5, Type: "text/plain", SHA256: anySHA256})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{
		RoomID: chat.GeneralRoomID, ClientID: "k", Attachments: []chat.Attachment{{Key: ticket.Key, Size: 5, Type: "text/plain"}},
	})
	wantCode(t, err, chat.Invalid)
}

// TestThumbnailChainLocally is the whole local chain: a presigned PUT, the
// emulated notification, the thumbnail handler, then the message names
// the thumbnail and its URL serves a small JPEG.
func TestThumbnailChainLocally(t *testing.T) {
	h, wait := s3HarnessWithThumbnails(t, true)
	alice := h.connect("alice", "a1")
	img := encodeJPEG(t, 1600, 1200)
	ticket, err := h.svc.RequestUpload(h.ctx, alice, protocol.RequestUploadRequest{
		RoomID: chat.GeneralRoomID, Name: "holiday photo.jpg", Size: int64(len(img)), Type: "image/jpeg", SHA256: chat.SHA256Base64(img),
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := httpDo(t, ticket.Method, ticket.URL, ticket.Headers, img); resp.StatusCode != http.StatusOK {
		t.Fatalf("upload: %s", resp.Status)
	}
	wait() // the notification is asynchronous, as in AWS
	ack, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{
		RoomID: chat.GeneralRoomID, ClientID: "pic",
		Attachments: []chat.Attachment{{Key: ticket.Key, Size: int64(len(img)), Type: "image/jpeg"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	att := ack.Message.Attachments[0]
	if att.Width != 1600 || att.Height != 1200 || att.ThumbKey == "" || att.Name != "holiday photo.jpg" {
		t.Errorf("attachment = %+v", att)
	}
	dl, err := h.svc.RequestDownload(h.ctx, alice, protocol.RequestDownloadRequest{RoomID: chat.GeneralRoomID, Seq: ack.Message.Seq, Key: ticket.Key, Thumb: true})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := httpDo(t, http.MethodGet, dl.URL, nil, nil)
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(body))
	if resp.StatusCode != http.StatusOK || err != nil || cfg.Width != 320 || cfg.Height != 240 {
		t.Errorf("thumbnail: %s, %+v, %v", resp.Status, cfg, err)
	}
}
