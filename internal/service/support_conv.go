package service

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Support conversations (issue #17): a visitor starts one (startSupport),
// routed by topic to a team; it waits in the team's queue, or is assigned
// round-robin among the team's online agents under capacity when the team
// auto-assigns; an agent claims, answers, transfers (to a team or an
// agent, with an internal note and a system line), escalates (priority
// high; the leads are notified), closes and reopens it; the visitor rates
// it once closed. Every change is pushed as supportConversation to the
// visitor (ForVisitor), the assignee and every online agent of the team.

// SupportRoomName is every support room's name (the inbox names a
// conversation by its visitor).
const SupportRoomName = "support"

// SystemTransferred: a system line "transferred to …" (Name: the team or
// agent).
const SystemTransferred chat.SystemKind = "transferred"

// SystemClosed and SystemReopened: the conversation was closed, reopened.
const (
	SystemClosed   chat.SystemKind = "closed"
	SystemReopened chat.SystemKind = "reopened"
)

// convAccess is a support room action's authorization and its
// conversation (ra.room.Support).
func (s *Chat) convAccess(ctx context.Context, c chat.Connection, action chat.Action, roomID string) (roomAccess, chat.SupportStore, chat.SupportConversation, error) {
	ra, err := s.authorize(ctx, c, action, roomID, true)
	if err != nil {
		return roomAccess{}, nil, chat.SupportConversation{}, err
	}
	ss, err := s.supportStore()
	if err != nil {
		return roomAccess{}, nil, chat.SupportConversation{}, err
	}
	if ra.room.Support == nil {
		return roomAccess{}, nil, chat.SupportConversation{}, errRoomNotFound()
	}
	return ra, ss, *ra.room.Support, nil
}

// convEvent is the reply to a support action, as the caller may see it.
func convEvent(c chat.Connection, conv chat.SupportConversation) protocol.SupportConversationEvent {
	if c.IsVisitor() {
		conv = conv.ForVisitor()
	}
	return protocol.SupportConversationEvent{Head: protocol.Head{Type: protocol.EventSupportConversation}, Conversation: conv}
}

// pushConversation tells the visitor (without the agents' side), the
// assignee and every online agent of the team about the conversation, but
// the connection skip (which gets the reply).
func (s *Chat) pushConversation(ctx context.Context, ss chat.SupportStore, conv chat.SupportConversation, skip string) {
	s.pushToAgents(ctx, ss, conv, skip)
	if vc, err := s.store.UserConnections(ctx, conv.Visitor.ID); err == nil && len(vc) > 0 {
		ev := protocol.SupportConversationEvent{Head: protocol.Head{Type: protocol.EventSupportConversation}, Conversation: conv.ForVisitor()}
		s.push.send(ctx, without(vc, skip), ev)
	}
}

// pushConversationToAgents is pushConversation without the visitor.
func (s *Chat) pushConversationToAgents(ctx context.Context, ss chat.SupportStore, conv chat.SupportConversation) {
	s.pushToAgents(ctx, ss, conv, "")
}

// pushToAgents sends the conversation to the assignee and every agent of
// its team, but the connection skip.
func (s *Chat) pushToAgents(ctx context.Context, ss chat.SupportStore, conv chat.SupportConversation, skip string) {
	agents := []string{}
	if conv.AssigneeID != "" {
		agents = append(agents, conv.AssigneeID)
	}
	if t, err := ss.GetSupportTeam(ctx, conv.TeamID); err == nil {
		for _, id := range t.Members() {
			if !slices.Contains(agents, id) {
				agents = append(agents, id)
			}
		}
	}
	conns := make([][]string, len(agents))
	_ = forEach(len(agents), func(i int) error {
		ids, err := s.store.UserConnections(ctx, agents[i])
		if err != nil {
			s.log.WarnContext(ctx, "support push: connections", slog.String("userId", agents[i]), slog.Any("error", err))
			return nil
		}
		conns[i] = ids
		return nil
	})
	var to []string
	for _, ids := range conns {
		to = append(to, ids...)
	}
	ev := protocol.SupportConversationEvent{Head: protocol.Head{Type: protocol.EventSupportConversation}, Conversation: conv}
	s.push.send(ctx, without(to, skip), ev)
}

// supportNote stores an internal note (never delivered to the visitor)
// by the caller, mentioning mentions (the notification path tells them).
func (s *Chat) supportNote(ctx context.Context, c chat.Connection, room chat.Room, clientID, text string, mentions []string) (chat.Message, bool, error) {
	sender := s.profileOrStub(ctx, c.UserID)
	if sender.DisplayName == "" {
		sender.DisplayName = c.DisplayName
	}
	now := s.clock()
	if clientID == "" {
		clientID = "note-" + strings.TrimPrefix(newChannelID(), channelIDPrefix)
	}
	msg, created, err := s.store.AppendMessage(ctx, chat.Message{
		RoomID: room.ID, ClientID: clientID, SenderID: c.UserID, SenderName: sender.DisplayName,
		Text: text, Mentions: mentions, CreatedAt: now, ExpiresAt: s.messageExpiry(ctx, room, now), Internal: true,
	})
	if err != nil {
		return chat.Message{}, false, storeErr(err, "store note")
	}
	return msg, created, nil
}

// noteText checks a note: 1-MaxSupportNote bytes of text.
func noteText(raw string, required bool) (string, error) {
	text, err := messageText(raw)
	if err != nil {
		return "", err
	}
	if text == "" && required {
		return "", chat.Errorf(chat.Invalid, "the note is empty")
	}
	if len(text) > chat.MaxSupportNote {
		return "", chat.Errorf(chat.TooLarge, "a note is at most %d bytes", chat.MaxSupportNote)
	}
	return text, nil
}

// AddSupportNote adds an internal note: agents of the conversation's team
// and admins; the visitor never gets it.
func (s *Chat) AddSupportNote(ctx context.Context, c chat.Connection, r protocol.AddSupportNoteRequest) (protocol.AckEvent, error) {
	if r.ClientID != "" {
		if err := checkClientID(r.ClientID); err != nil {
			return protocol.AckEvent{}, err
		}
	}
	text, err := noteText(r.Text, true)
	if err != nil {
		return protocol.AckEvent{}, err
	}
	ra, _, _, err := s.convAccess(ctx, c, chat.ActAddSupportNote, r.RoomID)
	if err != nil {
		return protocol.AckEvent{}, err
	}
	msg, created, err := s.supportNote(ctx, c, ra.room, r.ClientID, text, nil)
	if err != nil {
		return protocol.AckEvent{}, err
	}
	ack := protocol.AckEvent{Head: protocol.Head{Type: protocol.EventAck}, ClientID: msg.ClientID, Message: msg, Duplicate: !created}
	if created {
		ack.Delivered = s.publish(ctx, chat.MessageCreated{Actor: chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, Message: msg})
	}
	return ack, nil
}

// update writes conv (optimistic: Conflict when it changed meanwhile).
func (s *Chat) updateConv(ctx context.Context, ss chat.SupportStore, conv chat.SupportConversation) (chat.SupportConversation, error) {
	conv.ExpiresAt = s.conversationExpiry(ctx, conv) // supporthours.go
	out, err := ss.UpdateSupportConversation(ctx, conv)
	if err != nil {
		return chat.SupportConversation{}, storeErr(err, "update conversation")
	}
	return out, nil
}

// joinAgent makes the agent a member of the conversation's room (reading
// it from the start, so its inbox shows what is unread), indexes their
// connections and tells the room (memberJoined and a "joined" line). No
// roomAdded: support rooms stay out of the agent's team-chat sidebar; the
// inbox learns of them from supportConversation.
func (s *Chat) joinAgent(ctx context.Context, room chat.Room, agentID string, actor chat.Actor) error {
	m := chat.Member{RoomID: room.ID, UserID: agentID, Role: chat.RoleMember, JoinedAt: s.clock()}
	switch err := s.store.AddMember(ctx, m); chat.ErrorCode(err) {
	case "":
	case chat.Conflict:
		return nil // a member already (reopened, transferred back)
	default:
		return storeErr(err, "add agent")
	}
	if _, err := s.indexMember(ctx, room.ID, agentID); err != nil {
		return err
	}
	p := s.profileOrStub(ctx, agentID)
	s.publish(ctx, chat.MemberJoined{Actor: actor, Member: m, Profile: chat.PresenceSeenBy(p, "")})
	s.systemLine(ctx, room.ID, chat.Actor{UserID: agentID}, chat.SystemLine{Kind: chat.SystemJoined, UserIDs: []string{agentID}}, p.DisplayName)
	return nil
}

// assign gives conv to the agent: counted against their capacity (limit;
// < 0 counts it whatever their availability, for a claim or a named
// transfer), the conversation updated, the agent joined to the room.
func (s *Chat) assign(ctx context.Context, ss chat.SupportStore, room chat.Room, conv chat.SupportConversation, agentID string, limit int, actor chat.Actor) (chat.SupportConversation, error) {
	now := s.clock()
	if _, err := ss.AssignAgent(ctx, agentID, limit, now); err != nil {
		return chat.SupportConversation{}, storeErr(err, "count the agent's conversation")
	}
	prev := conv.AssigneeID
	conv.AssigneeID, conv.State, conv.AssignedAt = agentID, chat.SupportOpen, now
	out, err := s.updateConv(ctx, ss, conv)
	if err != nil {
		if rerr := ss.ReleaseAgent(ctx, agentID); rerr != nil {
			s.log.WarnContext(ctx, "release agent", slog.String("userId", agentID), slog.Any("error", rerr))
		}
		return chat.SupportConversation{}, err
	}
	if prev != "" && prev != agentID {
		s.releaseAssignee(ctx, ss, room, prev, actor)
	}
	if err := s.joinAgent(ctx, room, agentID, actor); err != nil {
		return chat.SupportConversation{}, err
	}
	return out, nil
}

// releaseAssignee uncounts the previous assignee and takes them out of
// the room (they may still read it as an agent of its team).
func (s *Chat) releaseAssignee(ctx context.Context, ss chat.SupportStore, room chat.Room, userID string, actor chat.Actor) {
	if err := ss.ReleaseAgent(ctx, userID); err != nil {
		s.log.WarnContext(ctx, "release agent", slog.String("userId", userID), slog.Any("error", err))
	}
	if err := s.removeFromRoom(ctx, chat.Connection{ID: actor.ConnectionID, Identity: chat.Identity{UserID: actor.UserID}}, room, userID); err != nil {
		s.log.WarnContext(ctx, "remove previous assignee", slog.String("userId", userID), slog.Any("error", err))
	}
}

// autoAssign assigns a queued conversation round-robin: among the team's
// online agents under capacity, the one assigned longest ago. It leaves
// the conversation queued when the team does not auto-assign, is offline
// or closed now, or nobody is available.
func (s *Chat) autoAssign(ctx context.Context, ss chat.SupportStore, t chat.SupportTeam, room chat.Room, conv chat.SupportConversation) chat.SupportConversation {
	if !t.AutoAssign || t.Offline || !t.Hours.OpenAt(s.clock()) || conv.State != chat.SupportQueued {
		return conv
	}
	ids := t.Members()
	sts := make([]chat.AgentStatus, len(ids))
	_ = forEach(len(ids), func(i int) error {
		st, err := ss.GetAgentStatus(ctx, ids[i])
		if err == nil {
			sts[i] = st
		}
		return nil
	})
	sts = slices.DeleteFunc(sts, func(a chat.AgentStatus) bool { return a.UserID == "" || !a.Available(t.AgentCapacity()) })
	slices.SortFunc(sts, func(a, b chat.AgentStatus) int {
		if c := a.LastAssignedAt.Compare(b.LastAssignedAt); c != 0 {
			return c
		}
		return strings.Compare(a.UserID, b.UserID)
	})
	for _, a := range sts {
		out, err := s.assign(ctx, ss, room, conv, a.UserID, a.CapacityOr(t.AgentCapacity()), chat.Actor{UserID: a.UserID})
		switch chat.ErrorCode(err) {
		case "":
			return out
		case chat.Conflict:
			if a2, gerr := ss.GetSupportConversation(ctx, conv.RoomID); gerr == nil && a2.Version != conv.Version {
				return a2 // changed meanwhile (claimed): leave it
			}
			continue // that agent filled up meanwhile: the next
		default:
			s.log.WarnContext(ctx, "auto-assign", slog.String("roomId", conv.RoomID), slog.Any("error", err))
			return conv
		}
	}
	return conv
}

// drainQueue auto-assigns a team's waiting conversations, the longest
// waiting first, while agents are available (an agent came online).
func (s *Chat) drainQueue(ctx context.Context, ss chat.SupportStore, t chat.SupportTeam) {
	if !t.AutoAssign {
		return
	}
	queued, err := ss.ListSupportQueue(ctx, t.ID, chat.SupportQueued, 0)
	if err != nil {
		s.log.WarnContext(ctx, "drain queue", slog.String("teamId", t.ID), slog.Any("error", err))
		return
	}
	slices.SortFunc(queued, queueOrder)
	for _, conv := range queued {
		room, err := s.store.GetRoom(ctx, conv.RoomID)
		if err != nil {
			continue
		}
		out := s.autoAssign(ctx, ss, t, room, conv)
		if out.State == chat.SupportQueued {
			return // nobody left
		}
		s.pushConversation(ctx, ss, out, "")
	}
}

// ClaimSupport gives a waiting conversation (queued, or with the bot) to
// the caller, an agent of its team.
func (s *Chat) ClaimSupport(ctx context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.SupportConversationEvent, error) {
	ra, ss, conv, err := s.convAccess(ctx, c, chat.ActClaimSupport, r.RoomID)
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	switch {
	case conv.State == chat.SupportClosed:
		return protocol.SupportConversationEvent{}, chat.Errorf(chat.Invalid, "this conversation is closed: reopen it")
	case conv.State == chat.SupportOpen && conv.AssigneeID == c.UserID:
		return convEvent(c, conv), nil
	case conv.State == chat.SupportOpen:
		return protocol.SupportConversationEvent{}, chat.Errorf(chat.Conflict, "%s has it already", s.profileOrStub(ctx, conv.AssigneeID).DisplayName)
	}
	out, err := s.assign(ctx, ss, ra.room, conv, c.UserID, -1, chat.Actor{UserID: c.UserID, ConnectionID: c.ID})
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	s.pushConversation(ctx, ss, out, c.ID)
	return convEvent(c, out), nil
}

// TransferSupport hands the conversation to another team (queued there,
// or auto-assigned) or agent, with a note for them.
func (s *Chat) TransferSupport(ctx context.Context, c chat.Connection, r protocol.TransferSupportRequest) (protocol.SupportConversationEvent, error) {
	if r.ToTeamID == "" && r.ToUserID == "" {
		return protocol.SupportConversationEvent{}, chat.Errorf(chat.Invalid, "name the team (toTeamId) or the agent (toUserId) to transfer to")
	}
	note, err := noteText(r.Note, false)
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	ra, ss, conv, err := s.convAccess(ctx, c, chat.ActTransferSupport, r.RoomID)
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	if conv.State == chat.SupportClosed {
		return protocol.SupportConversationEvent{}, chat.Errorf(chat.Invalid, "this conversation is closed: reopen it")
	}
	toTeam := conv.TeamID
	if r.ToTeamID != "" {
		toTeam = r.ToTeamID
	}
	t, err := ss.GetSupportTeam(ctx, toTeam)
	if chat.ErrorCode(err) == chat.NotFound {
		return protocol.SupportConversationEvent{}, chat.Errorf(chat.NotFound, "team not found")
	}
	if err != nil {
		return protocol.SupportConversationEvent{}, storeErr(err, "get support team")
	}
	target := t.Name
	if r.ToUserID != "" {
		if !t.HasAgent(r.ToUserID) {
			return protocol.SupportConversationEvent{}, chat.Errorf(chat.Invalid, "%s is not an agent of %s", r.ToUserID, t.Name)
		}
		if r.ToUserID == conv.AssigneeID && toTeam == conv.TeamID {
			return protocol.SupportConversationEvent{}, chat.Errorf(chat.Invalid, "the conversation is theirs already")
		}
		target = s.profileOrStub(ctx, r.ToUserID).DisplayName
	}
	actor := chat.Actor{UserID: c.UserID, ConnectionID: c.ID}
	tr := chat.SupportTransfer{FromTeamID: conv.TeamID, ToTeamID: toTeam, FromUserID: conv.AssigneeID, ToUserID: r.ToUserID, Note: note, By: c.UserID, At: s.clock()}
	conv.Transfers = append(conv.Transfers, tr)
	conv.TeamID = toTeam
	var out chat.SupportConversation
	if r.ToUserID != "" {
		out, err = s.assign(ctx, ss, ra.room, conv, r.ToUserID, -1, actor)
	} else {
		prev := conv.AssigneeID
		conv.AssigneeID, conv.State, conv.QueuedAt, conv.AssignedAt = "", chat.SupportQueued, tr.At, time.Time{}
		if out, err = s.updateConv(ctx, ss, conv); err == nil {
			if prev != "" {
				s.releaseAssignee(ctx, ss, ra.room, prev, actor)
			}
			out = s.autoAssign(ctx, ss, t, ra.room, out)
		}
	}
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	if note != "" {
		if msg, created, err := s.supportNote(ctx, c, ra.room, "", "Transferred to "+target+": "+note, nil); err == nil && created {
			s.publish(ctx, chat.MessageCreated{Actor: chat.Actor{UserID: c.UserID}, Message: msg})
		}
	}
	s.systemLine(ctx, ra.room.ID, actor, chat.SystemLine{Kind: SystemTransferred, Name: target}, target)
	s.pushConversation(ctx, ss, out, c.ID)
	return convEvent(c, out), nil
}

// EscalateSupport raises the conversation to priority high and tells the
// team's leads: an internal note mentioning them (the notification path
// pushes it to those not looking) and the supportConversation event.
func (s *Chat) EscalateSupport(ctx context.Context, c chat.Connection, r protocol.EscalateSupportRequest) (protocol.SupportConversationEvent, error) {
	if r.Priority != chat.PriorityHigh {
		return protocol.SupportConversationEvent{}, chat.Errorf(chat.Invalid, "priority must be high")
	}
	note, err := noteText(r.Note, false)
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	ra, ss, conv, err := s.convAccess(ctx, c, chat.ActEscalateSupport, r.RoomID)
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	if conv.State == chat.SupportClosed {
		return protocol.SupportConversationEvent{}, chat.Errorf(chat.Invalid, "this conversation is closed: reopen it")
	}
	conv.Priority, conv.EscalatedAt = chat.PriorityHigh, s.clock()
	out, err := s.updateConv(ctx, ss, conv)
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	var leads []string
	if t, err := ss.GetSupportTeam(ctx, out.TeamID); err == nil {
		leads = slices.DeleteFunc(slices.Clone(t.Leads), func(id string) bool { return id == c.UserID })
	}
	text := "Escalated"
	if note != "" {
		text += ": " + note
	}
	if msg, created, err := s.supportNote(ctx, c, ra.room, "", text, leads); err == nil && created {
		s.publish(ctx, chat.MessageCreated{Actor: chat.Actor{UserID: c.UserID}, Message: msg})
	} else if err != nil {
		s.log.WarnContext(ctx, "escalation note", slog.String("roomId", ra.room.ID), slog.Any("error", err))
	}
	s.audit(ctx, c, chat.ActEscalateSupport, ra.room.ID, "", 0, note, "")
	s.pushConversation(ctx, ss, out, c.ID)
	return convEvent(c, out), nil
}

// CloseSupport closes the conversation: the assignee's capacity frees up;
// the visitor may rate it.
func (s *Chat) CloseSupport(ctx context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.SupportConversationEvent, error) {
	ra, ss, conv, err := s.convAccess(ctx, c, chat.ActCloseSupport, r.RoomID)
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	if conv.State == chat.SupportClosed {
		return convEvent(c, conv), nil
	}
	wasOpen := conv.State == chat.SupportOpen
	conv.State, conv.ClosedAt = chat.SupportClosed, s.clock()
	out, err := s.updateConv(ctx, ss, conv)
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	if wasOpen && out.AssigneeID != "" {
		if err := ss.ReleaseAgent(ctx, out.AssigneeID); err != nil {
			s.log.WarnContext(ctx, "release agent", slog.String("userId", out.AssigneeID), slog.Any("error", err))
		}
	}
	s.systemLine(ctx, ra.room.ID, chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, chat.SystemLine{Kind: SystemClosed})
	s.pushConversation(ctx, ss, out, c.ID)
	return convEvent(c, out), nil
}

// ReopenSupport opens a closed conversation again, assigned to the caller.
func (s *Chat) ReopenSupport(ctx context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.SupportConversationEvent, error) {
	ra, ss, conv, err := s.convAccess(ctx, c, chat.ActReopenSupport, r.RoomID)
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	if conv.State != chat.SupportClosed {
		return protocol.SupportConversationEvent{}, chat.Errorf(chat.Invalid, "this conversation is not closed")
	}
	conv.ClosedAt = time.Time{}
	actor := chat.Actor{UserID: c.UserID, ConnectionID: c.ID}
	out, err := s.assign(ctx, ss, ra.room, conv, c.UserID, -1, actor)
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	s.systemLine(ctx, ra.room.ID, actor, chat.SystemLine{Kind: SystemReopened})
	s.pushConversation(ctx, ss, out, c.ID)
	return convEvent(c, out), nil
}

// RequestHuman: the visitor asks for a person while the bot answers; the
// conversation joins its team's queue (or is assigned).
func (s *Chat) RequestHuman(ctx context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.SupportConversationEvent, error) {
	ra, ss, conv, err := s.convAccess(ctx, c, chat.ActRequestHuman, r.RoomID)
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	if conv.State != chat.SupportBot {
		return convEvent(c, conv), nil
	}
	out, err := s.queueForPeople(ctx, ss, ra.room, conv)
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	s.pushConversation(ctx, ss, out, c.ID)
	return convEvent(c, out), nil
}

// queueForPeople moves a conversation from the bot to its team's queue and
// auto-assigns it when the team does (also for support-hours' handover).
func (s *Chat) queueForPeople(ctx context.Context, ss chat.SupportStore, room chat.Room, conv chat.SupportConversation) (chat.SupportConversation, error) {
	conv.State, conv.QueuedAt = chat.SupportQueued, s.clock()
	out, err := s.updateConv(ctx, ss, conv)
	if err != nil {
		return chat.SupportConversation{}, err
	}
	if t, err := ss.GetSupportTeam(ctx, out.TeamID); err == nil {
		out = s.autoAssign(ctx, ss, t, room, out)
	}
	return out, nil
}

// RateSupport: the visitor rates a closed conversation, once, within 7
// days of closing.
func (s *Chat) RateSupport(ctx context.Context, c chat.Connection, r protocol.RateSupportRequest) (protocol.SupportConversationEvent, error) {
	if r.Score < 1 || r.Score > 5 {
		return protocol.SupportConversationEvent{}, chat.Errorf(chat.Invalid, "score is 1 to 5")
	}
	comment := strings.TrimSpace(r.Comment)
	if !utf8.ValidString(comment) || hasHidden(strings.ReplaceAll(comment, "\n", " ")) || utf8.RuneCountInString(comment) > chat.MaxRatingComment {
		return protocol.SupportConversationEvent{}, chat.Errorf(chat.Invalid, "comment must be at most %d plain characters", chat.MaxRatingComment)
	}
	_, ss, conv, err := s.convAccess(ctx, c, chat.ActRateSupport, r.RoomID)
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	now := s.clock()
	if err := conv.Rateable(now); err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	conv.Rating = &chat.SupportRating{Score: r.Score, Comment: comment, At: now}
	out, err := s.updateConv(ctx, ss, conv)
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	s.pushConversation(ctx, ss, out, c.ID)
	return convEvent(c, out), nil
}

// route picks the team (and whether a bot answers first) for a new
// conversation: the widget's routing when the deployment has one
// (SupportRouter), else the first team (by name) whose topics hold the
// topic, else the first team.
func (s *Chat) route(ctx context.Context, ss chat.SupportStore, widgetID, topic string) (chat.SupportTeam, bool, error) {
	bot := false
	teamID := ""
	if rt, ok := s.store.(SupportRouter); ok && widgetID != "" {
		var err error
		if teamID, bot, err = rt.SupportRoute(ctx, widgetID, topic); err != nil {
			return chat.SupportTeam{}, false, err
		}
	}
	if teamID != "" {
		t, err := ss.GetSupportTeam(ctx, teamID)
		if err == nil {
			return t, bot, nil
		}
		if chat.ErrorCode(err) != chat.NotFound {
			return chat.SupportTeam{}, false, storeErr(err, "get support team")
		}
	}
	teams, err := ss.ListSupportTeams(ctx)
	if err != nil {
		return chat.SupportTeam{}, false, storeErr(err, "list support teams")
	}
	if len(teams) == 0 {
		return chat.SupportTeam{}, false, chat.Errorf(chat.Invalid, "support is not available: no team answers yet")
	}
	if topic != "" {
		for _, t := range teams {
			if t.ServesTopic(topic) {
				return t, bot, nil
			}
		}
	}
	return teams[0], bot, nil
}

// StartSupport starts a visitor's conversation, or answers the one it has
// open already (a reload, a second tab): routed by topic to a team, with
// the bot first when the widget has one, else queued (and auto-assigned
// when the team does); the first message when given.
func (s *Chat) StartSupport(ctx context.Context, c chat.Connection, r protocol.StartSupportRequest) (protocol.SupportStartedEvent, error) {
	if err := chat.Authorize(chat.ActStartSupport, chat.Access{Groups: c.Groups, UserID: c.UserID}); err != nil {
		return protocol.SupportStartedEvent{}, err
	}
	if !chat.IsVisitorID(c.UserID) {
		return protocol.SupportStartedEvent{}, chat.Errorf(chat.Forbidden, "only visitors may start support conversations")
	}
	ss, err := s.supportStore()
	if err != nil {
		return protocol.SupportStartedEvent{}, err
	}
	name := c.DisplayName
	if r.Name != "" {
		if name, err = displayName(r.Name); err != nil {
			return protocol.SupportStartedEvent{}, err
		}
	}
	if name == "" || utf8.RuneCountInString(name) > chat.MaxVisitorNameLen {
		name = chat.DefaultVisitorName
	}
	if r.Name != "" {
		// The pre-chat form's name names the visitor's messages too.
		if p, err := s.store.GetProfile(ctx, c.UserID); err == nil && p.DisplayName != name {
			if _, err := s.store.UpdateProfile(ctx, c.UserID, &name, nil, nil); err != nil {
				s.log.WarnContext(ctx, "visitor name", slog.String("userId", c.UserID), slog.Any("error", err))
			}
		}
	}
	email, err := supportEmail(r.Email)
	if err != nil {
		return protocol.SupportStartedEvent{}, err
	}
	topic, page, text, err := supportOpening(r.Topic, r.Page, r.Lang, r.Text)
	if err != nil {
		return protocol.SupportStartedEvent{}, err
	}
	if text != "" || r.ClientID != "" {
		if err := checkClientID(r.ClientID); err != nil {
			return protocol.SupportStartedEvent{}, err
		}
	}
	// One conversation at a time per visitor: an unclosed one is answered.
	past, err := ss.ListVisitorConversations(ctx, c.UserID, chat.MaxVisitorPastList)
	if err != nil {
		return protocol.SupportStartedEvent{}, storeErr(err, "list visitor conversations")
	}
	for _, cv := range past {
		if cv.State != chat.SupportClosed && cv.Channel != chat.ChannelEmail {
			return s.started(ctx, c, cv)
		}
	}
	t, bot, err := s.route(ctx, ss, c.WidgetID, topic)
	if err != nil {
		return protocol.SupportStartedEvent{}, err
	}
	now := s.clock()
	// The room's name is no one's: the visitor's name is the
	// conversation's (erased with it), never the room's.
	room := chat.Room{ID: chat.SupportIDPrefix + newID(), Kind: chat.KindSupport, Name: SupportRoomName, CreatedBy: c.UserID, CreatedAt: now}
	conv := chat.SupportConversation{
		RoomID: room.ID, WidgetID: c.WidgetID, Visitor: chat.SupportVisitor{ID: c.UserID, Name: name, Email: email},
		Topic: topic, TeamID: t.ID, State: chat.SupportQueued, Priority: chat.PriorityNormal, Page: page, Lang: r.Lang,
		Channel: chat.ChannelChat, CreatedAt: now, QueuedAt: now,
	}
	if bot {
		conv.State, conv.QueuedAt = chat.SupportBot, time.Time{}
	}
	member := chat.Member{RoomID: room.ID, UserID: c.UserID, Role: chat.RoleMember, JoinedAt: now}
	if err := ss.CreateSupportConversation(ctx, room, conv, member); err != nil {
		return protocol.SupportStartedEvent{}, storeErr(err, "start conversation")
	}
	conv.Version = 1
	if _, err := s.indexMember(ctx, room.ID, c.UserID); err != nil {
		return protocol.SupportStartedEvent{}, err
	}
	room.Support, room.MemberCount = &conv, 1
	if bot {
		s.addBotAccount(ctx, room, c.WidgetID) // supporthours.go: a bot account answering first
	}
	if text != "" {
		if _, err := s.SendMessage(ctx, c, protocol.SendMessageRequest{RoomID: room.ID, ClientID: r.ClientID, Text: text}); err != nil {
			s.log.WarnContext(ctx, "first support message", slog.String("roomId", room.ID), slog.Any("error", err))
		}
	}
	if cur, err := ss.GetSupportConversation(ctx, room.ID); err == nil {
		conv = cur
	}
	conv = s.autoAssign(ctx, ss, t, room, conv)
	s.pushConversation(ctx, ss, conv, c.ID)
	return s.started(ctx, c, conv)
}

// started answers startSupport: the conversation (as the visitor sees it)
// and its room with the visitor's read position.
func (s *Chat) started(ctx context.Context, c chat.Connection, conv chat.SupportConversation) (protocol.SupportStartedEvent, error) {
	room, err := s.store.GetRoom(ctx, conv.RoomID)
	if err != nil {
		return protocol.SupportStartedEvent{}, roomLookupErr(err)
	}
	m, err := s.store.GetMember(ctx, room.ID, c.UserID)
	if err != nil {
		return protocol.SupportStartedEvent{}, storeErr(err, "get membership")
	}
	rs, err := s.visitorRoomState(ctx, room, m)
	if err != nil {
		return protocol.SupportStartedEvent{}, err
	}
	return protocol.SupportStartedEvent{Head: protocol.Head{Type: protocol.EventSupportStarted}, Conversation: conv.ForVisitor(), Room: rs}, nil
}

// visitorRoomState is a support room as its visitor sees it: the unread
// count leaves internal notes out.
func (s *Chat) visitorRoomState(ctx context.Context, room chat.Room, m chat.Member) (protocol.RoomState, error) {
	room.Support = nil
	rs := protocol.RoomState{Room: room, ReadSeq: m.ReadSeq, Role: m.Role}
	if room.LastSeq <= m.ReadSeq {
		return rs, nil
	}
	msgs, _, err := s.store.MessagesAfter(ctx, room.ID, m.ReadSeq, 100)
	if err != nil {
		return protocol.RoomState{}, storeErr(err, "count unread")
	}
	for _, msg := range msgs {
		if !msg.Internal && !msg.Deleted && msg.SenderID != m.UserID {
			rs.Unread++
		}
	}
	return rs, nil
}

// supportMessageSent stamps a conversation's lastMessageAt after a message
// in its room and, while it waits for an agent (queued or with the bot),
// tells the team's agents, whose inbox lists it without being in the room.
// Best-effort: the message is stored and delivered already.
func (s *Chat) supportMessageSent(ctx context.Context, conv chat.SupportConversation, msg chat.Message) {
	ss, err := s.supportStore()
	if err != nil {
		return
	}
	out, err := ss.TouchSupportConversation(ctx, conv.RoomID, msg.CreatedAt)
	if err != nil {
		s.log.DebugContext(ctx, "support: lastMessageAt not stamped", slog.String("roomId", conv.RoomID), slog.Any("error", err))
		return
	}
	if out.State == chat.SupportQueued || out.State == chat.SupportBot {
		s.pushConversationToAgents(ctx, ss, out)
	}
}
