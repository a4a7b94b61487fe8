package gifs_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/gifs"
)

// giphyFake answers in Giphy's API v1 shape (strings for sizes,
// pagination, meta), checking the parameters the adapter sends.
func giphyFake(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case q.Get("api_key") == "busy":
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"meta":{"status":429,"msg":"Too many requests"}}`)
		case q.Get("api_key") != key:
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"meta":{"status":401,"msg":"No API key found in request."}}`)
		case r.URL.Path == "/v1/gifs/search" && q.Get("q") == "cat" && q.Get("rating") == "g" && q.Get("limit") == "2":
			if q.Get("offset") == "2" {
				_, _ = io.WriteString(w, `{"data":[{"id":"c","title":"Third","images":{"original":{"url":"https://media.giphy.com/media/c/giphy.gif","width":"300","height":"300"}}}],"pagination":{"total_count":3,"count":1,"offset":2},"meta":{"status":200,"msg":"OK"}}`)
				return
			}
			_, _ = io.WriteString(w, `{"data":[
 {"id":"a","title":"Cat GIF by Someone","alt_text":"a cat dancing","images":{"original":{"url":"https://media2.giphy.com/media/a/giphy.gif?cid=x&rid=giphy.gif&ct=g","width":"480","height":"270"},"fixed_width_small":{"url":"https://media2.giphy.com/media/a/100w.gif?cid=x&rid=100w.gif&ct=g","width":"100","height":"56"}}},
 {"id":"b","title":"Evil","images":{"original":{"url":"https://evil.example/b.gif","width":"10","height":"10"}}}
],"pagination":{"total_count":3,"count":2,"offset":0},"meta":{"status":200,"msg":"OK"}}`)
		case r.URL.Path == "/v1/gifs/trending":
			_, _ = io.WriteString(w, `{"data":[],"pagination":{"total_count":0,"count":0,"offset":0},"meta":{"status":200,"msg":"OK"}}`)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestGiphySearchAndPaging(t *testing.T) {
	srv := giphyFake(t)
	p, err := gifs.New("giphy", gifs.Config{APIKey: key, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	page, err := p.SearchGifs(ctx, chat.GifQuery{Query: "cat", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 1 || page.Next != "2" {
		t.Fatalf("page %+v", page)
	}
	g := page.Results[0]
	if g.Width != 480 || g.Height != 270 || g.Title != "a cat dancing" || !strings.HasPrefix(g.Preview, "https://media2.giphy.com/") || !p.IsMediaURL(g.URL) {
		t.Errorf("gif %+v", g)
	}
	last, err := p.SearchGifs(ctx, chat.GifQuery{Query: "cat", Limit: 2, Pos: page.Next})
	if err != nil || len(last.Results) != 1 || last.Next != "" || last.Results[0].Preview != "" {
		t.Errorf("last page %+v, %v", last, err)
	}
	if tr, err := p.SearchGifs(ctx, chat.GifQuery{}); err != nil || len(tr.Results) != 0 {
		t.Errorf("trending %+v, %v", tr, err)
	}
	if _, err := p.SearchGifs(ctx, chat.GifQuery{Query: "cat", Pos: "x"}); chat.ErrorCode(err) != chat.Invalid {
		t.Errorf("a bad pos: %v", err)
	}
	wrong, _ := gifs.New("giphy", gifs.Config{APIKey: "secret-wrong", BaseURL: srv.URL})
	if _, err := wrong.SearchGifs(ctx, chat.GifQuery{Query: "cat"}); chat.ErrorCode(err) != chat.Internal || strings.Contains(err.Error(), "secret-wrong") {
		t.Errorf("a wrong key: %v", err)
	}
	busy, _ := gifs.New("giphy", gifs.Config{APIKey: "busy", BaseURL: srv.URL})
	if _, err := busy.SearchGifs(ctx, chat.GifQuery{Query: "cat"}); chat.ErrorCode(err) != chat.RateLimited {
		t.Errorf("busy: %v", err)
	}
	if _, err := gifs.New("imgur", gifs.Config{APIKey: key}); err == nil {
		t.Error("an unknown provider accepted")
	}
	for u, want := range map[string]bool{
		"https://media4.giphy.com/media/x/giphy.gif?cid=1&rid=giphy.gif": true,
		"https://i.giphy.com/x.gif":                                      true,
		"https://giphy.com/gifs/x":                                       false,
		"https://media.tenor.com/a/b.gif":                                false,
	} {
		if got := p.IsMediaURL(u); got != want {
			t.Errorf("IsMediaURL(%q) = %v", u, got)
		}
	}
}
