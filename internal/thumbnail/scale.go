package thumbnail

import (
	"image"
	"image/color"
)

// shrink scales src down to w×h by area averaging (each output pixel is
// the mean of the source pixels that map onto it: no aliasing, no
// dependency) and flattens transparency onto white, since JPEG has no
// alpha. It reads the source one row at a time, so the only large buffer
// is the decoded source itself.
func shrink(src image.Image, w, h int) *image.RGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	xmap := make([]int, sw) // source column -> output column
	xcount := make([]uint64, w)
	for x := range sw {
		xmap[x] = x * w / sw
		xcount[xmap[x]]++
	}
	ycount := make([]uint64, h)
	sums := make([]uint64, w*h*4) // premultiplied R, G, B, A per output pixel
	row := make([]uint8, sw*4)
	read := rowReader(src)
	for y := range sh {
		oy := y * h / sh
		ycount[oy]++
		read(b.Min.Y+y, row)
		acc := sums[oy*w*4 : (oy+1)*w*4]
		for x := range sw {
			o := xmap[x] * 4
			p := row[x*4 : x*4+4 : x*4+4]
			acc[o] += uint64(p[0])
			acc[o+1] += uint64(p[1])
			acc[o+2] += uint64(p[2])
			acc[o+3] += uint64(p[3])
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for oy := range h {
		for ox := range w {
			n := xcount[ox] * ycount[oy]
			s := sums[(oy*w+ox)*4:]
			a := s[3] / n
			d := dst.Pix[oy*dst.Stride+ox*4:]
			for c := range 3 {
				// Premultiplied over white: c + 255·(1 − α).
				d[c] = uint8(min(255, s[c]/n+255-a))
			}
			d[3] = 255
		}
	}
	return dst
}

// rowReader returns a function that writes row y of img into buf as
// premultiplied 8-bit RGBA, with fast paths for what the decoders return.
func rowReader(img image.Image) func(y int, buf []uint8) {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.RGBA:
		return func(y int, buf []uint8) {
			i := m.PixOffset(b.Min.X, y)
			copy(buf, m.Pix[i:i+len(buf)])
		}
	case *image.NRGBA:
		return func(y int, buf []uint8) {
			i := m.PixOffset(b.Min.X, y)
			px := m.Pix[i : i+len(buf)]
			for j := 0; j < len(buf); j += 4 {
				a := uint16(px[j+3])
				buf[j] = uint8(uint16(px[j]) * a / 255)
				buf[j+1] = uint8(uint16(px[j+1]) * a / 255)
				buf[j+2] = uint8(uint16(px[j+2]) * a / 255)
				buf[j+3] = uint8(a)
			}
		}
	case *image.YCbCr:
		return func(y int, buf []uint8) {
			for x := range b.Dx() {
				yi, ci := m.YOffset(b.Min.X+x, y), m.COffset(b.Min.X+x, y)
				r, g, bl := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
				buf[x*4], buf[x*4+1], buf[x*4+2], buf[x*4+3] = r, g, bl, 255
			}
		}
	case *image.Gray:
		return func(y int, buf []uint8) {
			i := m.PixOffset(b.Min.X, y)
			for x, v := range m.Pix[i : i+b.Dx()] {
				buf[x*4], buf[x*4+1], buf[x*4+2], buf[x*4+3] = v, v, v, 255
			}
		}
	case *image.Paletted:
		pal := make([][4]uint8, len(m.Palette))
		for i, c := range m.Palette {
			pal[i] = rgba8(c)
		}
		return func(y int, buf []uint8) {
			i := m.PixOffset(b.Min.X, y)
			for x, idx := range m.Pix[i : i+b.Dx()] {
				var p [4]uint8 // an index past the palette is transparent
				if int(idx) < len(pal) {
					p = pal[idx]
				}
				copy(buf[x*4:x*4+4], p[:])
			}
		}
	default:
		return func(y int, buf []uint8) {
			for x := range b.Dx() {
				p := rgba8(img.At(b.Min.X+x, y))
				copy(buf[x*4:x*4+4], p[:])
			}
		}
	}
}

// rgba8 is c as premultiplied 8-bit RGBA.
func rgba8(c color.Color) [4]uint8 {
	r, g, b, a := c.RGBA()
	return [4]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}
