// Package localtenor is a local stand-in for Tenor's GIF API v2 (issue 14):
// GET /v2/search and /v2/featured with Tenor's query parameters (key,
// client_key, q, limit, pos, media_filter) and Tenor's answer shape
// (results[].media_formats.{gif,tinygif}.{url,dims,size},
// content_description, next), and its error shape for a wrong key. The
// real adapter (internal/gifs) talks to it unchanged, pointed here by
// GIF_ENDPOINT_URL. It serves a few small animated GIFs it draws at
// start (no downloads) under /media/, its media origin.
package localtenor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Item is one GIF of the catalog.
type Item struct {
	ID          string
	Name        string // file name, without .gif
	Description string
	Tags        []string
	full, tiny  []byte
	fw, fh      int
	tw, th      int
}

// catalog: what the stand-in serves. Searches match a word of the query
// against the start of a tag.
var catalog = []struct {
	id, name, desc string
	tags           []string
	bg, fg         color.RGBA
}{
	{"lt1", "smile", "Smiling face GIF", []string{"smile", "happy", "joy"}, color.RGBA{255, 214, 0, 255}, color.RGBA{120, 60, 0, 255}},
	{"lt2", "wave", "Waving hello GIF", []string{"wave", "hello", "hi"}, color.RGBA{0, 150, 255, 255}, color.RGBA{255, 255, 255, 255}},
	{"lt3", "cat", "Cat dancing GIF", []string{"cat", "dance", "kitty"}, color.RGBA{255, 120, 180, 255}, color.RGBA{40, 0, 40, 255}},
	{"lt4", "party", "Party time GIF", []string{"party", "celebrate", "tada", "happy"}, color.RGBA{140, 0, 255, 255}, color.RGBA{255, 230, 0, 255}},
	{"lt5", "thumbs-up", "Thumbs up GIF", []string{"thumbs", "yes", "ok", "good"}, color.RGBA{0, 180, 90, 255}, color.RGBA{255, 255, 255, 255}},
	{"lt6", "cat-sleep", "Sleepy cat GIF", []string{"cat", "sleep", "tired"}, color.RGBA{60, 60, 120, 255}, color.RGBA{220, 220, 255, 255}},
}

// Server is a running stand-in.
type Server struct {
	key   string
	url   string
	srv   *http.Server
	items []*Item
	calls atomic.Int64
}

// Start listens on addr ("127.0.0.1:0" for a free port) and serves with
// key as the only valid API key.
func Start(addr, key string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("localtenor: %w", err)
	}
	s, err := New(key)
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// New draws the GIFs and returns the handler (URL is set by Start, or
// by SetURL when mounted elsewhere).
func New(key string) (*Server, error) {
	s := &Server{key: key}
	for _, c := range catalog {
		full, err := draw(96, 72, 6, c.bg, c.fg)
		if err != nil {
			return nil, err
		}
		tiny, err := draw(48, 36, 6, c.bg, c.fg)
		if err != nil {
			return nil, err
		}
		s.items = append(s.items, &Item{ID: c.id, Name: c.name, Description: c.desc, Tags: c.tags,
			full: full, tiny: tiny, fw: 96, fh: 72, tw: 48, th: 36})
	}
	return s, nil
}

// URL is the API's base URL (GIF_ENDPOINT_URL) and its media origin
// (GIF_MEDIA_ORIGINS).
func (s *Server) URL() string { return s.url }

// SetURL sets the base URL of a handler from New mounted elsewhere.
func (s *Server) SetURL(u string) { s.url = strings.TrimRight(u, "/") }

// Calls is how many API calls (search or featured) were answered.
func (s *Server) Calls() int64 { return s.calls.Load() }

// Close stops the server.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// GIF returns the bytes of one of the catalog's GIFs (id, tiny or full),
// for tests.
func (s *Server) GIF(id string, tiny bool) []byte {
	for _, it := range s.items {
		if it.ID == id {
			if tiny {
				return it.tiny
			}
			return it.full
		}
	}
	return nil
}

// draw makes an animated GIF of frames frames: a square moving over bg.
func draw(w, h, frames int, bg, fg color.RGBA) ([]byte, error) {
	pal := color.Palette{bg, fg, color.RGBA{255, 255, 255, 255}, color.RGBA{0, 0, 0, 255}}
	anim := &gif.GIF{LoopCount: 0}
	side := h / 3
	for f := range frames {
		img := image.NewPaletted(image.Rect(0, 0, w, h), pal)
		x0 := (f * (w - side)) / (frames - 1)
		y0 := (h - side) / 2
		if f%2 == 1 {
			y0 -= side / 3
		}
		for y := y0; y < y0+side; y++ {
			for x := x0; x < x0+side && x < w; x++ {
				img.SetColorIndex(x, y, 1)
			}
		}
		// A border, so the picture reads as a tile.
		for x := range w {
			img.SetColorIndex(x, 0, 3)
			img.SetColorIndex(x, h-1, 3)
		}
		anim.Image = append(anim.Image, img)
		anim.Delay = append(anim.Delay, 12)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, anim); err != nil {
		return nil, fmt.Errorf("localtenor: draw: %w", err)
	}
	return b.Bytes(), nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/media/"):
		s.media(w, r)
	case r.URL.Path == "/v2/search" || r.URL.Path == "/v2/featured":
		s.search(w, r)
	default:
		tenorError(w, http.StatusNotFound, "NOT_FOUND", "Requested entity was not found.")
	}
}

