// Command gen-icons draws the app's mark (a white speech bubble with three
// accent dots on the accent colour) into the PNG icons the web app
// manifest names, under web/public/icons. The outputs are committed; run it
// again after changing the mark. Run it from the module root.
//
// Usage: go run ./scripts/gen-icons [out-dir]
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
)

// The accent colour of the default theme (web/src/styles.css --accent).
var accent = color.NRGBA{0x3b, 0x6f, 0xd8, 0xff}

type icon struct {
	name string
	size int
	// bleed: the background fills the whole square (maskable: the platform
	// cuts its own shape; the mark stays within the 80% safe zone).
	bleed bool
	// scale of the mark relative to the square.
	scale float64
	// mono: white mark on transparent (a notification badge, which the
	// platform tints).
	mono bool
}

var icons = []icon{
	{name: "icon-192.png", size: 192, scale: 0.62},
	{name: "icon-512.png", size: 512, scale: 0.62},
	{name: "icon-maskable-512.png", size: 512, bleed: true, scale: 0.5},
	{name: "badge-96.png", size: 96, mono: true, scale: 0.9},
}

func main() {
	out := "web/public/icons"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		fail(err)
	}
	for _, ic := range icons {
		if err := write(filepath.Join(out, ic.name), draw(ic)); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen-icons:", err)
	os.Exit(1)
}

func write(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// draw renders the icon with 4x4 supersampling per pixel. Coordinates are
// in units of the square: (0,0) top left, (1,1) bottom right.
func draw(ic icon) *image.NRGBA {
	n := ic.size
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	const ss = 4
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					px := (float64(x) + (float64(sx)+0.5)/ss) / float64(n)
					py := (float64(y) + (float64(sy)+0.5)/ss) / float64(n)
					c := sample(ic, px, py)
					al := float64(c.A) / 255
					r += float64(c.R) * al
					g += float64(c.G) * al
					b += float64(c.B) * al
					a += al
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(x, y, color.NRGBA{uint8(r / a), uint8(g / a), uint8(b / a), uint8(math.Round(a / (ss * ss) * 255))})
		}
	}
	return img
}

var white = color.NRGBA{0xff, 0xff, 0xff, 0xff}

func sample(ic icon, x, y float64) color.NRGBA {
	// The mark, centred, in its own unit square.
	mx := (x-0.5)/ic.scale + 0.5
	my := (y-0.5)/ic.scale + 0.5
	inBubble := bubble(mx, my)
	if ic.mono {
		if inBubble && !dot(mx, my) {
			return white
		}
		return color.NRGBA{}
	}
	if !ic.bleed && roundedRect(x, y, 0, 0, 1, 1, 0.22) > 0 {
		return color.NRGBA{}
	}
	if inBubble {
		if dot(mx, my) {
			return accent
		}
		return white
	}
	return accent
}

// bubble: a rounded rectangle with a tail at its lower left.
func bubble(x, y float64) bool {
	if roundedRect(x, y, 0.05, 0.1, 0.95, 0.75, 0.18) <= 0 {
		return true
	}
	// The tail: a triangle below the body.
	return inTriangle(x, y, 0.2, 0.7, 0.42, 0.7, 0.14, 0.93)
}

// dot: one of the three dots in the bubble.
func dot(x, y float64) bool {
	for _, cx := range []float64{0.29, 0.5, 0.71} {
		if math.Hypot(x-cx, y-0.425) <= 0.07 {
			return true
		}
	}
	return false
}

// roundedRect is the signed distance to a rectangle with rounded corners
// (negative inside).
func roundedRect(x, y, x0, y0, x1, y1, r float64) float64 {
	cx, cy := (x0+x1)/2, (y0+y1)/2
	hx, hy := (x1-x0)/2-r, (y1-y0)/2-r
	dx := math.Abs(x-cx) - hx
	dy := math.Abs(y-cy) - hy
	out := math.Hypot(math.Max(dx, 0), math.Max(dy, 0))
	in := math.Min(math.Max(dx, dy), 0)
	return out + in - r
}

func inTriangle(px, py, ax, ay, bx, by, cx, cy float64) bool {
	d1 := (px-bx)*(ay-by) - (ax-bx)*(py-by)
	d2 := (px-cx)*(by-cy) - (bx-cx)*(py-cy)
	d3 := (px-ax)*(cy-ay) - (cx-ax)*(py-ay)
	neg := d1 < 0 || d2 < 0 || d3 < 0
	pos := d1 > 0 || d2 > 0 || d3 > 0
	return !(neg && pos)
}
