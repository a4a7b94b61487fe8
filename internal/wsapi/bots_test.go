package wsapi

import (
	"encoding/hex"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// seedBot stores bot_1 (as createBot would) and adds it to r1.
func seedBot(t *testing.T, c *testChat) string {
	t.Helper()
	token := storeBot(t, c)
	if err := c.store.AddMember(c.ctx, chat.Member{RoomID: "r1", UserID: "bot_1", Role: chat.RoleMember, JoinedAt: c.clock()}); err != nil {
		t.Fatal(err)
	}
	return token
}

// storeBot stores bot_1 as createBot would and returns its token.
func storeBot(t *testing.T, c *testChat) string {
	t.Helper()
	token, hash := chat.NewBotToken()
	now := c.clock()
	b := chat.Bot{ID: "bot_1", Name: "Bot", CreatedBy: testUserID, CreatedAt: now, TokenIssuedAt: now, TokenHash: hash}
	if err := c.store.CreateBot(c.ctx, b, chat.Profile{UserID: b.ID, Username: b.ID, DisplayName: b.Name, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	return token
}

// TestConnectWithABotTokenHash: the authorizer passed a bot token's hash
// on; $connect registers the connection as that bot (its id, its name,
// only the bots group) after checking the hash against the store, and
// refuses (401) a hash no current token has, without storing anything.
func TestConnectWithABotTokenHash(t *testing.T) {
	c := newTestChat(t)
	token := storeBot(t, c)
	ev := loadEvent(t, "connect.json")
	ev.RequestContext.Authorizer = map[string]any{"botTokenHash": hex.EncodeToString(chat.BotTokenHash(token)), "principalId": "bot"}
	resp, err := c.conns.Handle(c.ctx, ev)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("response = %+v, %v; want 200", resp, err)
	}
	conn, err := c.store.GetConnection(c.ctx, testConnID)
	if err != nil {
		t.Fatal(err)
	}
	if conn.UserID != "bot_1" || conn.DisplayName != "Bot" || !conn.IsBot() || len(conn.Groups) != 1 {
		t.Errorf("connection = %+v", conn)
	}
	if _, err := c.store.RotateBotToken(c.ctx, "bot_1", chat.BotTokenHash("bcb_other"), c.clock()); err != nil {
		t.Fatal(err)
	}
	ev.RequestContext.ConnectionID = "conn-2"
	resp, err = c.conns.Handle(c.ctx, ev)
	if err != nil || resp.StatusCode != 401 {
		t.Fatalf("rotated token: %+v, %v; want 401", resp, err)
	}
	if _, err := c.store.GetConnection(c.ctx, "conn-2"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("a refused connection was stored: %v", err)
	}
}