// media serves /media/<id>/<name>.gif and /media/<id>/<name>-tiny.gif.
func (s *Server) media(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/media/"), "/")
	if len(parts) == 2 {
		for _, it := range s.items {
			if parts[0] != it.ID {
				continue
			}
			var body []byte
			switch parts[1] {
			case it.Name + ".gif":
				body = it.full
			case it.Name + "-tiny.gif":
				body = it.tiny
			}
			if body != nil {
				w.Header().Set("Content-Type", "image/gif")
				w.Header().Set("Cache-Control", "public, max-age=86400")
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				if r.Method == http.MethodGet {
					_, _ = w.Write(body)
				}
				return
			}
		}
	}
	http.NotFound(w, r)
}

type format struct {
	URL      string  `json:"url"`
	Duration float64 `json:"duration"`
	Preview  string  `json:"preview"`
	Dims     []int   `json:"dims"`
	Size     int     `json:"size"`
}

type result struct {
	ID                 string            `json:"id"`
	Title              string            `json:"title"`
	MediaFormats       map[string]format `json:"media_formats"`
	Created            float64           `json:"created"`
	ContentDescription string            `json:"content_description"`
	ItemURL            string            `json:"itemurl"`
	URL                string            `json:"url"`
	Tags               []string          `json:"tags"`
	Flags              []string          `json:"flags"`
	HasAudio           bool              `json:"hasaudio"`
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		tenorError(w, http.StatusMethodNotAllowed, "INVALID_ARGUMENT", "Method not allowed.")
		return
	}
	q := r.URL.Query()
	if q.Get("key") == "" || q.Get("key") != s.key {
		tenorError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")
		return
	}
	s.calls.Add(1)
	limit := 20
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 50 {
			tenorError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid limit.")
			return
		}
		limit = n
	}
	pos := 0
	if p := q.Get("pos"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			tenorError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid pos.")
			return
		}
		pos = n
	}
	if r.URL.Path == "/v2/search" && strings.TrimSpace(q.Get("q")) == "" {
		tenorError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Missing q.")
		return
	}
	filter := map[string]bool{}
	for f := range strings.SplitSeq(q.Get("media_filter"), ",") {
		if f != "" {
			filter[f] = true
		}
	}
	var hits []*Item
	for _, it := range s.items {
		if r.URL.Path == "/v2/featured" || matches(it, q.Get("q")) {
			hits = append(hits, it)
		}
	}
	page := struct {
		Results []result `json:"results"`
		Next    string   `json:"next"`
	}{Results: []result{}}
	for i := pos; i < len(hits) && i < pos+limit; i++ {
		it := hits[i]
		mf := map[string]format{}
		if len(filter) == 0 || filter["gif"] {
			mf["gif"] = format{URL: s.url + "/media/" + it.ID + "/" + it.Name + ".gif", Dims: []int{it.fw, it.fh}, Size: len(it.full)}
		}
		if len(filter) == 0 || filter["tinygif"] {
			mf["tinygif"] = format{URL: s.url + "/media/" + it.ID + "/" + it.Name + "-tiny.gif", Dims: []int{it.tw, it.th}, Size: len(it.tiny)}
		}
		page.Results = append(page.Results, result{
			ID: it.ID, MediaFormats: mf, Created: 1.7e9, ContentDescription: it.Description,
			ItemURL: s.url + "/view/" + it.Name + "-" + it.ID, URL: s.url + "/view/" + it.ID,
			Tags: it.Tags, Flags: []string{},
		})
	}
	if pos+limit < len(hits) {
		page.Next = strconv.Itoa(pos + limit)
	} else {
		page.Next = "0"
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(page)
}

func matches(it *Item, q string) bool {
	for word := range strings.FieldsSeq(strings.ToLower(q)) {
		for _, t := range it.Tags {
			if strings.HasPrefix(t, word) {
				return true
			}
		}
	}
	return false
}

// tenorError answers in Google APIs' error shape, as Tenor does.
func tenorError(w http.ResponseWriter, code int, status, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
}
