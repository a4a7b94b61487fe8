package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Calls (issue #18; docs/ARCHITECTURE.md "## Calls"). The call's state is
// one CALL#<roomId> item (chat.CallStore), changed by read-modify-write at
// a version (mutateCall retries a lost race). Everything a call pushes is
// ephemeral and goes out directly through the WebSocket push, like typing:
//
//	startCall    -> callRinging to the room's other connections (and a
//	                Web Push "Incoming call" to the people rung who have
//	                no visible tab), callUpdated to the caller's others
//	joinCall, leaveCall, declineCall, setCallMedia
//	             -> callUpdated to the room's connections but the actor's
//	callSignal   -> callSignal to exactly the named participant connection
//	the end      -> callEnded to the room's connections, and a missed-call
//	                line when someone rung never joined
//
// The server never sees media; it relays SDP and ICE candidates, which
// name the participants' network addresses (that is what they are for).

// CallPush rings people's devices (Web Push through the push queue) for
// an incoming call; optional. StartCall hands it only the people rung who
// have no visible tab and whose preferences let the caller interrupt them
// (chat.RingPushes: not in do-not-disturb, conversation not muted).
type CallPush interface {
	Ring(ctx context.Context, call chat.Call, roomName string, caller chat.Profile, userIDs []string) error
}

// callStore is the store's calls, or an Internal error when it keeps none.
func (s *Chat) callStore() (chat.CallStore, error) {
	if s.calls == nil {
		return nil, chat.Errorf(chat.Internal, "calls are not configured on this server")
	}
	return s.calls, nil
}

// newCallKey is the random part of a call id: 12 random bytes, URL-safe.
func newCallKey() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func callRoom(callID string) (string, error) {
	if callID == "" {
		return "", chat.Errorf(chat.Invalid, "callId is required")
	}
	roomID, ok := chat.CallRoomID(callID)
	if !ok || checkRoomID(roomID) != nil {
		return "", chat.Errorf(chat.Invalid, "callId is malformed")
	}
	return roomID, nil
}

// errCallGone is the answer about a call that ended (or never was).
func errCallGone() error { return chat.Errorf(chat.NotFound, "that call has ended") }

// authorizeCall asks the policy whether c may do action on call callID,
// loading the call for the policy (Access.InCall). It returns the call as
// read. A member asking about a call that is gone gets NotFound "that call
// has ended"; a non-member the room's refusal, whether or not there is a
// call, so calls in rooms one cannot see cannot be probed.
func (s *Chat) authorizeCall(ctx context.Context, c chat.Connection, action chat.Action, callID string) (roomAccess, chat.Call, error) {
	roomID, err := callRoom(callID)
	if err != nil {
		return roomAccess{}, chat.Call{}, err
	}
	cs, err := s.callStore()
	if err != nil {
		return roomAccess{}, chat.Call{}, err
	}
	var call chat.Call
	ra, err := s.authorizeWith(ctx, c, action, roomID, false, func(ra *roomAccess) error {
		got, err := cs.RoomCall(ctx, roomID)
		switch {
		case err == nil && got.ID == callID:
			call = got
			_, ra.inCall = call.Participant(c.ID)
		case err == nil || chat.ErrorCode(err) == chat.NotFound:
			if ra.member != nil {
				return errCallGone()
			}
		default:
			return storeErr(err, "read call")
		}
		return nil
	})
	if err != nil {
		return roomAccess{}, chat.Call{}, err
	}
	if call.ID == "" {
		return roomAccess{}, chat.Call{}, errCallGone()
	}
	if now := s.clock(); !call.Live(now) {
		// Found over: expired (everyone vanished) or rang unanswered.
		// End it for the room now.
		if err := s.finishCall(ctx, call, call.EndReasonAt(now)); err != nil && chat.ErrorCode(err) != chat.NotFound && chat.ErrorCode(err) != chat.Conflict {
			return roomAccess{}, chat.Call{}, err
		}
		return roomAccess{}, chat.Call{}, errCallGone()
	}
	return ra, call, nil
}

// callOutcome is what mutateCall did.
type callOutcome struct {
	call  chat.Call
	ended bool // the call ended (call holds its last state)
}

// mutateCall applies f to the room's current call callID (pruning silent
// participants first) and stores the result, retrying when another
// writer won the race. A call left with nobody in it ends. When the call
// is no longer live (expired, or rang unanswered too long), it is ended
// and f does not run: errCallGone.
func (s *Chat) mutateCall(ctx context.Context, callID string, first chat.Call, f func(*chat.Call) error) (callOutcome, error) {
	cs, err := s.callStore()
	if err != nil {
		return callOutcome{}, err
	}
	call := first
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			call, err = cs.RoomCall(ctx, call.RoomID)
			if chat.ErrorCode(err) == chat.NotFound || (err == nil && call.ID != callID) {
				return callOutcome{}, errCallGone()
			}
			if err != nil {
				return callOutcome{}, storeErr(err, "read call")
			}
		}
		now := s.clock()
		if !call.Live(now) {
			if err := s.finishCall(ctx, call, call.EndReasonAt(now)); err != nil && chat.ErrorCode(err) == chat.Conflict && attempt < 5 {
				continue
			}
			return callOutcome{}, errCallGone()
		}
		call.Prune(now)
		if err := f(&call); err != nil {
			return callOutcome{}, err
		}
		if call.State != chat.CallEnded && len(call.Participants) == 0 {
			call.End(chat.CallEndHangUp, now)
		}
		if call.State == chat.CallEnded {
			err := s.finishCall(ctx, call, call.EndReason)
			if chat.ErrorCode(err) == chat.Conflict && attempt < 5 {
				continue
			}
			if err != nil && chat.ErrorCode(err) != chat.NotFound {
				return callOutcome{}, err
			}
			return callOutcome{call: call, ended: true}, nil
		}
		call.Refresh()
		stored, err := cs.UpdateCall(ctx, call)
		if chat.ErrorCode(err) == chat.Conflict && attempt < 5 {
			continue
		}
		if err != nil {
			return callOutcome{}, storeErr(err, "update call")
		}
		return callOutcome{call: stored}, nil
	}
}

