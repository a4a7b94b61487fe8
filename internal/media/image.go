// Package media knows what the chat knows about files: which types there
// are (what may be uploaded, what is shown inline, what the standard
// library decodes, what a profile picture may be), how large uploads may
// be, the dimensions of an image from its first bytes, and how a client's
// file name becomes safe for object keys and Content-Disposition headers.
// The service (uploads, attachments, pictures) and the thumbnail function
// both use it. It does no I/O.
package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	_ "image/gif" // registers the decoders image.DecodeConfig uses
	_ "image/jpeg"
	_ "image/png"
	"io"
)

// ImageHeaderBytes is how much of an image is read to learn its size: the
// header, and for JPEG the segments before the frame (EXIF can be large).
const ImageHeaderBytes = 64 << 10

// ErrNotImage says the bytes are not an image of the declared type.
var ErrNotImage = errors.New("not an image of its declared type")

// ImageDimensions reads the width and height from the first bytes of an
// image of mediaType. complete says head is the whole file. It returns
// ErrNotImage when the bytes are not such an image, and zeros when the
// size is beyond the bytes read (a JPEG with a huge EXIF block).
func ImageDimensions(mediaType string, head []byte, complete bool) (w, h int, err error) {
	if mediaType == "image/webp" {
		return webpDimensions(head)
	}
	format := DecoderFormat(mediaType)
	if format == "" {
		return 0, 0, nil
	}
	cfg, got, err := image.DecodeConfig(bytes.NewReader(head))
	switch {
	case err == nil && got == format:
		return cfg.Width, cfg.Height, nil
	case err == nil:
		return 0, 0, ErrNotImage // another format than declared
	case !complete && errors.Is(err, io.ErrUnexpectedEOF):
		return 0, 0, nil
	default:
		return 0, 0, ErrNotImage
	}
}

// webpDimensions parses the RIFF header of a WebP file (lossy, lossless or
// extended); the standard library has no WebP decoder.
func webpDimensions(b []byte) (w, h int, err error) {
	if len(b) < 30 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return 0, 0, ErrNotImage
	}
	switch string(b[12:16]) {
	case "VP8X": // extended: 24-bit width-1 and height-1 at 24 and 27
		return 1 + int(uint24(b[24:])), 1 + int(uint24(b[27:])), nil
	case "VP8 ": // lossy: key frame start code, then 14-bit sizes
		if b[23] != 0x9d || b[24] != 0x01 || b[25] != 0x2a {
			return 0, 0, ErrNotImage
		}
		return int(binary.LittleEndian.Uint16(b[26:]) & 0x3fff), int(binary.LittleEndian.Uint16(b[28:]) & 0x3fff), nil
	case "VP8L": // lossless: signature 0x2f, then 14-bit width-1 and height-1
		if b[20] != 0x2f {
			return 0, 0, ErrNotImage
		}
		bits := binary.LittleEndian.Uint32(b[21:])
		return 1 + int(bits&0x3fff), 1 + int(bits>>14&0x3fff), nil
	}
	return 0, 0, ErrNotImage
}

func uint24(b []byte) uint32 { return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 }
