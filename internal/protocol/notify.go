package protocol

import "github.com/backchannel-chat/backchannel/internal/chat"

// Notification actions (issue #13): preferences kept on the server, the
// tab's visibility, Web Push subscriptions.
const (
	ActionSetPreferences  = "setPreferences"
	ActionSetRoomNotify   = "setRoomNotify"
	ActionSetVisibility   = "setVisibility"
	ActionPushSubscribe   = "pushSubscribe"
	ActionPushUnsubscribe = "pushUnsubscribe"
)

// Notification events.
const (
	// EventPreferences carries the caller's preferences: the reply to
	// setPreferences and setRoomNotify, and pushed to the caller's other
	// connections so every device shows the change.
	EventPreferences = "preferences"
	// EventPushSubscribed answers pushSubscribe and pushUnsubscribe.
	EventPushSubscribed = "pushSubscribed"
)

// SetPreferencesRequest changes some of the caller's preferences: only the
// fields given change (an object left out, or a field left out of one,
// keeps its value).
type SetPreferencesRequest struct {
	Notify     *NotifyPatch     `json:"notify,omitempty"`
	Appearance *AppearancePatch `json:"appearance,omitempty"`
	Privacy    *PrivacyPatch    `json:"privacy,omitempty"`
}

// NotifyPatch is the part of the notify object to change.
type NotifyPatch struct {
	Previews          *bool     `json:"previews,omitempty"`
	Email             *bool     `json:"email,omitempty"`
	EmailDelayMinutes *int      `json:"emailDelayMinutes,omitempty"`
	DND               *DNDPatch `json:"dnd,omitempty"`
}

// DNDPatch is the part of the do-not-disturb schedule to change. Days,
// when given, replaces the list ([] for no day).
type DNDPatch struct {
	Enabled *bool   `json:"enabled,omitempty"`
	Start   *string `json:"start,omitempty"`
	End     *string `json:"end,omitempty"`
	TZ      *string `json:"tz,omitempty"`
	Days    []int   `json:"days,omitempty"`
}

// AppearancePatch is the part of the appearance object to change.
type AppearancePatch struct {
	Theme  *string `json:"theme,omitempty"`
	Accent *string `json:"accent,omitempty"`
	Layout *string `json:"layout,omitempty"`
	Lang   *string `json:"lang,omitempty"`
	Sound  *bool   `json:"sound,omitempty"`
}

// SetRoomNotifyRequest sets what one of the caller's rooms notifies about.
// Level "" is the default (all for direct rooms, mentions for channels);
// MuteUntil is an RFC 3339 time, or "" to unmute. A field left out keeps
// its value; at least one is needed.
type SetRoomNotifyRequest struct {
	RoomID    string  `json:"roomId"`
	Level     *string `json:"level,omitempty"`
	MuteUntil *string `json:"muteUntil,omitempty"`
}

// SetVisibilityRequest says whether the connection's tab is visible.
type SetVisibilityRequest struct {
	Visible bool `json:"visible"`
}

// PushKeys are a subscription's keys (PushSubscription.toJSON().keys).
type PushKeys struct {
	P256dh string `json:"p256dh"`
	Auth   string `json:"auth"`
}

// PushSubscribeRequest stores this device's Web Push subscription.
type PushSubscribeRequest struct {
	Endpoint string   `json:"endpoint"`
	Keys     PushKeys `json:"keys"`
	Device   string   `json:"device,omitempty"`
}

// PushUnsubscribeRequest forgets one of the caller's subscriptions.
type PushUnsubscribeRequest struct {
	Endpoint string `json:"endpoint"`
}

// PreferencesEvent carries the caller's preferences.
type PreferencesEvent struct {
	Head
	Preferences chat.Preferences `json:"preferences"`
}

// PushSubscribedEvent answers pushSubscribe (Subscribed true) and
// pushUnsubscribe (Subscribed false, whether or not the endpoint was
// stored: unsubscribing twice is fine).
type PushSubscribedEvent struct {
	Head
	Endpoint   string `json:"endpoint"`
	Subscribed bool   `json:"subscribed"`
}
