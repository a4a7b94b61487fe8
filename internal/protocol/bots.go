package protocol

import "github.com/backchannel-chat/backchannel/internal/chat"

// Bot accounts (issue #16; docs/ARCHITECTURE.md "Bots and the HTTP API").
const (
	ActionCreateBot         = "createBot"
	ActionListBots          = "listBots"
	ActionRotateBotToken    = "rotateBotToken"
	ActionDeleteBot         = "deleteBot"
	ActionAddBotToRoom      = "addBotToRoom"
	ActionRemoveBotFromRoom = "removeBotFromRoom"

	// EventBot answers createBot and rotateBotToken (with the token, shown
	// this once) and deleteBot (without).
	EventBot = "bot"
	// EventBots answers listBots.
	EventBots = "bots"
)

// CreateBotRequest creates a bot named Name (1-40 characters) with an
// avatar colour (#rrggbb; "" picks one).
type CreateBotRequest struct {
	Name        string `json:"name"`
	AvatarColor string `json:"avatarColor,omitempty"`
}

// BotRequest names one bot.
type BotRequest struct {
	BotID string `json:"botId"`
}

// RoomBotRequest adds a bot to a room or removes it.
type RoomBotRequest struct {
	RoomID string `json:"roomId"`
	BotID  string `json:"botId"`
}

// BotEvent is one bot. Token is set only in the answer to createBot and
// rotateBotToken: the server keeps only its hash and cannot show it again.
// Deleted is set in the answer to deleteBot.
type BotEvent struct {
	Head
	Bot     chat.Bot `json:"bot"`
	Token   string   `json:"token,omitempty"`
	Deleted bool     `json:"deleted,omitempty"`
}

// BotsEvent lists the workspace's bots, oldest first.
type BotsEvent struct {
	Head
	Bots []chat.Bot `json:"bots"`
}
