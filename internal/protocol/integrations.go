package protocol

import "github.com/backchannel-chat/backchannel/internal/chat"

// Slash commands and outgoing webhooks (issue 16).
const (
	ActionRegisterCommand         = "registerCommand"
	ActionListCommands            = "listCommands"
	ActionDeleteCommand           = "deleteCommand"
	ActionRunCommand              = "runCommand"
	ActionRegisterOutgoingWebhook = "registerOutgoingWebhook"
	ActionDeleteOutgoingWebhook   = "deleteOutgoingWebhook"
)

// Events of the integrations.
const (
	// EventIntegration answers a registration: the registration and its
	// signing secret, the one time it is shown.
	EventIntegration = "integration"
	// EventCommands answers listCommands.
	EventCommands = "commands"
	// EventIntegrationDeleted answers deleteCommand and deleteOutgoingWebhook.
	EventIntegrationDeleted = "integrationDeleted"
	// EventCommandResult answers runCommand with the command's reply.
	EventCommandResult = "commandResult"
)

// Visibility of a command's reply.
const (
	VisibilityEphemeral = "ephemeral"
	VisibilityRoom      = "room"
)

func init() {
	Events[EventIntegration] = IntegrationEvent{}
	Events[EventCommands] = CommandsEvent{}
	Events[EventIntegrationDeleted] = IntegrationDeletedEvent{}
	Events[EventCommandResult] = CommandResultEvent{}
	Enums["Code"] = append(Enums["Code"], string(chat.Unavailable))
	Enums["IntegrationKind"] = []string{string(chat.KindCommand), string(chat.KindOutgoing)}
	Enums["CommandVisibility"] = []string{VisibilityEphemeral, VisibilityRoom}
}

// RegisterCommandRequest registers /Command for the room, or for the whole
// workspace when RoomID is empty (workspace admins).
type RegisterCommandRequest struct {
	RoomID      string `json:"roomId,omitempty"`
	Command     string `json:"command"`
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
}

// RegisterOutgoingWebhookRequest registers a URL that receives the room's
// messages: those with one of TriggerWords, or all of them.
type RegisterOutgoingWebhookRequest struct {
	RoomID       string   `json:"roomId"`
	URL          string   `json:"url"`
	TriggerWords []string `json:"triggerWords,omitempty"`
	AllMessages  bool     `json:"allMessages,omitempty"`
	Description  string   `json:"description,omitempty"`
}

// ListCommandsRequest lists the commands usable in a room (its own and the
// workspace's) and, for its managers, its outgoing webhooks.
type ListCommandsRequest struct {
	RoomID string `json:"roomId"`
}

// DeleteIntegrationRequest deletes a registration by id; RoomID empty names
// a workspace command.
type DeleteIntegrationRequest struct {
	RoomID string `json:"roomId,omitempty"`
	ID     string `json:"id"`
}

// RunCommandRequest runs /Command with Text (what followed it).
type RunCommandRequest struct {
	RoomID   string `json:"roomId"`
	Command  string `json:"command"`
	Text     string `json:"text,omitempty"`
	ClientID string `json:"clientId"`
}

// IntegrationView is a registration as clients see it: URL and creator
// only for the people who may manage it, never the secret.
type IntegrationView struct {
	ID           string               `json:"id"`
	Kind         chat.IntegrationKind `json:"kind"`
	RoomID       string               `json:"roomId,omitempty"`
	Command      string               `json:"command,omitempty"`
	Description  string               `json:"description,omitempty"`
	URL          string               `json:"url,omitempty"`
	TriggerWords []string             `json:"triggerWords,omitempty"`
	AllMessages  bool                 `json:"allMessages,omitempty"`
	CreatedBy    string               `json:"createdBy,omitempty"`
	CreatedAt    string               `json:"createdAt,omitempty"`
}

// IntegrationEvent answers a registration. Secret signs every request to
// URL (X-Backchannel-Signature); it is shown this once.
type IntegrationEvent struct {
	Head
	Integration IntegrationView `json:"integration"`
	Secret      string          `json:"secret"`
}

// CommandsEvent lists a room's commands (the room's and the workspace's)
// and, when CanManage, its outgoing webhooks.
type CommandsEvent struct {
	Head
	RoomID           string            `json:"roomId"`
	Commands         []IntegrationView `json:"commands"`
	OutgoingWebhooks []IntegrationView `json:"outgoingWebhooks,omitempty"`
	CanManage        bool              `json:"canManage"`
}

// IntegrationDeletedEvent answers a deletion.
type IntegrationDeletedEvent struct {
	Head
	RoomID string `json:"roomId,omitempty"`
	ID     string `json:"id"`
}

// CommandResultEvent is the command's reply: Visibility ephemeral (only
// the caller sees Text; nothing is stored) or room (Message is the reply
// posted to the room as the command).
type CommandResultEvent struct {
	Head
	RoomID     string        `json:"roomId"`
	Command    string        `json:"command"`
	Text       string        `json:"text"`
	Visibility string        `json:"visibility"`
	Message    *chat.Message `json:"message,omitempty"`
}
