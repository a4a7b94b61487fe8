package media_test

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/media"
)

func encodeGIF(t *testing.T, frames int, local bool) []byte {
	t.Helper()
	pal := color.Palette{color.White, color.Black, color.RGBA{255, 0, 0, 255}}
	g := &gif.GIF{}
	for f := range frames {
		img := image.NewPaletted(image.Rect(0, 0, 40, 30), pal)
		img.SetColorIndex(f, f, 1)
		g.Image = append(g.Image, img)
		g.Delay = append(g.Delay, 10)
	}
	if !local {
		g.Config = image.Config{ColorModel: pal, Width: 40, Height: 30}
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestAnimatedGIF(t *testing.T) {
	one, three := encodeGIF(t, 1, false), encodeGIF(t, 3, false)
	threeLocal := encodeGIF(t, 3, true)
	for _, tc := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"one frame", one, false},
		{"three frames, global palette", three, true},
		{"three frames, local palettes", threeLocal, true},
		{"cut in the first frame", three[:20], false},
		{"empty", nil, false},
		{"a PNG", []byte("\x89PNG\r\n\x1a\n0000000000000"), false},
		{"header only", []byte("GIF89a"), false},
	} {
		if got := media.AnimatedGIF(tc.b); got != tc.want {
			t.Errorf("%s: AnimatedGIF = %v", tc.name, got)
		}
	}
}

func FuzzAnimatedGIF(f *testing.F) {
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x80\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) { _ = media.AnimatedGIF(b) })
}
