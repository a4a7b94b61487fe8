package media

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"testing"
)

// webpHeader builds the first 30 bytes of a WebP file of each flavour.
func webpHeader(chunk string, body []byte) []byte {
	b := append([]byte("RIFF\x00\x00\x00\x00WEBP"+chunk+"\x00\x00\x00\x00"), body...)
	return append(b, make([]byte, 30)...)
}

func TestImageDimensions(t *testing.T) {
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, image.NewGray(image.Rect(0, 0, 40, 30)), nil); err != nil {
		t.Fatal(err)
	}
	// A JPEG whose frame header is past the bytes read: a big EXIF block.
	exif := append([]byte{0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff}, make([]byte, 100)...)

	cases := []struct {
		name     string
		typ      string
		head     []byte
		complete bool
		w, h     int
		notImage bool
	}{
		{"jpeg", "image/jpeg", jpg.Bytes(), true, 40, 30, false},
		{"jpeg frame beyond the bytes read", "image/jpeg", exif, false, 0, 0, false},
		{"truncated complete file", "image/jpeg", exif, true, 0, 0, true},
		{"jpeg declared as gif", "image/gif", jpg.Bytes(), true, 0, 0, true},
		{"webp lossy", "image/webp", webpHeader("VP8 ", []byte{0, 0, 0, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01}), true, 640, 480, false},
		{"webp lossless", "image/webp", webpHeader("VP8L", []byte{0x2f, 0x3f, 0xc0, 0x07, 0x00}), true, 64, 32, false},
		{"webp extended", "image/webp", webpHeader("VP8X", []byte{0, 0, 0, 0, 0x1f, 0x03, 0x00, 0xdf, 0x01, 0x00}), true, 800, 480, false},
		{"webp bad start code", "image/webp", webpHeader("VP8 ", []byte{0, 0, 0, 1, 2, 3}), true, 0, 0, true},
		{"not webp", "image/webp", []byte("<html>" + string(make([]byte, 40))), true, 0, 0, true},
		{"short webp", "image/webp", []byte("RIFF"), true, 0, 0, true},
		{"pdf has no dimensions", "application/pdf", []byte("%PDF"), true, 0, 0, false},
	}
	for _, tc := range cases {
		w, h, err := ImageDimensions(tc.typ, tc.head, tc.complete)
		if errors.Is(err, ErrNotImage) != tc.notImage || (err != nil && !errors.Is(err, ErrNotImage)) {
			t.Errorf("%s: error %v, want not-image %v", tc.name, err, tc.notImage)
		}
		if w != tc.w || h != tc.h {
			t.Errorf("%s: %d×%d, want %d×%d", tc.name, w, h, tc.w, tc.h)
		}
	}
}
