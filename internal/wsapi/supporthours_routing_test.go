package wsapi

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// The routing cases of support-hours' actions: the visitor leaves a
// message and asks for a transcript; bot_1, added to s3 (with the bot),
// hands it over.
func init() {
	routingSeeds["LeaveSupportMessage"] = asVisitor
	routingSeeds["RequestTranscript"] = asVisitor
	routingSeeds["HandOverSupport"] = asSupportBot
}

// asSupportBot seeds support, adds bot_1 (seedBot stored it) to s3 and
// registers the captured connection as the bot.
func asSupportBot(t *testing.T, c *testChat, alice chat.Connection) chat.Connection {
	seedSupport(t, c, alice)
	if err := c.store.AddMember(c.ctx, chat.Member{RoomID: "s3", UserID: "bot_1", Role: chat.RoleMember, JoinedAt: c.clock()}); err != nil {
		t.Fatal(err)
	}
	b := testConn
	b.Identity = chat.Identity{UserID: "bot_1", Username: "bot_1", DisplayName: "Bot", Groups: []string{chat.GroupBots}}
	return c.register(b)
}