// finishCall deletes the ended call (at the version it was read) and
// tells the room: callEnded, and the missed-call line when someone it
// rang never joined. Conflict: another writer changed it first.
func (s *Chat) finishCall(ctx context.Context, call chat.Call, reason string) error {
	cs, err := s.callStore()
	if err != nil {
		return err
	}
	if err := cs.DeleteCall(ctx, call); err != nil {
		if chat.ErrorCode(err) == chat.NotFound {
			return err // someone else finished it and told the room
		}
		return storeErr(err, "end call")
	}
	if call.State != chat.CallEnded {
		call.End(reason, s.clock())
	}
	s.log.InfoContext(ctx, "call ended", slog.String("callId", call.ID), slog.String("reason", reason),
		slog.Int("joined", len(call.Joined)), slog.Duration("length", call.EndedAt.Sub(call.StartedAt)))
	s.push.toRoom(ctx, call.RoomID, protocol.CallEndedEvent{
		Head: protocol.Head{Type: protocol.EventCallEnded}, CallID: call.ID, RoomID: call.RoomID, Reason: reason,
	}, "", "")
	if missed := call.Missed(); len(missed) > 0 {
		names := make([]string, len(missed))
		for i, u := range missed {
			names[i] = s.profileOrStub(ctx, u).DisplayName
		}
		s.systemLine(ctx, call.RoomID, chat.Actor{UserID: call.StartedBy}, chat.SystemLine{Kind: chat.SystemMissedCall, UserIDs: missed, Video: call.Video}, names...)
	}
	return nil
}

// iceFor is the ICE servers for c in callID; none when the deployment has
// no source (locally: host candidates on loopback are enough).
func (s *Chat) iceFor(ctx context.Context, c chat.Connection, callID string) ([]chat.ICEServer, time.Time, error) {
	if s.ice == nil {
		return []chat.ICEServer{}, time.Time{}, nil
	}
	servers, exp, err := s.ice.ICEServers(ctx, c.UserID, callID)
	if err != nil {
		s.log.ErrorContext(ctx, "ice servers", slog.String("callId", callID), slog.Any("error", err))
		return nil, time.Time{}, chat.Errorf(chat.Internal, "the call's relay servers are unavailable: try again")
	}
	if servers == nil {
		servers = []chat.ICEServer{}
	}
	return servers, exp, nil
}

