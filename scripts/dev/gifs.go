package main

import (
	"fmt"
	"io"
	"os"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/local/localtenor"
)

// devGifKey is the API key of the local GIF stand-in.
const devGifKey = "local-dev-gif-key"

// gifProvider is issue #14's GIF provider locally: the Tenor stand-in
// (internal/local/localtenor), serving a few GIFs it draws at start, that
// the real adapter talks to. With GIF_API_KEY (or
// GIF_API_KEY_SECRET_ARN) in the environment, make dev uses that key and
// the real provider instead (GIF_ENDPOINT_URL points elsewhere).
type gifProvider struct {
	srv *localtenor.Server
}

// startGifs runs before startChat: it sets GIF_API_KEY, GIF_ENDPOINT_URL
// and GIF_MEDIA_ORIGINS for the actions' config, unless a key was given.
func startGifs(out io.Writer) (*gifProvider, error) {
	if os.Getenv(app.EnvGifAPIKey) != "" || os.Getenv(app.EnvGifAPIKeySecretARN) != "" {
		where := os.Getenv(app.EnvGifEndpointURL)
		if where == "" {
			where = "the provider's own API"
		}
		fmt.Fprintf(out, "GIFs: the configured key, at %s\n", where)
		return &gifProvider{}, nil
	}
	srv, err := localtenor.Start("127.0.0.1:0", devGifKey)
	if err != nil {
		return nil, err
	}
	for k, v := range map[string]string{app.EnvGifAPIKey: devGifKey, app.EnvGifEndpointURL: srv.URL(), app.EnvGifMediaOrigins: srv.URL()} {
		if err := os.Setenv(k, v); err != nil {
			_ = srv.Close()
			return nil, err
		}
	}
	return &gifProvider{srv: srv}, nil
}

// URL is the stand-in's address ("" when a real provider is used).
func (g *gifProvider) URL() string {
	if g == nil || g.srv == nil {
		return ""
	}
	return g.srv.URL()
}

func (g *gifProvider) Close() error {
	if g == nil || g.srv == nil {
		return nil
	}
	return g.srv.Close()
}
