package service

import (
	"context"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// SearchGifs asks the deployment's GIF provider (issue 14): the server
// holds the API key, so it never reaches a browser. Any signed-in person
// may search (a workspace action); the read budget is charged
// protocol.SearchGifsWeight per call by the dispatcher. Without a
// provider it answers Invalid ("GIFs are not enabled").
func (s *Chat) SearchGifs(ctx context.Context, c chat.Connection, r protocol.SearchGifsRequest) (protocol.GifsEvent, error) {
	if err := chat.Authorize(chat.ActSearchGifs, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.GifsEvent{}, err
	}
	if s.gifs == nil {
		return protocol.GifsEvent{}, errGifsOff()
	}
	q := strings.TrimSpace(r.Query)
	if !utf8.ValidString(q) || utf8.RuneCountInString(q) > chat.MaxGifQuery {
		return protocol.GifsEvent{}, chat.Errorf(chat.Invalid, "a GIF search is at most %d characters", chat.MaxGifQuery)
	}
	if len(r.Pos) > 200 || !utf8.ValidString(r.Pos) {
		return protocol.GifsEvent{}, chat.Errorf(chat.Invalid, "pos is not a position of a GIF search")
	}
	page, err := s.gifs.SearchGifs(ctx, chat.GifQuery{Query: q, Pos: r.Pos, Limit: protocol.GifsPageSize})
	if err != nil {
		if chat.ErrorCode(err) != chat.Internal {
			return protocol.GifsEvent{}, err
		}
		s.log.WarnContext(ctx, "gif search", slog.Any("error", err))
		return protocol.GifsEvent{}, chat.Errorf(chat.Internal, "the GIF service did not answer: try again")
	}
	results := make([]chat.Gif, 0, len(page.Results))
	for _, g := range page.Results {
		if s.checkGif(&g) == nil {
			results = append(results, g)
		}
	}
	return protocol.GifsEvent{Head: protocol.Head{Type: protocol.EventGifs}, Query: q, Results: results, Next: page.Next}, nil
}

func errGifsOff() error {
	return chat.Errorf(chat.Invalid, "GIFs are not enabled on this server")
}

// checkGif checks a message's GIF: GIFs are on, both URLs are on the
// provider's media hosts, the size is sane and the title short. Nil is
// fine (no GIF).
func (s *Chat) checkGif(g *chat.Gif) error {
	if g == nil {
		return nil
	}
	if s.gifs == nil {
		return errGifsOff()
	}
	if !s.gifs.IsMediaURL(g.URL) {
		return chat.Errorf(chat.Invalid, "a GIF must come from the GIF provider's media hosts")
	}
	if g.Preview != "" && !s.gifs.IsMediaURL(g.Preview) {
		return chat.Errorf(chat.Invalid, "a GIF's preview must come from the GIF provider's media hosts")
	}
	if g.Width <= 0 || g.Height <= 0 || g.Width > chat.MaxGifSide || g.Height > chat.MaxGifSide {
		return chat.Errorf(chat.Invalid, "a GIF's width and height are 1 to %d pixels", chat.MaxGifSide)
	}
	if !utf8.ValidString(g.Title) || utf8.RuneCountInString(g.Title) > chat.MaxGifTitle {
		return chat.Errorf(chat.Invalid, "a GIF's title is at most %d characters", chat.MaxGifTitle)
	}
	return nil
}

// gifOf copies a checked GIF for storing (nil stays nil).
func gifOf(g *chat.Gif) *chat.Gif {
	if g == nil {
		return nil
	}
	out := *g
	out.Title = strings.TrimSpace(out.Title)
	return &out
}