// StartCall starts a call in the room with the caller's connection in it,
// ringing the room's other members. A room has one call at a time: a
// live one answers Conflict (join it instead).
func (s *Chat) StartCall(ctx context.Context, c chat.Connection, r protocol.StartCallRequest) (protocol.CallEvent, error) {
	cs, err := s.callStore()
	if err != nil {
		return protocol.CallEvent{}, err
	}
	ra, err := s.authorize(ctx, c, chat.ActStartCall, r.RoomID, true)
	if err != nil {
		return protocol.CallEvent{}, err
	}
	now := s.clock()
	if old, err := cs.RoomCall(ctx, r.RoomID); err == nil {
		if old.Live(now) {
			return protocol.CallEvent{}, chat.Errorf(chat.Conflict, "a call is already going on here: join it")
		}
		if err := s.finishCall(ctx, old, old.EndReasonAt(now)); err != nil && chat.ErrorCode(err) != chat.NotFound {
			return protocol.CallEvent{}, err
		}
	} else if chat.ErrorCode(err) != chat.NotFound {
		return protocol.CallEvent{}, storeErr(err, "read call")
	}
	call := chat.Call{
		ID: chat.NewCallID(r.RoomID, newCallKey()), RoomID: r.RoomID, State: chat.CallRinging, Video: r.Video,
		StartedBy: c.UserID, StartedAt: now, MaxSize: s.callMaxSize, Rung: []string{}, Joined: []string{},
	}
	// Direct conversations ring their other members; a channel's members
	// see the call in progress and may join, without a ring.
	if ra.room.Kind == chat.KindDirect {
		for _, u := range ra.room.MemberIDs {
			if u != c.UserID {
				call.Rung = append(call.Rung, u)
			}
		}
	}
	if err := call.Join(c.UserID, c.ID, chat.CallMedia{Audio: true, Video: r.Video}, now); err != nil {
		return protocol.CallEvent{}, err
	}
	if err := cs.CreateCall(ctx, call); err != nil {
		if chat.ErrorCode(err) == chat.Conflict {
			return protocol.CallEvent{}, chat.Errorf(chat.Conflict, "a call is already going on here: join it")
		}
		return protocol.CallEvent{}, storeErr(err, "start call")
	}
	call.Version = 1
	s.markConnectionCall(ctx, c.ID, call.ID)
	servers, exp, err := s.iceFor(ctx, c, call.ID)
	if err != nil {
		return protocol.CallEvent{}, err
	}
	caller := s.profileOrStub(ctx, c.UserID)
	s.push.toRoom(ctx, call.RoomID, protocol.CallRingingEvent{Head: protocol.Head{Type: protocol.EventCallRinging}, Call: call, From: caller}, c.ID, c.UserID)
	if own, err := s.store.UserConnections(ctx, c.UserID); err == nil {
		s.push.send(ctx, without(own, c.ID), protocol.CallEvent{Head: protocol.Head{Type: protocol.EventCallUpdated}, Call: call})
	}
	if s.callPush != nil && len(call.Rung) > 0 {
		// Web Push for the people rung with no visible tab (a visible one
		// rings on callRinging) whose preferences would let a message from
		// the caller here interrupt them (chat.RingPushes: not muted, not
		// in do-not-disturb); their open tabs ring all the same.
		var hidden []string
		for _, u := range call.Rung {
			if _, visible, err := s.store.UserPresence(ctx, u); err == nil && visible > 0 {
				continue
			}
			prefs, err := s.store.GetPreferences(ctx, u)
			if err != nil {
				s.log.WarnContext(ctx, "call push: preferences unknown, pushing", slog.String("userId", u), slog.Any("error", err))
			} else if !chat.RingPushes(call, ra.room, chat.Recipient{UserID: u, Prefs: prefs}, now) {
				continue
			}
			hidden = append(hidden, u)
		}
		name := "#" + ra.room.Name
		if ra.room.Kind == chat.KindDirect {
			name = caller.DisplayName
		}
		if len(hidden) > 0 {
			if err := s.callPush.Ring(ctx, call, name, caller, hidden); err != nil {
				s.log.WarnContext(ctx, "call push", slog.String("callId", call.ID), slog.Any("error", err))
			}
		}
	}
	return protocol.CallEvent{Head: protocol.Head{Type: protocol.EventCall}, Call: call, IceServers: servers, IceValidUntil: exp}, nil
}

