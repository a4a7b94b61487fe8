package wsapi

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// seedBot stores bot_1 (as createBot would) and adds it to r1.
func seedBot(t *testing.T, c *testChat) string {
	t.Helper()
	token, hash := chat.NewBotToken()
	now := c.clock()
	b := chat.Bot{ID: "bot_1", Name: "Bot", CreatedBy: testUserID, CreatedAt: now, TokenIssuedAt: now, TokenHash: hash}
	if err := c.store.CreateBot(c.ctx, b, chat.Profile{UserID: b.ID, Username: b.ID, DisplayName: b.Name, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := c.store.AddMember(c.ctx, chat.Member{RoomID: "r1", UserID: b.ID, Role: chat.RoleMember, JoinedAt: now}); err != nil {
		t.Fatal(err)
	}
	return token
}
