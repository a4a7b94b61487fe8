package thumbnail_test

import (
	"context"
	"encoding/json"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/thumbnail"
)

const (
	fixtureBucket = "backchannel-files"
	// The key of testdata/object_created_put.json, decoded.
	fixtureKey   = "rooms/general/alice/0f1e2d3c4b5a69788796a5b4c3d2e1f0/été photo.png"
	fixtureThumb = "thumbs/rooms/general/alice/0f1e2d3c4b5a69788796a5b4c3d2e1f0/thumb.jpg"
)

// loadEvent decodes a notification exactly as the Lambda runtime does.
func loadEvent(t *testing.T, name string) events.S3Event {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.S3Event
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func newHandler(t *testing.T, blobs chat.BlobStore) *thumbnail.Handler {
	t.Helper()
	h, err := thumbnail.NewHandler(blobs, thumbnail.Config{Bucket: fixtureBucket})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHandlerMakesTheThumbnailBesideTheOriginal(t *testing.T) {
	for _, tc := range []struct{ format, typ string }{{"png", "image/png"}, {"jpeg", "image/jpeg"}, {"gif", "image/gif"}} {
		t.Run(tc.format, func(t *testing.T) {
			ctx := context.Background()
			blobs := chattest.NewBlobs()
			if err := blobs.Put(ctx, fixtureKey, tc.typ, encode(t, tc.format, halves(1280, 960, red, blue))); err != nil {
				t.Fatal(err)
			}
			if err := newHandler(t, blobs).Handle(ctx, loadEvent(t, "object_created_put.json")); err != nil {
				t.Fatal(err)
			}
			info, err := blobs.Stat(ctx, fixtureThumb)
			if err != nil || info.ContentType != "image/jpeg" {
				t.Fatalf("thumbnail: %+v, %v", info, err)
			}
			body, _, _ := blobs.Open(ctx, fixtureThumb)
			defer body.Close()
			img, err := jpeg.Decode(body)
			if err != nil || img.Bounds().Dx() != 320 || img.Bounds().Dy() != 240 {
				t.Errorf("thumbnail %v, %v", img.Bounds(), err)
			}
		})
	}
}

func TestHandlerSkipsWhatItMustNotThumbnail(t *testing.T) {
	ctx := context.Background()
	png := encode(t, "png", halves(64, 64, red, blue))
	cases := []struct {
		name  string
		event string
		edit  func(*events.S3EventRecord)
		put   string // content type of the object at fixtureKey ("" for none)
		src   []byte
	}{
		{"a thumbnail itself (no loop)", "object_created_thumbnail.json", nil, "image/png", png},
		{"a pdf", "object_created_put.json", nil, "application/pdf", []byte("%PDF-1.7")},
		{"an svg", "object_created_put.json", nil, "image/svg+xml", []byte("<svg/>")},
		{"a decompression bomb", "object_created_put.json", nil, "image/png", pngHeader(100_000, 100_000)},
		{"html uploaded as png", "object_created_put.json", nil, "image/png", []byte("<html>")},
		{"deleted since", "object_created_put.json", nil, "", nil},
		{"another bucket", "object_created_put.json", func(r *events.S3EventRecord) { r.S3.Bucket.Name = "elsewhere" }, "image/png", png},
		{"a removal", "object_created_put.json", func(r *events.S3EventRecord) { r.EventName = "ObjectRemoved:Delete" }, "image/png", png},
		{"outside rooms/", "object_created_put.json", func(r *events.S3EventRecord) { r.S3.Object.Key = "avatars/alice/me.png" }, "image/png", png},
		{"bad escape", "object_created_put.json", func(r *events.S3EventRecord) { r.S3.Object.Key = "rooms/%zz" }, "image/png", png},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			blobs := chattest.NewBlobs()
			if tc.put != "" {
				if err := blobs.Put(ctx, fixtureKey, tc.put, tc.src); err != nil {
					t.Fatal(err)
				}
				if err := blobs.Put(ctx, "avatars/alice/me.png", tc.put, tc.src); err != nil {
					t.Fatal(err)
				}
			}
			if tc.event == "object_created_thumbnail.json" {
				if err := blobs.Put(ctx, fixtureThumb, "image/png", png); err != nil {
					t.Fatal(err)
				}
			}
			before := blobs.Keys()
			ev := loadEvent(t, tc.event)
			if tc.edit != nil {
				tc.edit(&ev.Records[0])
			}
			if err := newHandler(t, blobs).Handle(ctx, ev); err != nil {
				t.Errorf("Handle: %v (a skip must not ask for a retry)", err)
			}
			if after := blobs.Keys(); !slices.Equal(before, after) {
				t.Errorf("objects %v became %v", before, after)
			}
		})
	}
}

func TestHandlerReturnsStorageFailuresForARetry(t *testing.T) {
	ctx := context.Background()
	for _, method := range []string{"Open", "Put"} {
		blobs := chattest.NewBlobs()
		if err := blobs.Put(ctx, fixtureKey, "image/png", encode(t, "png", halves(8, 8, red, blue))); err != nil {
			t.Fatal(err)
		}
		blobs.FailOn(method, chat.Errorf(chat.Internal, "slow down"))
		if err := newHandler(t, blobs).Handle(ctx, loadEvent(t, "object_created_put.json")); err == nil {
			t.Errorf("%s failed and Handle returned nil", method)
		}
	}
}

func TestNewHandlerChecksItsArguments(t *testing.T) {
	if _, err := thumbnail.NewHandler(nil, thumbnail.Config{}); err == nil {
		t.Error("nil store accepted")
	}
	if _, err := thumbnail.NewHandler(chattest.NewBlobs(), thumbnail.Config{MaxSourceBytes: -1}); err == nil {
		t.Error("negative limit accepted")
	}
}

func TestHandlerSkipsOriginalsOverTheLimit(t *testing.T) {
	ctx := context.Background()
	blobs := chattest.NewBlobs()
	src := encode(t, "png", halves(64, 64, red, blue))
	if err := blobs.Put(ctx, fixtureKey, "image/png", src); err != nil {
		t.Fatal(err)
	}
	h, err := thumbnail.NewHandler(blobs, thumbnail.Config{MaxSourceBytes: int64(len(src) - 1)})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Handle(ctx, loadEvent(t, "object_created_put.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := blobs.Stat(ctx, fixtureThumb); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("thumbnail of an oversized original: %v", err)
	}
}
