package thumbnail_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/thumbnail"
)

// animated is a GIF of frames frames of w×h.
func animated(t *testing.T, w, h, frames int) []byte {
	t.Helper()
	pal := color.Palette{color.White, color.Black}
	g := &gif.GIF{}
	for f := range frames {
		img := image.NewPaletted(image.Rect(0, 0, w, h), pal)
		img.SetColorIndex(f, 0, 1)
		g.Image = append(g.Image, img)
		g.Delay = append(g.Delay, 10)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// An uploaded animated GIF keeps animating: no still thumbnail of its
// first frame is made (clients then show the original), while a GIF of
// one frame still gets one.
func TestAnimatedGIFGetsNoThumbnail(t *testing.T) {
	if _, err := thumbnail.Make(animated(t, 640, 480, 3), "image/gif"); !errors.Is(err, thumbnail.ErrAnimated) {
		t.Fatalf("Make(animated) = %v, want ErrAnimated", err)
	}
	if _, err := thumbnail.Make(animated(t, 640, 480, 1), "image/gif"); err != nil {
		t.Fatalf("Make(one frame) = %v", err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		frames    int
		wantThumb bool
	}{{3, false}, {1, true}} {
		blobs := chattest.NewBlobs()
		if err := blobs.Put(ctx, fixtureKey, "image/gif", animated(t, 640, 480, tc.frames)); err != nil {
			t.Fatal(err)
		}
		if err := newHandler(t, blobs).Handle(ctx, loadEvent(t, "object_created_put.json")); err != nil {
			t.Errorf("%d frames: Handle: %v (a skip must not ask for a retry)", tc.frames, err)
		}
		_, err := blobs.Stat(ctx, fixtureThumb)
		if got := err == nil; got != tc.wantThumb {
			t.Errorf("%d frames: thumbnail made = %v, want %v", tc.frames, got, tc.wantThumb)
		}
	}
}
