package thumbnail

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

// fuzzPixelCap keeps fuzzing fast: inputs that claim more pixels than this
// (but not more than MaxPixels, which Make refuses before decoding) are
// skipped rather than decoded.
const fuzzPixelCap = 1 << 20

// FuzzMake: any bytes under any of the content types either fail with one
// of Make's errors or give a JPEG that fits in MaxSide×MaxSide with the
// size fit computes.
func FuzzMake(f *testing.F) {
	img := image.NewNRGBA(image.Rect(0, 0, 40, 10))
	for x := range 40 {
		img.Set(x, x%10, color.NRGBA{R: uint8(x * 6), A: uint8(x * 3)})
	}
	var pb, jb, gb bytes.Buffer
	_ = png.Encode(&pb, img)
	_ = jpeg.Encode(&jb, img, nil)
	_ = gif.Encode(&gb, img, nil)
	f.Add(pb.Bytes(), "image/png")
	f.Add(jb.Bytes(), "image/jpeg")
	f.Add(gb.Bytes(), "image/gif")
	f.Add(pb.Bytes(), "image/jpeg")
	f.Add(jb.Bytes(), "image/png; charset=binary")
	f.Add([]byte("GIF89a"), "image/gif")
	f.Add([]byte{}, "image/webp")
	f.Fuzz(func(t *testing.T, src []byte, contentType string) {
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(src)); err == nil {
			if px := int64(cfg.Width) * int64(cfg.Height); px > fuzzPixelCap && px <= MaxPixels {
				t.Skip("too large to decode while fuzzing")
			}
		}
		out, err := Make(src, contentType)
		if err != nil {
			if !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrNotImage) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Make: unexpected error %v", err)
			}
			if out != nil {
				t.Fatal("output with an error")
			}
			return
		}
		if !Supported(contentType) {
			t.Fatalf("Make made a thumbnail of unsupported %q", contentType)
		}
		thumb, err := jpeg.Decode(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("output is not a JPEG: %v", err)
		}
		orig, _, _ := image.DecodeConfig(bytes.NewReader(src))
		w, h := fit(orig.Width, orig.Height, MaxSide)
		if b := thumb.Bounds(); b.Dx() != w || b.Dy() != h || w > MaxSide || h > MaxSide || w < 1 || h < 1 {
			t.Fatalf("thumbnail of %d×%d is %d×%d, want %d×%d", orig.Width, orig.Height, b.Dx(), b.Dy(), w, h)
		}
	})
}
