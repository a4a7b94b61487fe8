package gifs_test

import (
	"bytes"
	"context"
	"image/gif"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/gifs"
	"github.com/backchannel-chat/backchannel/internal/local/localtenor"
)

const key = "test-key"

// standIn starts internal/local/localtenor and the adapter pointed at it,
// as make dev and the integration tests do (GIF_ENDPOINT_URL).
func standIn(t *testing.T) (*localtenor.Server, *gifs.Tenor) {
	t.Helper()
	s, err := localtenor.Start("127.0.0.1:0", key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	a, err := gifs.NewTenor(gifs.Config{APIKey: key, BaseURL: s.URL(), MediaOrigins: []string{s.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	return s, a
}

func TestSearchAgainstTheStandIn(t *testing.T) {
	_, a := standIn(t)
	page, err := a.SearchGifs(context.Background(), chat.GifQuery{Query: "cat", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 2 || page.Next != "" {
		t.Fatalf("page %+v", page)
	}
	g := page.Results[0]
	if g.Width != 96 || g.Height != 72 || g.Title != "Cat dancing GIF" || !a.IsMediaURL(g.URL) || !a.IsMediaURL(g.Preview) {
		t.Errorf("gif %+v", g)
	}
	resp, err := http.Get(g.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	anim, err := gif.DecodeAll(bytes.NewReader(body))
	if err != nil || len(anim.Image) < 2 {
		t.Errorf("the GIF behind the URL: %v, frames %v", err, anim)
	}
}

func TestFeaturedAndPaging(t *testing.T) {
	_, a := standIn(t)
	ctx := context.Background()
	first, err := a.SearchGifs(ctx, chat.GifQuery{Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Results) != 4 || first.Next != "4" {
		t.Fatalf("first page: %d results, next %q", len(first.Results), first.Next)
	}
	second, err := a.SearchGifs(ctx, chat.GifQuery{Pos: first.Next, Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Results) != 2 || second.Next != "" {
		t.Errorf("second page: %d results, next %q", len(second.Results), second.Next)
	}
	none, err := a.SearchGifs(ctx, chat.GifQuery{Query: "zzzz"})
	if err != nil || len(none.Results) != 0 || none.Next != "" {
		t.Errorf("no hits: %+v, %v", none, err)
	}
}

func TestAWrongKeyFailsWithoutShowingIt(t *testing.T) {
	s, _ := standIn(t)
	a, err := gifs.NewTenor(gifs.Config{APIKey: "secret-wrong-key", BaseURL: s.URL(), MediaOrigins: []string{s.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.SearchGifs(context.Background(), chat.GifQuery{Query: "cat"})
	if chat.ErrorCode(err) != chat.Internal || !strings.Contains(err.Error(), "API key not valid") {
		t.Fatalf("err %v", err)
	}
	if strings.Contains(err.Error(), "secret-wrong-key") {
		t.Errorf("the error shows the key: %v", err)
	}
	// Nothing listening: the URL error (which quotes the key) is unwrapped.
	_ = s.Close()
	_, err = a.SearchGifs(context.Background(), chat.GifQuery{Query: "cat"})
	if err == nil || strings.Contains(err.Error(), "secret-wrong-key") {
		t.Errorf("err %v", err)
	}
}

func TestProviderAnswersAreFiltered(t *testing.T) {
	// A provider answering URLs off its media hosts (or non-https ones):
	// those results are left out, the rest kept.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/search" && r.URL.Query().Get("key") == key {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"results":[
 {"id":"1","content_description":"ok","media_formats":{"gif":{"url":"https://media.tenor.com/a/ok.gif","dims":[200,100]},"tinygif":{"url":"https://media.tenor.com/a/ok-tiny.gif","dims":[100,50]}}},
 {"id":"2","media_formats":{"gif":{"url":"https://evil.example/x.gif","dims":[200,100]}}},
 {"id":"3","media_formats":{"gif":{"url":"http://media.tenor.com/a/plain.gif","dims":[200,100]}}},
 {"id":"4","media_formats":{"gif":{"url":"https://media.tenor.com/a/nodims.gif"}}},
 {"id":"5","media_formats":{"gif":{"url":"https://media.tenor.com/a/p.gif","dims":[10,10]},"tinygif":{"url":"javascript:alert(1)","dims":[1,1]}}}
],"next":"CAgQ"}`)
			return
		}
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	a, err := gifs.NewTenor(gifs.Config{APIKey: key, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	page, err := a.SearchGifs(context.Background(), chat.GifQuery{Query: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 2 || page.Results[0].Preview == "" || page.Results[1].Preview != "" || page.Next != "CAgQ" {
		t.Errorf("page %+v", page)
	}
	// A provider's 429 is RateLimited.
	b, _ := gifs.NewTenor(gifs.Config{APIKey: "other", BaseURL: srv.URL})
	if _, err := b.SearchGifs(context.Background(), chat.GifQuery{Query: "x"}); chat.ErrorCode(err) != chat.RateLimited {
		t.Errorf("429: %v", err)
	}
}

func TestIsMediaURL(t *testing.T) {
	a, err := gifs.NewTenor(gifs.Config{APIKey: key})
	if err != nil {
		t.Fatal(err)
	}
	for u, want := range map[string]bool{
		"https://media.tenor.com/abc/cat.gif":                 true,
		"https://MEDIA.tenor.com/abc/cat.gif":                 true,
		"http://media.tenor.com/abc/cat.gif":                  false,
		"https://media.tenor.com.evil.example/a.gif":          false,
		"https://evil.example/media.tenor.com/a.gif":          false,
		"https://user@media.tenor.com/a.gif":                  false,
		"https://media.tenor.com:8443/a.gif":                  false,
		"https://media.tenor.com/":                            false,
		"https://media.tenor.com/a.gif#x":                     false,
		"https://media.tenor.com/a\".gif":                     false,
		"javascript:alert(1)":                                 false,
		"//media.tenor.com/a.gif":                             false,
		"":                                                    false,
		"https://media.tenor.com/" + strings.Repeat("a", 600): false,
	} {
		if got := a.IsMediaURL(u); got != want {
			t.Errorf("IsMediaURL(%q) = %v", u, got)
		}
	}
	if _, err := gifs.NewTenor(gifs.Config{}); err == nil {
		t.Error("no key accepted")
	}
	if _, err := gifs.NewTenor(gifs.Config{APIKey: key, MediaOrigins: []string{"https://x.example/path"}}); err == nil {
		t.Error("an origin with a path accepted")
	}
}
