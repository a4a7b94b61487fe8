package chattest

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// GifOrigin is the media origin of the fake GIF provider.
const GifOrigin = "https://media.gifs.test"

// Gifs is an in-memory chat.GifProvider: every query finds the GIFs whose
// title contains it (all of them for ""), Pos is an offset. Err, when
// set, is what every search answers. Queries records what was asked.
type Gifs struct {
	mu      sync.Mutex
	Err     error
	Queries []chat.GifQuery
}

// GifList is what the fake serves.
var GifList = []chat.Gif{
	{URL: GifOrigin + "/1/cat.gif", Width: 200, Height: 150, Preview: GifOrigin + "/1/cat-tiny.gif", Title: "cat dancing"},
	{URL: GifOrigin + "/2/party.gif", Width: 300, Height: 200, Preview: GifOrigin + "/2/party-tiny.gif", Title: "party time"},
	{URL: GifOrigin + "/3/cat2.gif", Width: 100, Height: 100, Title: "sleepy cat"},
}

func (g *Gifs) SearchGifs(_ context.Context, q chat.GifQuery) (chat.GifPage, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.Queries = append(g.Queries, q)
	if g.Err != nil {
		return chat.GifPage{}, g.Err
	}
	var hits []chat.Gif
	for _, x := range GifList {
		if strings.Contains(x.Title, strings.ToLower(q.Query)) {
			hits = append(hits, x)
		}
	}
	pos, _ := strconv.Atoi(q.Pos)
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	page := chat.GifPage{Results: []chat.Gif{}}
	for i := pos; i < len(hits) && i < pos+limit; i++ {
		page.Results = append(page.Results, hits[i])
	}
	if pos+limit < len(hits) {
		page.Next = strconv.Itoa(pos + limit)
	}
	return page, nil
}

// Provider is "tenor", as the real default.
func (g *Gifs) Provider() string { return "tenor" }

func (g *Gifs) IsMediaURL(u string) bool { return chat.MediaOriginAllows([]string{GifOrigin}, u) }

// Asked is how many searches were made.
func (g *Gifs) Asked() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.Queries)
}
