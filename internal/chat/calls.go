package chat

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Calls (issue #18): voice and video calls in a room, as a full mesh of
// WebRTC peer connections between the participants' browsers. The server
// never sees media: it keeps the call's state (who is in it, from which
// connection, with which media on), relays the signalling (offers,
// answers, ICE candidates) to exactly the named connection, and hands out
// ICE servers (STUN/TURN) for NAT traversal.
//
// A room has at most one call at a time. Its states:
//
//	ringing: started; only the caller is in it, the others' clients ring
//	active:  a second person joined
//	ended:   the last participant left or vanished, or everyone rung
//	         declined, or nobody answered within CallRingTimeout
//
// A participant is one connection of one person (a person is in a call
// once: joining from another tab moves them). A participant that sends
// nothing (heartbeat, signal, media change) for CallParticipantTimeout is
// dropped; the call item's ExpiresAt (the table's TTL) is its newest
// heartbeat plus that timeout, so a call whose participants all vanished
// is gone without anyone acting.

// CallState is where a call is in its life.
type CallState string

const (
	CallRinging CallState = "ringing"
	CallActive  CallState = "active"
	CallEnded   CallState = "ended"
)

// Why a call ended (CallEndedEvent.Reason).
const (
	CallEndHangUp     = "hangup"     // the last participant left
	CallEndDeclined   = "declined"   // everyone rung declined
	CallEndUnanswered = "unanswered" // nobody joined within CallRingTimeout
	CallEndExpired    = "expired"    // every participant vanished (no heartbeat)
)

// Defaults of the call limits.
const (
	// DefaultCallMaxSize is how many people a call holds (a full mesh:
	// each sends its media to every other, so the uplink bounds it).
	DefaultCallMaxSize = 6
	// MaxCallMaxSize bounds the configurable size.
	MaxCallMaxSize = 16
	// CallHeartbeatEvery is how often a participant's client sends
	// callHeartbeat; CallParticipantTimeout is how long a silent
	// participant stays in the call (three missed heartbeats and some).
	CallHeartbeatEvery     = 15 * time.Second
	CallParticipantTimeout = 50 * time.Second
	// CallRingTimeout is how long a call rings before it ends unanswered.
	CallRingTimeout = 60 * time.Second
	// CallSignalsPerWindow signals (offers, answers, ICE candidates) per
	// connection per CallSignalWindow: an ICE-candidate burst at join time
	// (tens of candidates per peer, five peers in a full call) fits; a
	// flood does not.
	CallSignalsPerWindow = 200
	CallSignalWindow     = 10 * time.Second
	// MaxCallSDP and MaxCallCandidate bound a signal's payload.
	MaxCallSDP       = 16 * 1024
	MaxCallCandidate = 1024
)

// Signal kinds (callSignal's kind).
const (
	SignalOffer  = "offer"
	SignalAnswer = "answer"
	SignalICE    = "ice"
)

// SystemMissedCall is the system line left in the room when a call ends
// and some of the people it rang never joined (SystemLine.UserIDs); sent
// by the caller.
const SystemMissedCall SystemKind = "missedCall"

// CallMedia is what a participant sends.
type CallMedia struct {
	Audio  bool `json:"audio"`
	Video  bool `json:"video"`
	Screen bool `json:"screen"`
}

// CallParticipant is one connection in a call.
type CallParticipant struct {
	UserID       string    `json:"userId"`
	ConnectionID string    `json:"connectionId"`
	JoinedAt     time.Time `json:"joinedAt"`
	// SeenAt is the participant's latest heartbeat (server-side only).
	SeenAt time.Time `json:"-"`
	CallMedia
}

// Call is a room's call.
type Call struct {
	ID     string    `json:"callId"`
	RoomID string    `json:"roomId"`
	State  CallState `json:"state"`
	// Video: started as a video call (the callee's ring says so).
	Video     bool      `json:"video"`
	StartedBy string    `json:"startedBy"`
	StartedAt time.Time `json:"startedAt"`
	// AnsweredAt is when a second person joined; zero while ringing.
	AnsweredAt time.Time `json:"answeredAt,omitzero"`
	EndedAt    time.Time `json:"endedAt,omitzero"`
	// EndReason is set when ended (CallEnd*).
	EndReason    string            `json:"endReason,omitempty"`
	Participants []CallParticipant `json:"participants"`
	// Rung are the room's members the call rang (everyone but the caller,
	// at the start); Joined everyone who was ever in it; Declined who
	// declined. Rung minus Joined minus Declined missed it.
	Rung     []string `json:"rung"`
	Joined   []string `json:"joined"`
	Declined []string `json:"declined,omitempty"`
	MaxSize  int      `json:"maxSize"`
	// Past expiresAt with no heartbeat the call is gone (clients hide a
	// call whose expiresAt passed).
	ExpiresAt time.Time `json:"expiresAt"`
	// Version counts the call's writes: the store updates a call only at
	// the version it was read at (Conflict otherwise), so concurrent joins
	// cannot overfill it.
	Version int64 `json:"-"`
}

// CallStore keeps calls: one CALL#<roomId> item per room with a call.
type CallStore interface {
	// CreateCall stores a new call unless the room has one that has not
	// expired (Conflict).
	CreateCall(ctx context.Context, c Call) error
	// RoomCall reads the room's call, expired or not (the table's TTL
	// deletes an expired item only eventually: the service ends it when
	// it finds it so, telling the room); NotFound when it has none.
	RoomCall(ctx context.Context, roomID string) (Call, error)
	// UpdateCall replaces the call if it is still at version c.Version
	// and still has id c.ID (Conflict otherwise), storing it at
	// c.Version+1.
	UpdateCall(ctx context.Context, c Call) (Call, error)
	// DeleteCall removes the room's call if it is still c.ID at
	// c.Version (Conflict otherwise; NotFound when gone).
	DeleteCall(ctx context.Context, c Call) error
	// SetConnectionCall records on connection connectionID the call it
	// started or joined (Connection.CallID), so that its $disconnect finds
	// the call with no lookup; a connection that is gone is no error.
	SetConnectionCall(ctx context.Context, connectionID, callID string) error
}

// CallIDSep separates the room id from the random part of a call id: room
// ids never contain it.
const CallIDSep = "/"

// NewCallID is the id of a new call of roomID ("<roomId>/<random>"): the
// room is found from the id alone.
func NewCallID(roomID, random string) string { return roomID + CallIDSep + random }

// CallRoomID is the room of a call id; ok false when the id is malformed.
func CallRoomID(callID string) (string, bool) {
	i := strings.LastIndex(callID, CallIDSep)
	if i <= 0 || i == len(callID)-1 || len(callID) > 200 {
		return "", false
	}
	return callID[:i], true
}

// Participant returns the participant on connection connID.
func (c *Call) Participant(connID string) (CallParticipant, bool) {
	i := slices.IndexFunc(c.Participants, func(p CallParticipant) bool { return p.ConnectionID == connID })
	if i < 0 {
		return CallParticipant{}, false
	}
	return c.Participants[i], true
}

// UserIn says whether userID is in the call (on any connection).
func (c *Call) UserIn(userID string) bool {
	return slices.ContainsFunc(c.Participants, func(p CallParticipant) bool { return p.UserID == userID })
}

// Live says whether the call is still going at now: not ended, not
// expired, and not ringing past CallRingTimeout with nobody answering.
func (c *Call) Live(now time.Time) bool {
	return c.State != CallEnded && now.Before(c.ExpiresAt) && !(c.State == CallRinging && !now.Before(c.StartedAt.Add(CallRingTimeout)))
}

// Prune drops participants silent since before now-CallParticipantTimeout
// and reports whether it dropped any.
func (c *Call) Prune(now time.Time) bool {
	cut := now.Add(-CallParticipantTimeout)
	n := len(c.Participants)
	c.Participants = slices.DeleteFunc(c.Participants, func(p CallParticipant) bool { return p.SeenAt.Before(cut) })
	return len(c.Participants) != n
}

// Refresh sets ExpiresAt from the newest heartbeat.
func (c *Call) Refresh() {
	var newest time.Time
	for _, p := range c.Participants {
		if p.SeenAt.After(newest) {
			newest = p.SeenAt
		}
	}
	if newest.IsZero() {
		newest = c.StartedAt
	}
	c.ExpiresAt = newest.Add(CallParticipantTimeout)
}

// Join adds (or moves) userID's participant on connection connID. It
// refuses a full call (Conflict) and an ended one (NotFound).
func (c *Call) Join(userID, connID string, media CallMedia, now time.Time) error {
	if c.State == CallEnded {
		return Errorf(NotFound, "that call has ended")
	}
	c.Participants = slices.DeleteFunc(c.Participants, func(p CallParticipant) bool { return p.UserID == userID })
	if c.MaxSize > 0 && len(c.Participants) >= c.MaxSize {
		return Errorf(Conflict, "the call is full (%d people)", c.MaxSize)
	}
	c.Participants = append(c.Participants, CallParticipant{UserID: userID, ConnectionID: connID, JoinedAt: now, SeenAt: now, CallMedia: media})
	if !slices.Contains(c.Joined, userID) {
		c.Joined = append(c.Joined, userID)
	}
	c.Declined = slices.DeleteFunc(c.Declined, func(u string) bool { return u == userID })
	if len(c.Participants) >= 2 && c.State == CallRinging {
		c.State = CallActive
		c.AnsweredAt = now
	}
	c.Refresh()
	return nil
}

// Leave removes the participant on connection connID; it reports whether
// it was there.
func (c *Call) Leave(connID string) bool {
	n := len(c.Participants)
	c.Participants = slices.DeleteFunc(c.Participants, func(p CallParticipant) bool { return p.ConnectionID == connID })
	c.Refresh()
	return len(c.Participants) != n
}

// Decline records that userID declined. It reports whether the call is
// now over: everyone it rang declined while only the caller is in it.
func (c *Call) Decline(userID string) bool {
	if !slices.Contains(c.Declined, userID) {
		c.Declined = append(c.Declined, userID)
	}
	if c.State != CallRinging || len(c.Rung) == 0 {
		return false
	}
	for _, u := range c.Rung {
		if !slices.Contains(c.Declined, u) {
			return false
		}
	}
	return true
}

// End marks the call ended at now for reason.
func (c *Call) End(reason string, now time.Time) {
	c.State = CallEnded
	c.EndReason = reason
	c.EndedAt = now
	c.Participants = nil
}

// EndReasonAt is why a call that is no longer Live at now ended: it is
// already ended, it rang unanswered, or its participants vanished.
func (c *Call) EndReasonAt(now time.Time) string {
	switch {
	case c.State == CallEnded:
		return c.EndReason
	case c.State == CallRinging && !now.Before(c.StartedAt.Add(CallRingTimeout)):
		return CallEndUnanswered
	default:
		return CallEndExpired
	}
}

// Missed are the people the call rang who never joined and did not
// decline: the missed-call line names them.
func (c *Call) Missed() []string {
	var out []string
	for _, u := range c.Rung {
		if !slices.Contains(c.Joined, u) && !slices.Contains(c.Declined, u) {
			out = append(out, u)
		}
	}
	return out
}

// RingPushes says whether a call's ring goes to recipient r's devices as a
// Web Push: exactly when a message from the caller in the room would
// interrupt r (DecideNotify over r's preferences: not in a room r muted
// or set to "nothing", not from someone r blocked, not during r's
// do-not-disturb). The ring on r's open tabs (callRinging) does not ask.
func RingPushes(call Call, room Room, r Recipient, now time.Time) bool {
	d := DecideNotify(Message{RoomID: room.ID, SenderID: call.StartedBy}, room, r, now)
	return d.Notify && d.Interrupt
}

// ICEServer is one entry of RTCConfiguration.iceServers.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// ICEServerSource hands out the ICE servers (STUN/TURN) a participant's
// browser uses, for userID in callID; expires is when the credentials
// stop working (zero: they do not expire). internal/iceservers has the
// deployment's sources (Kinesis Video Streams' managed TURN, TURN REST
// credentials, none).
type ICEServerSource interface {
	ICEServers(ctx context.Context, userID, callID string) (servers []ICEServer, expires time.Time, err error)
}
