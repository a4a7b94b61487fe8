package app

import (
	"net/url"
	"strings"
)

// GIFs (issue 14): the actions function reads these. GIFs are on when a
// key is configured (GIF_API_KEY_SECRET_ARN deployed, GIF_API_KEY
// locally) and off otherwise.
const (
	// EnvGifProvider names the provider: "tenor" (the default) or "giphy".
	EnvGifProvider = "GIF_PROVIDER"
	// EnvGifAPIKeySecretARN names the Secrets Manager secret holding the
	// provider's API key as a plain string, read at cold start.
	EnvGifAPIKeySecretARN = "GIF_API_KEY_SECRET_ARN"
	// EnvGifAPIKey is the key itself (local runs and tests).
	EnvGifAPIKey = "GIF_API_KEY"
	// EnvGifEndpointURL points the adapter at another API origin: the
	// local stand-in (internal/local/localtenor) or a proxy. Default: the
	// provider's own.
	EnvGifEndpointURL = "GIF_ENDPOINT_URL"
	// EnvGifMediaOrigins are the scheme://host[:port] a GIF's URLs may
	// have, comma-separated. Default: the provider's media host.
	EnvGifMediaOrigins = "GIF_MEDIA_ORIGINS"
)

// GifSettings configure the GIF provider; On says whether a key is
// configured at all.
type GifSettings struct {
	Provider     string   // GIF_PROVIDER ("" = tenor, or giphy)
	KeySecretARN string   // GIF_API_KEY_SECRET_ARN
	Key          string   // GIF_API_KEY
	EndpointURL  string   // GIF_ENDPOINT_URL
	MediaOrigins []string // GIF_MEDIA_ORIGINS
}

// On reports whether a key (or a secret holding one) is configured.
func (g GifSettings) On() bool { return g.KeySecretARN != "" || g.Key != "" }

// gifs reads the GIF variables.
func (r *reader) gifs() GifSettings {
	g := GifSettings{
		Provider:     strings.ToLower(r.get(EnvGifProvider)),
		KeySecretARN: r.get(EnvGifAPIKeySecretARN),
		Key:          r.get(EnvGifAPIKey),
		EndpointURL:  r.get(EnvGifEndpointURL),
	}
	if g.Provider != "" && g.Provider != "tenor" && g.Provider != "giphy" {
		r.fail(EnvGifProvider, g.Provider, "tenor or giphy")
	}
	if g.KeySecretARN != "" && g.Key != "" {
		r.fail(EnvGifAPIKey, "(set)", "either it or "+EnvGifAPIKeySecretARN+", not both")
	}
	if g.EndpointURL != "" && !httpOrigin(g.EndpointURL, true) {
		r.fail(EnvGifEndpointURL, g.EndpointURL, "an http(s) URL")
	}
	if v := r.get(EnvGifMediaOrigins); v != "" {
		for o := range strings.SplitSeq(v, ",") {
			if o = strings.TrimSpace(o); o == "" {
				continue
			}
			if !httpOrigin(o, false) {
				r.fail(EnvGifMediaOrigins, v, "comma-separated origins such as https://media.tenor.com")
				break
			}
			g.MediaOrigins = append(g.MediaOrigins, strings.TrimRight(o, "/"))
		}
	}
	return g
}

// httpOrigin reports whether s is an http(s) URL with a host (and, unless
// path is allowed, nothing after it).
func httpOrigin(s string, path bool) bool {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return false
	}
	return path || u.Path == "" || u.Path == "/"
}