// JoinCall puts the caller's connection in the call (moving them when
// they are in it from another connection: a reconnect rejoins). A full
// call answers Conflict.
func (s *Chat) JoinCall(ctx context.Context, c chat.Connection, r protocol.JoinCallRequest) (protocol.CallEvent, error) {
	_, call, err := s.authorizeCall(ctx, c, chat.ActJoinCall, r.CallID)
	if err != nil {
		return protocol.CallEvent{}, err
	}
	media := chat.CallMedia{Audio: true, Video: call.Video}
	if r.Media != nil {
		media = *r.Media
	}
	out, err := s.mutateCall(ctx, r.CallID, call, func(call *chat.Call) error {
		return call.Join(c.UserID, c.ID, media, s.clock())
	})
	if err != nil {
		return protocol.CallEvent{}, err
	}
	s.markConnectionCall(ctx, c.ID, r.CallID)
	servers, exp, err := s.iceFor(ctx, c, r.CallID)
	if err != nil {
		return protocol.CallEvent{}, err
	}
	s.callUpdated(ctx, out.call, c.ID)
	return protocol.CallEvent{Head: protocol.Head{Type: protocol.EventCall}, Call: out.call, IceServers: servers, IceValidUntil: exp}, nil
}

// LeaveCall takes the caller's connection out of the call; the last one
// out ends it. Leaving a call one is not in (or that ended) is fine.
func (s *Chat) LeaveCall(ctx context.Context, c chat.Connection, r protocol.CallRequest) (protocol.CallEvent, error) {
	_, call, err := s.authorizeCall(ctx, c, chat.ActLeaveCall, r.CallID)
	if chat.ErrorCode(err) == chat.NotFound && !isRoomNotFound(err) {
		return s.endedReply(r.CallID), nil
	}
	if err != nil {
		return protocol.CallEvent{}, err
	}
	out, err := s.mutateCall(ctx, r.CallID, call, func(call *chat.Call) error {
		if call.Leave(c.ID) && len(call.Participants) == 0 {
			call.End(chat.CallEndHangUp, s.clock())
		}
		return nil
	})
	if chat.ErrorCode(err) == chat.NotFound {
		return s.endedReply(r.CallID), nil
	}
	if err != nil {
		return protocol.CallEvent{}, err
	}
	if !out.ended {
		s.callUpdated(ctx, out.call, c.ID)
	}
	return protocol.CallEvent{Head: protocol.Head{Type: protocol.EventCall}, Call: out.call}, nil
}

// markConnectionCall records the call on the connection's item, so that
// its $disconnect leaves the call at once (leaveCallOnDisconnect). A
// failure only delays that to the missed heartbeats: logged.
func (s *Chat) markConnectionCall(ctx context.Context, connID, callID string) {
	if err := s.calls.SetConnectionCall(ctx, connID, callID); err != nil {
		s.log.WarnContext(ctx, "record the connection's call", slog.String("connectionId", connID),
			slog.String("callId", callID), slog.Any("error", err))
	}
}

// leaveCallOnDisconnect takes a connection that is gone ($disconnect, or
// a fan-out's 410) out of the call its item names, as leaveCall does: the
// last one out ends the call (callEnded, the missed-call line), otherwise
// the room gets callUpdated. Cost: one GetItem of the call when the
// connection ever joined one, and one write when it is still in it. A
// failure is logged: the participant then goes at its missed heartbeats.
func (s *Chat) leaveCallOnDisconnect(ctx context.Context, c chat.Connection) {
	if c.CallID == "" || s.calls == nil {
		return
	}
	roomID, ok := chat.CallRoomID(c.CallID)
	if !ok {
		return
	}
	call, err := s.calls.RoomCall(ctx, roomID)
	if err != nil || call.ID != c.CallID {
		if err != nil && chat.ErrorCode(err) != chat.NotFound {
			s.log.WarnContext(ctx, "read the call of a closed connection", slog.String("callId", c.CallID), slog.Any("error", err))
		}
		return
	}
	if _, in := call.Participant(c.ID); !in {
		return // left it, or moved to another tab
	}
	out, err := s.mutateCall(ctx, call.ID, call, func(call *chat.Call) error {
		if call.Leave(c.ID) && len(call.Participants) == 0 {
			call.End(chat.CallEndHangUp, s.clock())
		}
		return nil
	})
	if err != nil {
		if chat.ErrorCode(err) != chat.NotFound {
			s.log.WarnContext(ctx, "take a closed connection out of its call", slog.String("callId", c.CallID), slog.Any("error", err))
		}
		return
	}
	if !out.ended {
		s.callUpdated(ctx, out.call, c.ID)
	}
}

