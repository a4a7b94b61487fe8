package protocol

import (
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Calls (issue #18): WebRTC calls signalled over this WebSocket
// (docs/PROTOCOL.md "## Calls").
const (
	ActionStartCall     = "startCall"
	ActionJoinCall      = "joinCall"
	ActionLeaveCall     = "leaveCall"
	ActionDeclineCall   = "declineCall"
	ActionCallSignal    = "callSignal"
	ActionSetCallMedia  = "setCallMedia"
	ActionCallHeartbeat = "callHeartbeat"
	ActionGetIceServers = "getIceServers"
)

// Call events.
const (
	// EventCall answers startCall, joinCall, leaveCall, declineCall,
	// setCallMedia and callHeartbeat with the call as it is now.
	EventCall = "call"
	// EventCallRinging is pushed to the connections of the room's other
	// members when a call starts.
	EventCallRinging = "callRinging"
	// EventCallUpdated is pushed to the room's connections when someone
	// joins, leaves, declines or changes their media.
	EventCallUpdated = "callUpdated"
	// EventCallSignal is a relayed signal, pushed to exactly the
	// connection it was sent to.
	EventCallSignal = "callSignal"
	// EventCallEnded is pushed to the room's connections when the call
	// ends.
	EventCallEnded = "callEnded"
	// EventIceServers answers getIceServers.
	EventIceServers = "iceServers"
)

// StartCallRequest starts a call in a room (Video: a video call, else
// voice). The caller's connection is its first participant.
type StartCallRequest struct {
	RoomID string `json:"roomId"`
	Video  bool   `json:"video,omitempty"`
}

// CallRequest names a call (joinCall, leaveCall, declineCall,
// callHeartbeat, getIceServers).
type CallRequest struct {
	CallID string `json:"callId"`
}

// JoinCallRequest joins a call from this connection, with the media the
// client starts with (nil: audio on, video as the call was started).
type JoinCallRequest struct {
	CallID string          `json:"callId"`
	Media  *chat.CallMedia `json:"media,omitempty"`
}

// CallSignalRequest relays an offer, answer or ICE candidate to the
// participant on connection To. Offers and answers carry SDP, "ice" a
// candidate (the RTCIceCandidate's JSON as a string; "" ends gathering).
type CallSignalRequest struct {
	CallID    string `json:"callId"`
	To        string `json:"to"`
	Kind      string `json:"kind"`
	SDP       string `json:"sdp,omitempty"`
	Candidate string `json:"candidate,omitempty"`
}

// SetCallMediaRequest says what the caller sends now (mute, camera,
// screen sharing).
type SetCallMediaRequest struct {
	CallID string `json:"callId"`
	chat.CallMedia
}

// CallEvent carries a call (reply "call", and the pushed "callUpdated").
// The ICE servers (and when their credentials lapse) come with the
// replies to startCall and joinCall, so a participant can open its peer
// connections at once.
type CallEvent struct {
	Head
	Call          chat.Call        `json:"call"`
	IceServers    []chat.ICEServer `json:"iceServers,omitempty"`
	IceValidUntil time.Time        `json:"iceValidUntil,omitzero"`
}

// CallRingingEvent rings the room's other members: From is the caller.
type CallRingingEvent struct {
	Head
	Call chat.Call    `json:"call"`
	From chat.Profile `json:"from"`
}

// CallSignalEvent is a relayed signal. From and FromUserID are the
// sender's connection and user, taken from the sender's verified
// connection, never from the payload.
type CallSignalEvent struct {
	Head
	CallID     string `json:"callId"`
	From       string `json:"from"`
	FromUserID string `json:"fromUserId"`
	Kind       string `json:"kind"`
	SDP        string `json:"sdp,omitempty"`
	Candidate  string `json:"candidate,omitempty"`
}

// CallEndedEvent says the room's call is over (Reason: chat.CallEnd*).
type CallEndedEvent struct {
	Head
	CallID string `json:"callId"`
	RoomID string `json:"roomId"`
	Reason string `json:"reason"`
}

// IceServersEvent answers getIceServers: RTCConfiguration.iceServers,
// valid until expiresAt (absent: no expiry); ask again before then.
type IceServersEvent struct {
	Head
	CallID     string           `json:"callId"`
	IceServers []chat.ICEServer `json:"iceServers"`
	ExpiresAt  time.Time        `json:"expiresAt,omitzero"`
}
