package protocol

import "github.com/backchannel-chat/backchannel/internal/chat"

// GIFs (issue 14): the server asks the deployment's GIF provider, so its
// API key never reaches a browser. A chosen GIF is sent with sendMessage's
// gif field.
const ActionSearchGifs = "searchGifs"

const EventGifs = "gifs"

// GifsPageSize is how many results one searchGifs answers.
const GifsPageSize = 24

// SearchGifsWeight is what one searchGifs charges to the read budget: it
// costs a call to the provider, whose quota is the deployment's.
const SearchGifsWeight = 3

// SearchGifsRequest searches the provider's GIFs: Query ("" for trending)
// and Pos, the previous page's Next.
type SearchGifsRequest struct {
	Query string `json:"query"`
	Pos   string `json:"pos,omitempty"`
}

// GifsEvent answers searchGifs: a page of results and the position of
// the next page ("" at the end).
type GifsEvent struct {
	Head
	Query   string     `json:"query"`
	Results []chat.Gif `json:"results"`
	Next    string     `json:"next,omitempty"`
}
