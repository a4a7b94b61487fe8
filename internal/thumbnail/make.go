// Package thumbnail makes small JPEG previews of uploaded images, with the
// standard library only, and holds the handler of the S3 object-created
// notification that runs it (functions/thumbnail in AWS, internal/local/s3notify
// locally).
package thumbnail

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"mime"

	"github.com/backchannel-chat/backchannel/internal/media"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Limits of Make.
const (
	// MaxSide bounds both sides of a thumbnail; the aspect ratio is kept.
	MaxSide = protocol.ThumbnailMaxSide
	// MaxPixels refuses larger images before decoding them: a few KB of
	// PNG can claim gigapixels (a decompression bomb), and decoding 40 MP
	// already takes 160 MB.
	MaxPixels = 40_000_000
	// Quality of the JPEG encoding.
	Quality = 80
)

// Errors of Make. None of them is worth retrying.
var (
	ErrUnsupported = errors.New("thumbnail: not an image type thumbnails are made of")
	ErrNotImage    = errors.New("thumbnail: content is not an image of its type")
	ErrTooLarge    = errors.New("thumbnail: image has too many pixels")
	// ErrAnimated: an animated GIF gets no thumbnail, since a still of its
	// first frame would stop it animating; clients show the original.
	ErrAnimated = errors.New("thumbnail: an animated GIF is shown as the original")
)

// Supported reports whether Make makes thumbnails of contentType: the
// types the standard library decodes (media.DecoderFormat). WebP has no
// decoder in the standard library: browsers show WebP originals well
// enough.
func Supported(contentType string) bool {
	t, _, err := mime.ParseMediaType(contentType)
	return err == nil && media.DecoderFormat(t) != ""
}

// Make returns a JPEG thumbnail of the image in src (PNG, JPEG, or a GIF
// of one frame) that fits in MaxSide×MaxSide. Smaller images keep their
// size. Transparency is flattened onto white. An animated GIF is
// ErrAnimated.
func Make(src []byte, contentType string) ([]byte, error) {
	t, _, err := mime.ParseMediaType(contentType)
	format := media.DecoderFormat(t)
	if err != nil || format == "" {
		return nil, fmt.Errorf("%w: %q", ErrUnsupported, contentType)
	}
	cfg, got, err := image.DecodeConfig(bytes.NewReader(src))
	if err != nil || got != format {
		return nil, fmt.Errorf("%w: want %s", ErrNotImage, format)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: %d×%d", ErrNotImage, cfg.Width, cfg.Height)
	}
	if format == "gif" && media.AnimatedGIF(src) {
		return nil, ErrAnimated
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, fmt.Errorf("%w: %d×%d is over %d", ErrTooLarge, cfg.Width, cfg.Height, MaxPixels)
	}
	img, err := decode(format, bytes.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotImage, err)
	}
	w, h := fit(img.Bounds().Dx(), img.Bounds().Dy(), MaxSide)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, shrink(img, w, h), &jpeg.Options{Quality: Quality}); err != nil {
		return nil, fmt.Errorf("thumbnail: encode: %w", err)
	}
	return out.Bytes(), nil
}

// decode uses the one decoder of format, so content cannot pick another.
func decode(format string, r io.Reader) (image.Image, error) {
	switch format {
	case "png":
		return png.Decode(r)
	case "jpeg":
		return jpeg.Decode(r)
	default:
		return gif.Decode(r) // the first frame
	}
}

// fit scales w×h down to fit in side×side, keeping the aspect ratio and at
// least one pixel a side; it never scales up.
func fit(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, (h*side+w/2)/w)
	}
	return max(1, (w*side+h/2)/h), side
}
