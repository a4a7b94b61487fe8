package testenv

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/local/localtenor"
)

// GifTestKey is the API key the GIF stand-in accepts in tests.
const GifTestKey = "local-tenor-test-key"

// NewGifProvider starts the GIF provider stand-in (internal/local/
// localtenor, Tenor's API v2 on a free loopback port) until the test ends,
// and returns it with the settings that point the real adapter at it
// (app.Config.Gifs: GIF_API_KEY, GIF_ENDPOINT_URL, GIF_MEDIA_ORIGINS).
func NewGifProvider(t testing.TB) (*localtenor.Server, app.GifSettings) {
	t.Helper()
	s, err := localtenor.Start("127.0.0.1:0", GifTestKey)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, app.GifSettings{Key: GifTestKey, EndpointURL: s.URL(), MediaOrigins: []string{s.URL()}}
}