// DeclineCall declines a ringing call; when everyone it rang declined, it
// ends. The caller's other connections stop ringing (callUpdated names
// them in declined).
func (s *Chat) DeclineCall(ctx context.Context, c chat.Connection, r protocol.CallRequest) (protocol.CallEvent, error) {
	_, call, err := s.authorizeCall(ctx, c, chat.ActDeclineCall, r.CallID)
	if err != nil {
		return protocol.CallEvent{}, err
	}
	out, err := s.mutateCall(ctx, r.CallID, call, func(call *chat.Call) error {
		if call.UserIn(c.UserID) {
			return nil // in it from another tab: this one just stops ringing
		}
		if call.Decline(c.UserID) {
			call.End(chat.CallEndDeclined, s.clock())
		}
		return nil
	})
	if err != nil {
		return protocol.CallEvent{}, err
	}
	if !out.ended {
		s.callUpdated(ctx, out.call, "")
	}
	return protocol.CallEvent{Head: protocol.Head{Type: protocol.EventCall}, Call: out.call}, nil
}

// SetCallMedia records what the caller sends (mute, camera, screen).
func (s *Chat) SetCallMedia(ctx context.Context, c chat.Connection, r protocol.SetCallMediaRequest) (protocol.CallEvent, error) {
	_, call, err := s.authorizeCall(ctx, c, chat.ActSetCallMedia, r.CallID)
	if err != nil {
		return protocol.CallEvent{}, err
	}
	out, err := s.mutateCall(ctx, r.CallID, call, func(call *chat.Call) error {
		i := slices.IndexFunc(call.Participants, func(p chat.CallParticipant) bool { return p.ConnectionID == c.ID })
		if i < 0 {
			return chat.Errorf(chat.Forbidden, "you are not in this call: join it first")
		}
		call.Participants[i].CallMedia = r.CallMedia
		call.Participants[i].SeenAt = s.clock()
		return nil
	})
	if err != nil {
		return protocol.CallEvent{}, err
	}
	s.callUpdated(ctx, out.call, c.ID)
	return protocol.CallEvent{Head: protocol.Head{Type: protocol.EventCall}, Call: out.call}, nil
}

// CallHeartbeat keeps the caller's connection in the call (clients send
// one every chat.CallHeartbeatEvery) and answers the call as it is, so a
// client notices participants the server dropped.
func (s *Chat) CallHeartbeat(ctx context.Context, c chat.Connection, r protocol.CallRequest) (protocol.CallEvent, error) {
	_, call, err := s.authorizeCall(ctx, c, chat.ActCallHeartbeat, r.CallID)
	if err != nil {
		return protocol.CallEvent{}, err
	}
	before := len(call.Participants)
	out, err := s.mutateCall(ctx, r.CallID, call, func(call *chat.Call) error {
		i := slices.IndexFunc(call.Participants, func(p chat.CallParticipant) bool { return p.ConnectionID == c.ID })
		if i < 0 {
			return chat.Errorf(chat.Forbidden, "you are not in this call: join it first")
		}
		call.Participants[i].SeenAt = s.clock()
		return nil
	})
	if err != nil {
		return protocol.CallEvent{}, err
	}
	if len(out.call.Participants) != before {
		s.callUpdated(ctx, out.call, c.ID) // someone vanished
	}
	return protocol.CallEvent{Head: protocol.Head{Type: protocol.EventCall}, Call: out.call}, nil
}

