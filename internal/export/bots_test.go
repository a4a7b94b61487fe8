package export

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

type botSource struct {
	*fakeSource
	bots []chat.Bot
}

func (b botSource) ListBots(context.Context) ([]chat.Bot, error) { return b.bots, nil }

// TestArchiveBots: bots.json lists the bots the person created, not
// others', and no token or hash.
func TestArchiveBots(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	src := botSource{fakeSource: &fakeSource{}, bots: []chat.Bot{
		{ID: "bot_a", Name: "Mine", CreatedBy: "u1", CreatedAt: at, TokenHash: []byte("secret-hash")},
		{ID: "bot_b", Name: "Theirs", CreatedBy: "u2", CreatedAt: at},
	}}
	raw := entryOf(t, writeArchive(t, src), EntryBots)
	var got []BotRef
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].BotID != "bot_a" || got[0].Name != "Mine" || !got[0].CreatedAt.Equal(at) {
		t.Errorf("bots.json = %s", raw)
	}
	if strings.Contains(string(raw), "secret") || strings.Contains(strings.ToLower(string(raw)), "token") {
		t.Errorf("bots.json carries a token: %s", raw)
	}
}
