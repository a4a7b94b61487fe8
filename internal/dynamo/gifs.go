package dynamo

import "github.com/backchannel-chat/backchannel/internal/chat"

// gifItem is a message's GIF (chat.Gif): the provider's URLs, stored as a
// map attribute "gif" on the message item.
type gifItem struct {
	URL     string `dynamo:"url"`
	Width   int    `dynamo:"w,omitempty"`
	Height  int    `dynamo:"h,omitempty"`
	Preview string `dynamo:"preview,omitempty"`
	Title   string `dynamo:"title,omitempty"`
}

func newGifItem(g *chat.Gif) *gifItem {
	if g == nil {
		return nil
	}
	return &gifItem{URL: g.URL, Width: g.Width, Height: g.Height, Preview: g.Preview, Title: g.Title}
}

func (g *gifItem) gif() *chat.Gif {
	if g == nil {
		return nil
	}
	return &chat.Gif{URL: g.URL, Width: g.Width, Height: g.Height, Preview: g.Preview, Title: g.Title}
}
