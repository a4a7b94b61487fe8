package protocol

import "github.com/backchannel-chat/backchannel/internal/chat"

// Retention actions (issue 15): the workspace's settings (its default
// retention) and a room's retention.
const (
	ActionGetWorkspaceSettings = "getWorkspaceSettings"
	ActionSetWorkspaceSettings = "setWorkspaceSettings"
	ActionSetRoomRetention     = "setRoomRetention"
)

// EventWorkspaceSettings answers getWorkspaceSettings and
// setWorkspaceSettings.
const EventWorkspaceSettings = "workspaceSettings"

// SetWorkspaceSettingsRequest changes the workspace's settings; a field
// left out keeps its value.
type SetWorkspaceSettingsRequest struct {
	// RetentionDays: messages are removed this many days after they were
	// sent, in rooms without their own retention; 0 keeps them forever.
	RetentionDays *int `json:"retentionDays,omitempty"`
}

// SetRoomRetentionRequest sets how long the room keeps its messages:
// RetentionDays days (0: forever), or the workspace's default when left
// out (or null).
type SetRoomRetentionRequest struct {
	RoomID        string `json:"roomId"`
	RetentionDays *int   `json:"retentionDays,omitempty"`
}

// WorkspaceSettingsEvent carries the workspace's settings.
type WorkspaceSettingsEvent struct {
	Head
	Settings chat.WorkspaceSettings `json:"settings"`
}
