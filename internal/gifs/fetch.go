package gifs

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// get asks a provider's endpoint (below base, with the query v, which
// holds the key) and returns the answer's status and body, at most
// maxBody bytes. A 429 is RateLimited. Errors never quote the URL, which
// holds the key. Both adapters call it; each reads its own answer shape.
func get(ctx context.Context, client *http.Client, base *url.URL, endpoint string, v url.Values) (int, []byte, error) {
	u := *base
	u.Path = strings.TrimRight(u.Path, "/") + endpoint
	u.RawQuery = v.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, nil, chat.Errorf(chat.Internal, "gifs: request: %v", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL holds the key
		}
		return 0, nil, chat.Errorf(chat.Internal, "gifs: %s: %v", endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return 0, nil, chat.Errorf(chat.Internal, "gifs: %s: read: %v", endpoint, err)
	}
	if len(body) > maxBody {
		return 0, nil, chat.Errorf(chat.Internal, "gifs: %s: answer over %d bytes", endpoint, maxBody)
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return 0, nil, chat.Errorf(chat.RateLimited, "the GIF service is busy: try again in a minute")
	}
	return resp.StatusCode, body, nil
}
