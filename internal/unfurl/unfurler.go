package unfurl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// CachePrefix is the key prefix of cached previews in the bucket (the
// function's IAM grants s3:GetObject and s3:PutObject on it only).
const CachePrefix = "linkpreviews/"

// Cache freshness: a preview is fetched again after FreshFor; a link that
// could not be previewed is tried again after FailedFreshFor.
const (
	FreshFor       = 24 * time.Hour
	FailedFreshFor = time.Hour
)

// Cache stores small objects (s3blob.Store).
type Cache interface {
	ReadPrefix(ctx context.Context, key string, n int64) ([]byte, error)
	Put(ctx context.Context, key, contentType string, body []byte) error
}

// cacheEntry is one cached link: its preview, or why there is none.
type cacheEntry struct {
	V         int              `json:"v"`
	FetchedAt time.Time        `json:"fetchedAt"`
	Preview   chat.LinkPreview `json:"preview"`
	Failed    string           `json:"failed,omitempty"`
}

// Unfurler previews links: from the cache when fresh, else fetched,
// parsed and cached.
type Unfurler struct {
	Fetcher *Fetcher
	Cache   Cache // nil: no cache
	Logger  *slog.Logger
	Now     func() time.Time
}

// CacheKey is the cache's key of a link: the SHA-256 of the URL.
func CacheKey(link string) string {
	sum := sha256.Sum256([]byte(link))
	return CachePrefix + hex.EncodeToString(sum[:]) + ".json"
}

func (u *Unfurler) now() time.Time {
	if u.Now != nil {
		return u.Now()
	}
	return time.Now()
}

func (u *Unfurler) log() *slog.Logger {
	if u.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return u.Logger
}

// ErrNoPreview: the link has no preview (refused, not HTML, nothing to
// show, or a failure cached a short while ago).
var ErrNoPreview = errors.New("unfurl: no preview")

// Preview returns link's preview. A transient failure (network, 5xx) is
// an error worth a retry; a link that has no preview is ErrNoPreview.
func (u *Unfurler) Preview(ctx context.Context, link string) (chat.LinkPreview, error) {
	key := CacheKey(link)
	if u.Cache != nil {
		if doc, err := u.Cache.ReadPrefix(ctx, key, 16<<10); err == nil && len(doc) > 0 {
			var e cacheEntry
			if json.Unmarshal(doc, &e) == nil {
				age := u.now().Sub(e.FetchedAt)
				switch {
				case e.Failed != "" && age < FailedFreshFor:
					return chat.LinkPreview{}, ErrNoPreview
				case e.Failed == "" && age < FreshFor:
					e.Preview.URL = link
					return e.Preview, nil
				}
			}
		} else if err != nil && chat.ErrorCode(err) != chat.NotFound {
			// Without s3:ListBucket (the function has none) a missing key
			// answers 403: a miss like any other.
			u.log().DebugContext(ctx, "preview cache read", slog.Any("error", err))
		}
	}
	page, err := u.Fetcher.Fetch(ctx, link)
	var p chat.LinkPreview
	failed := ""
	switch {
	case errors.Is(err, ErrRefused), errors.Is(err, ErrNotHTML):
		failed = err.Error()
	case err != nil:
		return chat.LinkPreview{}, err
	default:
		p = Parse(page.URL, page.Body)
		if p.Empty() {
			failed = "nothing to show"
		}
	}
	p.URL = link
	if u.Cache != nil {
		doc, _ := json.Marshal(cacheEntry{V: 1, FetchedAt: u.now().UTC(), Preview: p, Failed: failed})
		if err := u.Cache.Put(ctx, key, "application/json", doc); err != nil {
			u.log().WarnContext(ctx, "preview cache write", slog.Any("error", err))
		}
	}
	if failed != "" {
		u.log().InfoContext(ctx, "no preview", slog.String("reason", failed))
		return chat.LinkPreview{}, ErrNoPreview
	}
	return p, nil
}
