package service_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

func withGifs(g *chattest.Gifs) func(*service.Config) {
	return func(c *service.Config) { c.Gifs = g }
}

func TestSearchGifsAsksTheProvider(t *testing.T) {
	g := &chattest.Gifs{}
	h := newHarness(t, withGifs(g))
	alice := h.connect("alice", "a1")
	ev, err := h.svc.SearchGifs(h.ctx, alice, protocol.SearchGifsRequest{Query: "  cat "})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != protocol.EventGifs || ev.Query != "cat" || len(ev.Results) != 2 || ev.Results[0].Title != "cat dancing" {
		t.Errorf("reply %+v", ev)
	}
	if q := g.Queries[0]; q.Query != "cat" || q.Limit != protocol.GifsPageSize {
		t.Errorf("asked %+v", q)
	}
	trending, err := h.svc.SearchGifs(h.ctx, alice, protocol.SearchGifsRequest{})
	if err != nil || len(trending.Results) != 3 {
		t.Errorf("trending %+v, %v", trending, err)
	}
	st, err := h.svc.GetState(h.ctx, alice)
	if err != nil || !st.Gifs || st.GifProvider != "tenor" {
		t.Errorf("getState gifs = %v, %v", st.Gifs, err)
	}
}

func TestSearchGifsRefusals(t *testing.T) {
	g := &chattest.Gifs{}
	h := newHarness(t, withGifs(g))
	alice := h.connect("alice", "a1")
	_, err := h.svc.SearchGifs(h.ctx, alice, protocol.SearchGifsRequest{Query: strings.Repeat("x", 101)})
	wantCode(t, err, chat.Invalid)
	_, err = h.svc.SearchGifs(h.ctx, alice, protocol.SearchGifsRequest{Query: "cat", Pos: strings.Repeat("9", 201)})
	wantCode(t, err, chat.Invalid)
	if g.Asked() != 0 {
		t.Errorf("the provider was asked %d times", g.Asked())
	}
	// A failing provider is internal, without its details; a busy one
	// rate_limited.
	g.Err = chat.Errorf(chat.Internal, "gifs: HTTP 500 secret detail")
	_, err = h.svc.SearchGifs(h.ctx, alice, protocol.SearchGifsRequest{Query: "cat"})
	wantCode(t, err, chat.Internal)
	if strings.Contains(err.Error(), "secret detail") {
		t.Errorf("err %v", err)
	}
	g.Err = chat.Errorf(chat.RateLimited, "busy")
	_, err = h.svc.SearchGifs(h.ctx, alice, protocol.SearchGifsRequest{Query: "cat"})
	wantCode(t, err, chat.RateLimited)
	g.Err = errors.New("plain")
	_, err = h.svc.SearchGifs(h.ctx, alice, protocol.SearchGifsRequest{Query: "cat"})
	wantCode(t, err, chat.Internal)
}

func TestGifsOffWithoutAProvider(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	room := h.channel(alice, "gifs", false)
	_, err := h.svc.SearchGifs(h.ctx, alice, protocol.SearchGifsRequest{Query: "cat"})
	wantCode(t, err, chat.Invalid)
	g := chattest.GifList[0]
	_, err = h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: room.ID, ClientID: "g1", Gif: &g})
	wantCode(t, err, chat.Invalid)
	if st, _ := h.svc.GetState(h.ctx, alice); st.Gifs {
		t.Error("getState says gifs without a provider")
	}
}

func TestSendAGif(t *testing.T) {
	h := newHarness(t, withGifs(&chattest.Gifs{}))
	alice, bob := h.connect("alice", "a1"), h.connect("bob", "b1")
	room := h.channel(alice, "gifs", false)
	h.join(bob, room.ID)
	g := chattest.GifList[1]
	ack, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: room.ID, ClientID: "g1", Gif: &g})
	if err != nil {
		t.Fatal(err)
	}
	if ack.Message.Gif == nil || *ack.Message.Gif != g {
		t.Fatalf("stored gif %+v", ack.Message.Gif)
	}
	hist, err := h.svc.History(h.ctx, bob, protocol.HistoryRequest{RoomID: room.ID})
	if err != nil {
		t.Fatal(err)
	}
	last := hist.Messages[len(hist.Messages)-1]
	if last.Gif == nil || last.Gif.URL != g.URL {
		t.Errorf("bob's history: %+v", last)
	}
	// An edit adds text and keeps the GIF; deleting drops it.
	ed, err := h.svc.EditMessage(h.ctx, alice, protocol.EditMessageRequest{RoomID: room.ID, Seq: ack.Message.Seq, Text: "party!"})
	if err != nil || ed.Message.Gif == nil || ed.Message.Text != "party!" {
		t.Fatalf("edit %+v, %v", ed.Message, err)
	}
	ed, err = h.svc.EditMessage(h.ctx, alice, protocol.EditMessageRequest{RoomID: room.ID, Seq: ack.Message.Seq, Text: ""})
	if err != nil || ed.Message.Gif == nil {
		t.Fatalf("edit to no text: %+v, %v (a GIF alone is a message)", ed.Message, err)
	}
	del, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: room.ID, Seq: ack.Message.Seq})
	if err != nil || del.Message.Gif != nil {
		t.Fatalf("delete %+v, %v", del.Message, err)
	}
	stored, _ := h.store.GetMessage(h.ctx, room.ID, ack.Message.Seq)
	if stored.Gif != nil {
		t.Errorf("the tombstone keeps its gif: %+v", stored.Gif)
	}
}

func TestSendAGifRefusesForeignURLs(t *testing.T) {
	h := newHarness(t, withGifs(&chattest.Gifs{}))
	alice := h.connect("alice", "a1")
	room := h.channel(alice, "gifs", false)
	ok := chattest.GifList[0]
	for name, edit := range map[string]func(*chat.Gif){
		"another host":        func(g *chat.Gif) { g.URL = "https://evil.example/cat.gif" },
		"a lookalike host":    func(g *chat.Gif) { g.URL = "https://media.gifs.test.evil.example/cat.gif" },
		"plain http":          func(g *chat.Gif) { g.URL = "http://media.gifs.test/1/cat.gif" },
		"javascript":          func(g *chat.Gif) { g.URL = "javascript:alert(1)" },
		"a data URL":          func(g *chat.Gif) { g.URL = "data:image/gif;base64,R0lGODlh" },
		"credentials":         func(g *chat.Gif) { g.URL = "https://x@media.gifs.test/1/cat.gif" },
		"a foreign preview":   func(g *chat.Gif) { g.Preview = "https://evil.example/p.gif" },
		"no width":            func(g *chat.Gif) { g.Width = 0 },
		"a huge height":       func(g *chat.Gif) { g.Height = 100000 },
		"a too long title":    func(g *chat.Gif) { g.Title = strings.Repeat("t", 201) },
		"a quote in the path": func(g *chat.Gif) { g.URL = `https://media.gifs.test/1/c"at.gif` },
	} {
		g := ok
		edit(&g)
		_, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: room.ID, ClientID: "x-" + strings.ReplaceAll(name, " ", "-"), Gif: &g})
		if chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("%s: err %v, want invalid", name, err)
		}
	}
	if msgs, _, _ := h.store.MessagesBefore(h.ctx, room.ID, 0, 50); len(msgs) > 1 {
		t.Errorf("stored %d messages", len(msgs))
	}
}
