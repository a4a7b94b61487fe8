package s3notify_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/s3lifecycle"
	"github.com/backchannel-chat/backchannel/internal/local/s3notify"
	"github.com/backchannel-chat/backchannel/internal/s3blob"
	"github.com/backchannel-chat/backchannel/internal/thumbnail"
)

const bucket = "files"

// stack is gofakes3 behind the notifier on a loopback port, with the
// bucket created and a blob store over it.
type stack struct {
	url      string
	notifier *s3notify.Notifier
	blobs    *s3blob.Store

	mu     sync.Mutex
	events []events.S3Event
	target s3notify.Target // called after recording, if set
}

func newStack(t *testing.T, cfg s3notify.Config) *stack {
	t.Helper()
	st := &stack{}
	cfg.Target = func(ctx context.Context, ev events.S3Event) error {
		st.mu.Lock()
		st.events = append(st.events, ev)
		next := st.target
		st.mu.Unlock()
		if next != nil {
			return next(ctx, ev)
		}
		return nil
	}
	backend := s3mem.New()
	n, err := s3notify.New(gofakes3.New(backend).Server(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// In front, as in devstack: the tagging requests the thumbnail
	// handler makes (a thumbnail follows its original's tag) are answered
	// there; gofakes3 would take them for object writes.
	srv := httptest.NewServer(s3lifecycle.New(n, func(bucket, key string) error {
		_, err := backend.DeleteObject(bucket, key)
		return err
	}))
	t.Cleanup(func() { n.Close(); srv.Close() })
	st.url, st.notifier = srv.URL, n
	awsCfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint: aws.String(srv.URL),
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if st.blobs, err = s3blob.New(awsCfg, s3blob.Config{Bucket: bucket, UsePathStyle: true}); err != nil {
		t.Fatal(err)
	}
	return st
}

func (st *stack) received() []events.S3Event {
	st.notifier.Wait()
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]events.S3Event(nil), st.events...)
}

