package thumbnail_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/thumbnail"
)

// halves is a w×h image whose left half is left and right half is right.
func halves(w, h int, left, right color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := left
			if x >= w/2 {
				c = right
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

var (
	red   = color.NRGBA{255, 0, 0, 255}
	blue  = color.NRGBA{0, 0, 255, 255}
	clear = color.NRGBA{0, 0, 0, 0}
)

func encode(t *testing.T, format string, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 95})
	case "gif": // paletted first: gif.Encode's own quantizer is slow
		p := image.NewPaletted(img.Bounds(), color.Palette{red, blue, clear, color.White})
		draw.Draw(p, p.Rect, img, img.Bounds().Min, draw.Src)
		err = gif.Encode(&b, p, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func decodeJPEG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("thumbnail is not a JPEG: %v", err)
	}
	return img
}

// near reports whether c is within tol of want on every channel (JPEG is
// lossy).
func near(c color.Color, want color.NRGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	d := func(a uint32, b uint8) bool { x := int(a>>8) - int(b); return x >= -tol && x <= tol }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

func TestMakeFitsTheImageInTheBoxKeepingItsAspect(t *testing.T) {
	cases := []struct {
		name, format, typ string
		w, h              int
		tw, th            int
	}{
		{"wide png", "png", "image/png", 1000, 500, 320, 160},
		{"tall jpeg", "jpeg", "image/jpeg", 200, 800, 80, 320},
		{"square gif", "gif", "image/gif", 640, 640, 320, 320},
		{"small png keeps its size", "png", "image/png", 50, 40, 50, 40},
		{"a line", "png", "image/png", 5000, 3, 320, 1},
		{"type with parameters", "png", "image/png; foo=bar", 400, 400, 320, 320},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := encode(t, tc.format, halves(tc.w, tc.h, red, blue))
			out, err := thumbnail.Make(src, tc.typ)
			if err != nil {
				t.Fatal(err)
			}
			img := decodeJPEG(t, out)
			if b := img.Bounds(); b.Dx() != tc.tw || b.Dy() != tc.th {
				t.Fatalf("thumbnail is %d×%d, want %d×%d", b.Dx(), b.Dy(), tc.tw, tc.th)
			}
			if !near(img.At(0, tc.th/2), red, 40) || !near(img.At(tc.tw-1, tc.th/2), blue, 40) {
				t.Errorf("colours moved: left %v, right %v", img.At(0, tc.th/2), img.At(tc.tw-1, tc.th/2))
			}
		})
	}
}

func TestMakeAveragesAndFlattensTransparencyOntoWhite(t *testing.T) {
	// Alternating red and blue columns average to purple; transparent
	// pixels become white, not black.
	stripes := image.NewNRGBA(image.Rect(0, 0, 640, 640))
	for y := range 640 {
		for x := range 640 {
			c := red
			if x%2 == 1 {
				c = blue
			}
			if y >= 320 {
				c = clear
			}
			stripes.SetNRGBA(x, y, c)
		}
	}
	out, err := thumbnail.Make(encode(t, "png", stripes), "image/png")
	if err != nil {
		t.Fatal(err)
	}
	img := decodeJPEG(t, out)
	if c := img.At(100, 50); !near(c, color.NRGBA{127, 0, 128, 255}, 12) {
		t.Errorf("averaged stripes = %v, want purple", c)
	}
	if c := img.At(100, 250); !near(c, color.NRGBA{255, 255, 255, 255}, 6) {
		t.Errorf("transparent area = %v, want white", c)
	}
}

// pngHeader is a PNG signature and IHDR claiming w×h: enough for
// DecodeConfig, nothing to decode.
func pngHeader(w, h uint32) []byte {
	ihdr := make([]byte, 17)
	copy(ihdr, "IHDR")
	binary.BigEndian.PutUint32(ihdr[4:], w)
	binary.BigEndian.PutUint32(ihdr[8:], h)
	ihdr[12], ihdr[13] = 8, 6 // 8-bit RGBA
	b := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d")
	b = append(b, ihdr...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
}

func TestMakeRefusesDecompressionBombsUndecoded(t *testing.T) {
	_, err := thumbnail.Make(pngHeader(100_000, 100_000), "image/png")
	if !errors.Is(err, thumbnail.ErrTooLarge) {
		t.Fatalf("10 gigapixels: %v, want ErrTooLarge", err)
	}
	_, err = thumbnail.Make(pngHeader(8000, 5001), "image/png") // 40.008 MP
	if !errors.Is(err, thumbnail.ErrTooLarge) {
		t.Errorf("just over the limit: %v, want ErrTooLarge", err)
	}
	_, err = thumbnail.Make(pngHeader(8000, 5000), "image/png") // at the limit: decoded, and truncated
	if !errors.Is(err, thumbnail.ErrNotImage) {
		t.Errorf("at the limit: %v, want ErrNotImage (the header is all there is)", err)
	}
}

func TestMakeRefusesWhatIsNotAnImageOfItsType(t *testing.T) {
	png := encode(t, "png", halves(4, 4, red, blue))
	for _, tc := range []struct {
		name, typ string
		src       []byte
		want      error
	}{
		{"svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), thumbnail.ErrUnsupported},
		{"html", "text/html", []byte("<html>"), thumbnail.ErrUnsupported},
		{"webp", "image/webp", []byte("RIFF"), thumbnail.ErrUnsupported},
		{"no type", "", png, thumbnail.ErrUnsupported},
		{"png declared as jpeg", "image/jpeg", png, thumbnail.ErrNotImage},
		{"html declared as png", "image/png", []byte("<html><script>alert(1)</script>"), thumbnail.ErrNotImage},
		{"truncated png", "image/png", png[:len(png)/2], thumbnail.ErrNotImage},
		{"zero pixels", "image/png", pngHeader(0, 10), thumbnail.ErrNotImage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := thumbnail.Make(tc.src, tc.typ)
			if !errors.Is(err, tc.want) || out != nil {
				t.Errorf("Make = %d bytes, %v; want %v", len(out), err, tc.want)
			}
		})
	}
}

func BenchmarkMake12MPJPEG(b *testing.B) {
	var src bytes.Buffer
	if err := jpeg.Encode(&src, halves(4000, 3000, red, blue), nil); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := thumbnail.Make(src.Bytes(), "image/jpeg"); err != nil {
			b.Fatal(err)
		}
	}
}
