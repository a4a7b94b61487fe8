// Package gifs adapts the GIF provider's HTTP API to chat.GifProvider. The
// provider is Tenor (API v2, https://tenor.googleapis.com/v2): the server
// calls it with the deployment's API key, so the key never reaches a
// browser, and only URLs of its media hosts are handed on. Locally
// internal/local/localtenor speaks the same API; Config.BaseURL points the
// adapter at it (GIF_ENDPOINT_URL) or anywhere else.
package gifs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Tenor's defaults.
const (
	TenorBaseURL = "https://tenor.googleapis.com"
	// TenorMediaOrigin is where Tenor's v2 media live
	// (https://media.tenor.com/<id>/<name>.gif).
	TenorMediaOrigin = "https://media.tenor.com"
	// DefaultClientKey names this app to Tenor (client_key).
	DefaultClientKey = "backchannel"
	// DefaultTimeout bounds one call to the provider.
	DefaultTimeout = 5 * time.Second
	// maxBody bounds a provider's answer (a page of 50 results is ~60 KB).
	maxBody  = 1 << 20
	maxLimit = 50
)

// Config configures the Tenor adapter.
type Config struct {
	APIKey string // required
	// BaseURL is the API's origin (default TenorBaseURL).
	BaseURL string
	// MediaOrigins are the scheme://host[:port] a GIF's URLs may have
	// (default TenorMediaOrigin).
	MediaOrigins []string
	// ClientKey is sent as client_key (default DefaultClientKey).
	ClientKey string
	// ContentFilter is Tenor's safety level: off, low, medium (default),
	// high.
	ContentFilter string
	// Locale, e.g. en_US (optional).
	Locale     string
	HTTPClient *http.Client // default: one with DefaultTimeout
}

// Tenor is a chat.GifProvider over Tenor's API v2.
type Tenor struct {
	cfg    Config
	base   *url.URL
	client *http.Client
}

var _ chat.GifProvider = (*Tenor)(nil)

// NewTenor checks cfg and fills in the defaults.
func NewTenor(cfg Config) (*Tenor, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("gifs: an API key is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = TenorBaseURL
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("gifs: base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	if len(cfg.MediaOrigins) == 0 {
		cfg.MediaOrigins = []string{TenorMediaOrigin}
	}
	for _, o := range cfg.MediaOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("gifs: media origin %q is not scheme://host[:port]", o)
		}
	}
	if cfg.ClientKey == "" {
		cfg.ClientKey = DefaultClientKey
	}
	if cfg.ContentFilter == "" {
		cfg.ContentFilter = "medium"
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	return &Tenor{cfg: cfg, base: base, client: client}, nil
}

// MediaOrigins are the origins GIF URLs may have (for the web's CSP).
func (t *Tenor) MediaOrigins() []string { return t.cfg.MediaOrigins }

// Provider is "tenor".
func (t *Tenor) Provider() string { return "tenor" }

// IsMediaURL reports whether u is on one of the media origins.
func (t *Tenor) IsMediaURL(u string) bool { return chat.MediaOriginAllows(t.cfg.MediaOrigins, u) }

// tenorPage is the part of Tenor's answer read here.
type tenorPage struct {
	Results []struct {
		ID                 string                 `json:"id"`
		Title              string                 `json:"title"`
		ContentDescription string                 `json:"content_description"`
		MediaFormats       map[string]tenorFormat `json:"media_formats"`
	} `json:"results"`
	Next string `json:"next"`
}

type tenorFormat struct {
	URL  string `json:"url"`
	Dims []int  `json:"dims"`
	Size int64  `json:"size"`
}

type tenorError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
	} `json:"error"`
}

// SearchGifs calls /v2/search (or /v2/featured for an empty query) for
// the gif and tinygif renditions. A provider's refusal for too many
// requests is RateLimited; anything else that fails is Internal.
func (t *Tenor) SearchGifs(ctx context.Context, q chat.GifQuery) (chat.GifPage, error) {
	limit := q.Limit
	if limit <= 0 || limit > maxLimit {
		limit = maxLimit
	}
	v := url.Values{}
	v.Set("key", t.cfg.APIKey)
	v.Set("client_key", t.cfg.ClientKey)
	v.Set("limit", strconv.Itoa(limit))
	v.Set("media_filter", "gif,tinygif")
	v.Set("contentfilter", t.cfg.ContentFilter)
	if t.cfg.Locale != "" {
		v.Set("locale", t.cfg.Locale)
	}
	if q.Pos != "" {
		v.Set("pos", q.Pos)
	}
	endpoint := "/v2/featured"
	if q.Query != "" {
		endpoint = "/v2/search"
		v.Set("q", q.Query)
	}
	status, body, err := get(ctx, t.client, t.base, endpoint, v)
	if err != nil {
		return chat.GifPage{}, err
	}
	if status != http.StatusOK {
		var te tenorError
		_ = json.Unmarshal(body, &te)
		return chat.GifPage{}, chat.Errorf(chat.Internal, "gifs: %s: HTTP %d %s %s", endpoint, status, te.Error.Status, te.Error.Message)
	}
	var page tenorPage
	if err := json.Unmarshal(body, &page); err != nil {
		return chat.GifPage{}, chat.Errorf(chat.Internal, "gifs: %s: decode: %v", endpoint, err)
	}
	out := chat.GifPage{Results: make([]chat.Gif, 0, len(page.Results)), Next: page.Next}
	if out.Next == "0" || len(page.Results) == 0 {
		out.Next = "" // Tenor's "no more"
	}
	for _, r := range page.Results {
		full, ok := r.MediaFormats["gif"]
		if !ok || len(full.Dims) != 2 || !t.IsMediaURL(full.URL) {
			continue
		}
		g := chat.Gif{URL: full.URL, Width: full.Dims[0], Height: full.Dims[1], Title: title(r.ContentDescription, r.Title)}
		if tiny, ok := r.MediaFormats["tinygif"]; ok && t.IsMediaURL(tiny.URL) {
			g.Preview = tiny.URL
		}
		out.Results = append(out.Results, g)
	}
	return out, nil
}

// title picks the description (Tenor's titles are mostly empty) and
// bounds it.
func title(desc, t string) string {
	s := strings.TrimSpace(desc)
	if s == "" {
		s = strings.TrimSpace(t)
	}
	if r := []rune(s); len(r) > chat.MaxGifTitle {
		s = string(r[:chat.MaxGifTitle])
	}
	return s
}