// upload PUTs body through a presigned URL, as the browser does.
func (st *stack) upload(t *testing.T, key, typ string, body []byte) {
	t.Helper()
	req, err := st.blobs.PresignUpload(context.Background(), key, typ, int64(len(body)), "", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	httpReq, err := http.NewRequest(req.Method, req.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range req.Header {
		if k != "Content-Length" { // net/http sets it from the body
			httpReq.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(httpReq)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("upload %s: %s", key, resp.Status)
	}
}

func TestAPresignedPutNotifiesAsS3Does(t *testing.T) {
	st := newStack(t, s3notify.Config{Region: "eu-west-1"})
	body := []byte("hello, world")
	key := "rooms/general/alice/f1/my photo (1) été.txt"
	st.upload(t, key, "text/plain", body)

	evs := st.received()
	if len(evs) != 1 || len(evs[0].Records) != 1 {
		t.Fatalf("events = %+v", evs)
	}
	rec := evs[0].Records[0]
	sum := md5.Sum(body)
	if rec.EventName != "ObjectCreated:Put" || rec.EventSource != "aws:s3" || rec.EventVersion != "2.1" || rec.AWSRegion != "eu-west-1" {
		t.Errorf("record = %+v", rec)
	}
	if rec.S3.Bucket.Name != bucket || rec.S3.Bucket.Arn != "arn:aws:s3:::files" || rec.S3.SchemaVersion != "1.0" {
		t.Errorf("bucket = %+v", rec.S3)
	}
	o := rec.S3.Object
	if o.Key != "rooms/general/alice/f1/my+photo+%281%29+%C3%A9t%C3%A9.txt" || o.URLDecodedKey != key {
		t.Errorf("key %q (decoded %q)", o.Key, o.URLDecodedKey)
	}
	if o.Size != int64(len(body)) || o.ETag != hex.EncodeToString(sum[:]) || o.Sequencer == "" {
		t.Errorf("object = %+v", o)
	}
	if rec.EventTime.IsZero() || rec.ResponseElements["x-amz-request-id"] == "" {
		t.Errorf("time %v, response elements %v", rec.EventTime, rec.ResponseElements)
	}
}

func TestOnlyCreatedObjectsUnderThePrefixNotify(t *testing.T) {
	st := newStack(t, s3notify.Config{Prefix: "rooms/"})
	ctx := context.Background()
	st.upload(t, "avatars/alice/me.png", "image/png", []byte("x"))                            // outside the prefix
	if err := st.blobs.Put(ctx, "rooms/r/u/f/a.txt", "text/plain", []byte("a")); err != nil { // an SDK PutObject
		t.Fatal(err)
	}
	if _, err := st.blobs.Stat(ctx, "rooms/r/u/f/a.txt"); err != nil { // reads notify nothing
		t.Fatal(err)
	}
	if _, err := st.blobs.ReadPrefix(ctx, "rooms/r/u/f/a.txt", 1); err != nil {
		t.Fatal(err)
	}
	// A PUT that fails (no such bucket) notifies nothing either.
	req, _ := http.NewRequest(http.MethodPut, st.url+"/nobucket/rooms/x", bytes.NewReader([]byte("x")))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Fatal("PUT to a missing bucket succeeded")
	}
	evs := st.received()
	if len(evs) != 1 || evs[0].Records[0].S3.Object.URLDecodedKey != "rooms/r/u/f/a.txt" {
		t.Errorf("events = %+v", evs)
	}
}

func TestAFormPostNotifies(t *testing.T) {
	st := newStack(t, s3notify.Config{})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("key", "rooms/r/u/f/form upload.txt")
	fw, _ := mw.CreateFormFile("file", "form upload.txt")
	_, _ = fw.Write([]byte("posted"))
	_ = mw.Close()
	resp, err := http.Post(st.url+"/"+bucket, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("form upload: %s", resp.Status)
	}
	evs := st.received()
	if len(evs) != 1 {
		t.Fatalf("events = %+v", evs)
	}
	if o := evs[0].Records[0].S3.Object; evs[0].Records[0].EventName != "ObjectCreated:Post" || o.Key != "rooms/r/u/f/form+upload.txt" || o.Size != 6 {
		t.Errorf("record = %+v", evs[0].Records[0])
	}
	if info, err := st.blobs.Stat(context.Background(), "rooms/r/u/f/form upload.txt"); err != nil || info.Size != 6 {
		t.Errorf("the emulator did not store the form's file: %+v, %v", info, err)
	}
}

func TestAFailingTargetIsRetriedLikeAnAsyncLambda(t *testing.T) {
	st := newStack(t, s3notify.Config{Retries: 2})
	calls := 0
	st.target = func(context.Context, events.S3Event) error {
		calls++ // one delivery at a time: its retries run in sequence
		if calls < 3 {
			return errors.New("cold start timeout")
		}
		return nil
	}
	st.upload(t, "rooms/r/u/f/a.txt", "text/plain", []byte("a"))
	if n := len(st.received()); n != 3 {
		t.Errorf("target called %d times, want 3 (1 + 2 retries)", n)
	}
}

func TestNewNeedsAHandlerAndATarget(t *testing.T) {
	if _, err := s3notify.New(nil, s3notify.Config{Target: func(context.Context, events.S3Event) error { return nil }}); err == nil {
		t.Error("nil handler accepted")
	}
	if _, err := s3notify.New(http.NotFoundHandler(), s3notify.Config{}); err == nil {
		t.Error("nil target accepted")
	}
}

// TestThumbnailsAppearLocallyAsInAWS runs the thumbnail handler as the
// notification target, with no prefix filter: the handler itself must
// skip the thumbnails it writes (no loop).
func TestThumbnailsAppearLocallyAsInAWS(t *testing.T) {
	st := newStack(t, s3notify.Config{})
	h, err := thumbnail.NewHandler(st.blobs, thumbnail.Config{Bucket: bucket})
	if err != nil {
		t.Fatal(err)
	}
	st.target = h.Handle
	img := image.NewRGBA(image.Rect(0, 0, 800, 600))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	var pngBody, jpegBody bytes.Buffer
	if err := png.Encode(&pngBody, img); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&jpegBody, img, nil); err != nil {
		t.Fatal(err)
	}
	originals := map[string][]byte{
		"rooms/general/alice/f1/diagram one.png": pngBody.Bytes(),
		"rooms/general/alice/f2/photo.jpg":       jpegBody.Bytes(),
	}
	types := map[string]string{"rooms/general/alice/f1/diagram one.png": "image/png", "rooms/general/alice/f2/photo.jpg": "image/jpeg"}
	for key, body := range originals {
		st.upload(t, key, types[key], body)
	}
	evs := st.received()
	if len(evs) != 4 { // two originals, two thumbnails (skipped by the handler)
		t.Errorf("%d notifications, want 4", len(evs))
	}
	ctx := context.Background()
	for key := range originals {
		fk, _ := chat.ParseFileKey(key)
		info, err := st.blobs.Stat(ctx, fk.ThumbKey())
		if err != nil || info.ContentType != "image/jpeg" {
			t.Fatalf("thumbnail of %s: %+v, %v", key, info, err)
		}
		b, err := st.blobs.ReadPrefix(ctx, fk.ThumbKey(), info.Size)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
		if err != nil || cfg.Width != 320 || cfg.Height != 240 {
			t.Errorf("thumbnail of %s is %+v, %v", key, cfg, err)
		}
		if _, err := st.blobs.Stat(ctx, "thumbs/"+fk.ThumbKey()); chat.ErrorCode(err) != chat.NotFound {
			t.Errorf("a thumbnail of the thumbnail: %v", err)
		}
	}
}