// CallSignal relays an offer, answer or ICE candidate from the caller's
// connection to exactly the participant connection r.To of the same
// call. The event names the sender from the caller's verified
// connection. Signals are counted per connection
// (chat.CallSignalsPerWindow); past it they are refused RateLimited.
func (s *Chat) CallSignal(ctx context.Context, c chat.Connection, r protocol.CallSignalRequest) error {
	switch r.Kind {
	case chat.SignalOffer, chat.SignalAnswer:
		if r.SDP == "" || r.Candidate != "" {
			return chat.Errorf(chat.Invalid, "an %s carries sdp and no candidate", r.Kind)
		}
	case chat.SignalICE:
		if r.SDP != "" {
			return chat.Errorf(chat.Invalid, "an ice signal carries a candidate and no sdp")
		}
	default:
		return chat.Errorf(chat.Invalid, "kind must be offer, answer or ice")
	}
	if len(r.SDP) > chat.MaxCallSDP || len(r.Candidate) > chat.MaxCallCandidate {
		return chat.Errorf(chat.TooLarge, "the signal is too large")
	}
	if r.To == "" || len(r.To) > maxIDLen {
		return chat.Errorf(chat.Invalid, "to must be a participant's connection id")
	}
	_, call, err := s.authorizeCall(ctx, c, chat.ActCallSignal, r.CallID)
	if err != nil {
		return err
	}
	if r.To == c.ID {
		return chat.Errorf(chat.Invalid, "a signal goes to another participant")
	}
	if _, ok := call.Participant(r.To); !ok {
		return chat.Errorf(chat.NotFound, "that connection is not in this call")
	}
	ok, err := s.store.Allow(ctx, "callsignal:"+c.ID, chat.CallSignalsPerWindow, chat.CallSignalWindow)
	if err != nil {
		return storeErr(err, "signal rate")
	}
	if !ok {
		return chat.Errorf(chat.RateLimited, "too many call signals: slow down")
	}
	res := s.push.send(ctx, []string{r.To}, protocol.CallSignalEvent{
		Head: protocol.Head{Type: protocol.EventCallSignal}, CallID: call.ID, From: c.ID, FromUserID: c.UserID,
		Kind: r.Kind, SDP: r.SDP, Candidate: r.Candidate,
	})
	now := s.clock()
	me, _ := call.Participant(c.ID)
	switch {
	case res.Gone > 0:
		// The target's connection is gone: drop it from the call now
		// rather than at its missed heartbeats.
		out, err := s.mutateCall(ctx, call.ID, call, func(call *chat.Call) error {
			call.Leave(r.To)
			return nil
		})
		if err == nil && !out.ended {
			s.callUpdated(ctx, out.call, "")
		}
		return chat.Errorf(chat.NotFound, "that connection is not in this call")
	case now.Sub(me.SeenAt) >= chat.CallHeartbeatEvery:
		// Signalling counts as a heartbeat (at most one write per interval).
		_, _ = s.mutateCall(ctx, call.ID, call, func(call *chat.Call) error {
			if i := slices.IndexFunc(call.Participants, func(p chat.CallParticipant) bool { return p.ConnectionID == c.ID }); i >= 0 {
				call.Participants[i].SeenAt = now
			}
			return nil
		})
	}
	return nil
}

// GetIceServers answers the ICE servers (STUN/TURN with short-lived
// credentials) for a participant of the call.
func (s *Chat) GetIceServers(ctx context.Context, c chat.Connection, r protocol.CallRequest) (protocol.IceServersEvent, error) {
	if _, _, err := s.authorizeCall(ctx, c, chat.ActGetIceServers, r.CallID); err != nil {
		return protocol.IceServersEvent{}, err
	}
	servers, exp, err := s.iceFor(ctx, c, r.CallID)
	if err != nil {
		return protocol.IceServersEvent{}, err
	}
	return protocol.IceServersEvent{Head: protocol.Head{Type: protocol.EventIceServers}, CallID: r.CallID, IceServers: servers, ExpiresAt: exp}, nil
}

// callUpdated tells the room's connections (but skipConn) the call's state.
func (s *Chat) callUpdated(ctx context.Context, call chat.Call, skipConn string) {
	s.push.toRoom(ctx, call.RoomID, protocol.CallEvent{Head: protocol.Head{Type: protocol.EventCallUpdated}, Call: call}, skipConn, "")
}

// endedReply answers leaving a call that is over.
func (s *Chat) endedReply(callID string) protocol.CallEvent {
	roomID, _ := chat.CallRoomID(callID)
	return protocol.CallEvent{Head: protocol.Head{Type: protocol.EventCall}, Call: chat.Call{ID: callID, RoomID: roomID, State: chat.CallEnded, Participants: []chat.CallParticipant{}, Rung: []string{}, Joined: []string{}}}
}

// isRoomNotFound tells the room's NotFound (the caller may not see it)
// from the call's.
func isRoomNotFound(err error) bool {
	var e *chat.Error
	return errors.As(err, &e) && e.Code == chat.NotFound && e.Message == "room not found"
}
