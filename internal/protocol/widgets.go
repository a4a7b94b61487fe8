package protocol

import "github.com/backchannel-chat/backchannel/internal/chat"

// Support widgets (issue #17; docs/SUPPORT.md): admins manage them.
const (
	ActionCreateWidget       = "createWidget"
	ActionUpdateWidget       = "updateWidget"
	ActionDeleteWidget       = "deleteWidget"
	ActionListWidgets        = "listWidgets"
	ActionRotateWidgetSecret = "rotateWidgetSecret"

	// EventWidget answers createWidget, updateWidget, deleteWidget and
	// rotateWidgetSecret; EventWidgets answers listWidgets.
	EventWidget  = "widget"
	EventWidgets = "widgets"
)

// WidgetRequest carries a widget's whole configuration: createWidget
// ignores its id, updateWidget replaces the stored widget of that id
// (its secret version and creation stay the server's).
type WidgetRequest struct {
	Widget chat.Widget `json:"widget"`
}

// WidgetRef names one widget.
type WidgetRef struct {
	WidgetID string `json:"widgetId"`
}

// WidgetEvent is one widget. IdentitySecret (hex) is set by createWidget
// and rotateWidgetSecret only: it is shown this once (the server derives
// it again when it verifies an identified visitor, and never stores it).
type WidgetEvent struct {
	Head
	Widget         chat.Widget `json:"widget"`
	IdentitySecret string      `json:"identitySecret,omitempty"`
	Deleted        bool        `json:"deleted,omitempty"`
}

// WidgetsEvent lists the workspace's widgets, oldest first.
type WidgetsEvent struct {
	Head
	Widgets []chat.Widget `json:"widgets"`
}
