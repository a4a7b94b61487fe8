package thumbnail_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
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
	"github.com/backchannel-chat/backchannel/internal/s3blob"
	"github.com/backchannel-chat/backchannel/internal/thumbnail"
)

// TestThumbnailFollowsItsOriginal (issue 15): the thumbnail of an upload
// never sent goes with it after a day; a sent file's stays, whether it was
// sent (kept) before or after the thumbnail was made.
func TestThumbnailFollowsItsOriginal(t *testing.T) {
	backend := s3mem.New()
	lc := s3lifecycle.New(gofakes3.New(backend).Server(), func(b, k string) error {
		_, err := backend.DeleteObject(b, k)
		return err
	}, s3lifecycle.Rule{Key: chat.TagState, Value: chat.TagPending, After: chat.PendingUploadTTL})
	srv := httptest.NewServer(lc)
	t.Cleanup(srv.Close)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""), BaseEndpoint: aws.String(srv.URL)}
	ctx := context.Background()
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("files")}); err != nil {
		t.Fatal(err)
	}
	blobs, err := s3blob.New(cfg, s3blob.Config{Bucket: "files", UsePathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	h, err := thumbnail.NewHandler(blobs, thumbnail.Config{Bucket: "files"})
	if err != nil {
		t.Fatal(err)
	}
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 600, 400))); err != nil {
		t.Fatal(err)
	}
	upload := func(key string) {
		req, err := blobs.PresignUpload(ctx, key, "image/png", int64(img.Len()), "", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		hr, _ := http.NewRequest(req.Method, req.URL, bytes.NewReader(img.Bytes()))
		for k, v := range req.Header {
			if k != "Content-Length" {
				hr.Header.Set(k, v)
			}
		}
		resp, err := http.DefaultClient.Do(hr)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("upload %s: %v %v", key, resp, err)
		}
		resp.Body.Close()
	}
	thumb := func(key string) string {
		fk, ok := chat.ParseFileKey(key)
		if !ok {
			t.Fatalf("not a file key: %s", key)
		}
		return fk.ThumbKey()
	}
	made := func(key string) {
		ev := events.S3Event{Records: []events.S3EventRecord{{EventName: "ObjectCreated:Put"}}}
		ev.Records[0].S3.Bucket.Name, ev.Records[0].S3.Object.Key = "files", key
		if err := h.Handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	never := "rooms/r1/u1/e3029bb2d2567f7cd68ea5bd02f467f1/never.png"
	sentAfter := "rooms/r1/u1/e3029bb2d2567f7cd68ea5bd02f467f2/after.png"
	sentBefore := "rooms/r1/u1/e3029bb2d2567f7cd68ea5bd02f467f3/before.png"
	for _, k := range []string{never, sentAfter, sentBefore} {
		upload(k)
	}
	// Sent before its thumbnail is made: the thumbnailer sees a kept original.
	if err := blobs.Keep(ctx, []string{sentBefore, thumb(sentBefore)}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{never, sentAfter, sentBefore} {
		made(k)
		if _, err := blobs.Stat(ctx, thumb(k)); err != nil {
			t.Fatalf("no thumbnail of %s: %v", k, err)
		}
	}
	// Sent after: the service keeps the original and its thumbnail.
	if err := blobs.Keep(ctx, []string{sentAfter, thumb(sentAfter)}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.Sweep(time.Now().Add(chat.PendingUploadTTL + time.Minute)); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]chat.Code{
		never: chat.NotFound, thumb(never): chat.NotFound,
		sentAfter: "", thumb(sentAfter): "", sentBefore: "", thumb(sentBefore): "",
	} {
		if _, err := blobs.Stat(ctx, key); chat.ErrorCode(err) != want {
			t.Errorf("%s after a day: %v, want %q", key, err, want)
		}
	}
}
