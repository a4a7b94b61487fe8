package gifs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Giphy's defaults.
const (
	GiphyBaseURL = "https://api.giphy.com"
	// giphyMaxOffset: Giphy answers no results past this offset.
	giphyMaxOffset = 4999
)

// GiphyMediaOrigins are where Giphy's media live.
var GiphyMediaOrigins = []string{
	"https://media.giphy.com", "https://media0.giphy.com", "https://media1.giphy.com",
	"https://media2.giphy.com", "https://media3.giphy.com", "https://media4.giphy.com", "https://i.giphy.com",
}

// Giphy is a chat.GifProvider over Giphy's API v1 (/v1/gifs/search and
// /v1/gifs/trending; the original and fixed_width_small renditions). Pos
// is an offset.
type Giphy struct {
	cfg    Config
	base   *url.URL
	client *http.Client
}

var _ chat.GifProvider = (*Giphy)(nil)

// New builds the adapter of a provider: "tenor" (also "") or "giphy".
func New(provider string, cfg Config) (chat.GifProvider, error) {
	switch strings.ToLower(provider) {
	case "", "tenor":
		return NewTenor(cfg)
	case "giphy":
		return NewGiphy(cfg)
	default:
		return nil, fmt.Errorf("gifs: unknown provider %q (tenor or giphy)", provider)
	}
}

// NewGiphy checks cfg and fills in the defaults (ContentFilter is Giphy's
// rating: g by default; ClientKey is unused).
func NewGiphy(cfg Config) (*Giphy, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = GiphyBaseURL
	}
	if len(cfg.MediaOrigins) == 0 {
		cfg.MediaOrigins = GiphyMediaOrigins
	}
	if cfg.ContentFilter == "" || cfg.ContentFilter == "medium" {
		cfg.ContentFilter = "g"
	}
	t, err := NewTenor(cfg) // the same checks of the key, URLs and client
	if err != nil {
		return nil, err
	}
	return &Giphy{cfg: t.cfg, base: t.base, client: t.client}, nil
}

// Provider is "giphy".
func (g *Giphy) Provider() string { return "giphy" }

// IsMediaURL reports whether u is on one of the media origins.
func (g *Giphy) IsMediaURL(u string) bool { return chat.MediaOriginAllows(g.cfg.MediaOrigins, u) }

type giphyImage struct {
	URL    string `json:"url"`
	Width  string `json:"width"`
	Height string `json:"height"`
}

type giphyPage struct {
	Data []struct {
		ID      string                `json:"id"`
		Title   string                `json:"title"`
		AltText string                `json:"alt_text"`
		Images  map[string]giphyImage `json:"images"`
	} `json:"data"`
	Pagination struct {
		TotalCount int `json:"total_count"`
		Count      int `json:"count"`
		Offset     int `json:"offset"`
	} `json:"pagination"`
	Meta struct {
		Status int    `json:"status"`
		Msg    string `json:"msg"`
	} `json:"meta"`
}

// SearchGifs calls /v1/gifs/search (or /v1/gifs/trending for an empty
// query). A 429 is RateLimited; anything else that fails is Internal.
func (g *Giphy) SearchGifs(ctx context.Context, q chat.GifQuery) (chat.GifPage, error) {
	limit := q.Limit
	if limit <= 0 || limit > maxLimit {
		limit = maxLimit
	}
	offset := 0
	if q.Pos != "" {
		n, err := strconv.Atoi(q.Pos)
		if err != nil || n < 0 || n > giphyMaxOffset {
			return chat.GifPage{}, chat.Errorf(chat.Invalid, "pos is not a position of a GIF search")
		}
		offset = n
	}
	v := url.Values{}
	v.Set("api_key", g.cfg.APIKey)
	v.Set("limit", strconv.Itoa(limit))
	v.Set("offset", strconv.Itoa(offset))
	v.Set("rating", g.cfg.ContentFilter)
	if g.cfg.Locale != "" {
		v.Set("lang", strings.SplitN(g.cfg.Locale, "_", 2)[0])
	}
	endpoint := "/v1/gifs/trending"
	if q.Query != "" {
		endpoint = "/v1/gifs/search"
		v.Set("q", q.Query)
	}
	status, body, err := get(ctx, g.client, g.base, endpoint, v)
	if err != nil {
		return chat.GifPage{}, err
	}
	var page giphyPage
	decodeErr := json.Unmarshal(body, &page)
	if status != http.StatusOK {
		return chat.GifPage{}, chat.Errorf(chat.Internal, "gifs: %s: HTTP %d %s", endpoint, status, page.Meta.Msg)
	}
	if decodeErr != nil {
		return chat.GifPage{}, chat.Errorf(chat.Internal, "gifs: %s: decode: %v", endpoint, decodeErr)
	}
	out := chat.GifPage{Results: make([]chat.Gif, 0, len(page.Data))}
	for _, d := range page.Data {
		orig, ok := d.Images["original"]
		w, errW := strconv.Atoi(orig.Width)
		h, errH := strconv.Atoi(orig.Height)
		if !ok || errW != nil || errH != nil || !g.IsMediaURL(orig.URL) {
			continue
		}
		gif := chat.Gif{URL: orig.URL, Width: w, Height: h, Title: title(d.AltText, d.Title)}
		if small, ok := d.Images["fixed_width_small"]; ok && g.IsMediaURL(small.URL) {
			gif.Preview = small.URL
		}
		out.Results = append(out.Results, gif)
	}
	if next := page.Pagination.Offset + page.Pagination.Count; page.Pagination.Count > 0 && next < page.Pagination.TotalCount && next <= giphyMaxOffset {
		out.Next = strconv.Itoa(next)
	}
	return out, nil
}
