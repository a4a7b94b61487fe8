package chat

import (
	"context"
	"net/url"
	"strings"
)

// Gif is a GIF from the deployment's GIF provider (Tenor), sent in a
// message by URL: the file stays on the provider's media host, and the
// client shows it as an animated image. URL and Preview are checked
// against the provider's media hosts before a message may carry them.
type Gif struct {
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	// Preview is a smaller rendition (the picker's, and a fallback).
	Preview string `json:"preview,omitempty"`
	// Title is the provider's description, the image's alternative text.
	Title string `json:"title,omitempty"`
}

// GifPage is one page of GIF search results. Next is the provider's
// position of the following page ("" when there is none).
type GifPage struct {
	Results []Gif  `json:"results"`
	Next    string `json:"next,omitempty"`
}

// GifQuery is a search: Query ("" for the provider's trending GIFs), the
// position of a later page (Pos, from GifPage.Next) and how many (Limit).
type GifQuery struct {
	Query string
	Pos   string
	Limit int
}

// GifProvider is the port to the GIF provider (internal/gifs adapts
// Tenor's API; locally internal/local/localtenor stands in for it).
type GifProvider interface {
	// SearchGifs asks the provider; results whose URLs are not on its
	// media hosts are left out.
	SearchGifs(ctx context.Context, q GifQuery) (GifPage, error)
	// IsMediaURL reports whether u is a URL of the provider's media
	// hosts, the only URLs a message's GIF may point at.
	IsMediaURL(u string) bool
	// Provider names the provider ("tenor", "giphy"), for the clients'
	// attribution.
	Provider() string
}

// Limits of a GIF in a message.
const (
	MaxGifURLBytes = 512
	MaxGifTitle    = 200
	MaxGifSide     = 4096
	MaxGifQuery    = 100
)

// MediaOriginAllows reports whether raw is an absolute URL whose scheme
// and host (with port) are exactly one of origins ("https://media.tenor.com"),
// without user information or fragment, with a path, and not too long.
func MediaOriginAllows(origins []string, raw string) bool {
	if raw == "" || len(raw) > MaxGifURLBytes {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Fragment != "" || u.Opaque != "" || u.Host == "" || len(u.Path) < 2 {
		return false
	}
	if strings.ContainsAny(raw, " \t\r\n\\\"'<>") {
		return false
	}
	origin := strings.ToLower(u.Scheme + "://" + u.Host)
	for _, o := range origins {
		if origin == strings.ToLower(strings.TrimRight(o, "/")) {
			return true
		}
	}
	return false
}
