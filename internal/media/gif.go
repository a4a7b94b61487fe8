package media

// AnimatedGIF reports whether b, a GIF file (or its start), holds more than
// one image: it walks the blocks (header, screen descriptor, colour
// tables, extensions, image descriptors and their data sub-blocks)
// without decoding anything, and stops at the second image. A file cut
// short or malformed before a second image reports false.
func AnimatedGIF(b []byte) bool {
	if len(b) < 13 || string(b[:3]) != "GIF" {
		return false
	}
	i := 13
	if packed := b[10]; packed&0x80 != 0 {
		i += 3 << ((packed & 7) + 1)
	}
	images := 0
	for i < len(b) {
		switch b[i] {
		case 0x21: // extension: label, then sub-blocks
			if i+2 > len(b) {
				return false
			}
			i = skipSubBlocks(b, i+2)
		case 0x2C: // image descriptor: 9 bytes, a local table, LZW size, sub-blocks
			images++
			if images > 1 {
				return true
			}
			if i+10 > len(b) {
				return false
			}
			packed := b[i+9]
			i += 10
			if packed&0x80 != 0 {
				i += 3 << ((packed & 7) + 1)
			}
			i = skipSubBlocks(b, i+1) // after the LZW minimum code size
		default: // the trailer (0x3B) or garbage
			return false
		}
		if i < 0 {
			return false
		}
	}
	return false
}

// skipSubBlocks returns the index after the sub-blocks starting at i (a
// size byte, that many bytes, … up to a zero size), or -1 when b ends
// first.
func skipSubBlocks(b []byte, i int) int {
	for {
		if i >= len(b) {
			return -1
		}
		n := int(b[i])
		i++
		if n == 0 {
			return i
		}
		i += n
	}
}
