package integration

import (
	"bytes"
	"image/gif"
	"io"
	"net/http"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// TestGifsOverTheLocalStack: the real adapter searches the Tenor stand-in
// (internal/local/localtenor) for Ann, who sends a result; Bob gets it live
// with the provider's URLs, which serve an animated GIF; a URL of another
// host is refused; getState says GIFs are on. Without a key they are off.
func TestGifsOverTheLocalStack(t *testing.T) {
	tenor, settings := testenv.NewGifProvider(t)
	s := newStackWithConfig(t, generousLimits, "", func(c *app.Config) { c.Gifs = settings })
	ann, bob := s.newUser("ann", "Ann Archer"), s.newUser("bob", "Bob Baker")
	a, stA := s.online(ann)
	b, _ := s.online(bob)
	if !stA.Gifs || stA.GifProvider != "tenor" {
		t.Fatal("getState: gifs off with a provider")
	}
	club := decode[protocol.RoomEvent](t, a.call(protocol.ActionCreateChannel, map[string]any{"name": "gifs"}, protocol.EventRoom)).Room.ID
	b.call(protocol.ActionJoinChannel, room(club), protocol.EventRoom)
	b.drain()

	res := decode[protocol.GifsEvent](t, a.call(protocol.ActionSearchGifs, map[string]any{"query": "party"}, protocol.EventGifs))
	if len(res.Results) != 1 || res.Results[0].Title != "Party time GIF" || tenor.Calls() != 1 {
		t.Fatalf("search %+v (provider calls %d)", res, tenor.Calls())
	}
	trending := decode[protocol.GifsEvent](t, a.call(protocol.ActionSearchGifs, map[string]any{"query": ""}, protocol.EventGifs))
	if len(trending.Results) < 4 {
		t.Errorf("trending %+v", trending)
	}
	g := res.Results[0]
	ack := decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage, map[string]any{"roomId": club, "clientId": "g-1", "text": "", "gif": g}, protocol.EventAck))
	if ack.Message.Gif == nil || *ack.Message.Gif != g {
		t.Fatalf("ack %+v", ack.Message)
	}
	live := decode[protocol.MessageEvent](t, b.expectEvent(protocol.EventMessage, isMessage(t, club, ack.Message.Seq)))
	if live.Message.Gif == nil || live.Message.Gif.URL != g.URL || live.Message.Gif.Preview != g.Preview {
		t.Fatalf("bob got %+v", live.Message)
	}
	resp, err := http.Get(live.Message.Gif.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if anim, err := gif.DecodeAll(bytes.NewReader(body)); err != nil || len(anim.Image) < 2 {
		t.Errorf("the URL serves %d bytes: %v", len(body), err)
	}
	bad := g
	bad.URL = "https://evil.example/party.gif"
	a.callError(protocol.ActionSendMessage, map[string]any{"roomId": club, "clientId": "g-2", "gif": bad}, string(chat.Invalid))

	// History has it.
	h := decode[protocol.HistoryEvent](t, b.call(protocol.ActionHistory, room(club), protocol.EventHistory))
	found := false
	for _, m := range h.Messages {
		if m.Seq == ack.Message.Seq {
			found = m.Gif != nil && m.Gif.URL == g.URL
		}
	}
	if !found {
		t.Errorf("history %+v lacks the GIF", h.Messages)
	}
}

func TestGifsOffWithoutAKey(t *testing.T) {
	s := newStack(t, generousLimits)
	ann := s.newUser("ann", "Ann Archer")
	a, st := s.online(ann)
	if st.Gifs {
		t.Error("getState: gifs on without a key")
	}
	a.callError(protocol.ActionSearchGifs, map[string]any{"query": "cat"}, string(chat.Invalid))
}
