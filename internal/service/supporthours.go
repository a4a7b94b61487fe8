package service

import (
	"context"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/supportlink"
	"github.com/backchannel-chat/backchannel/internal/visitor"
)

// Customer support's bot first, hours and mail (issue #17; ARCHITECTURE
// "Bot first, hours and email"): leaving a message outside hours (a
// conversation with channel "email"), transcripts, a bot account's
// handover, and the FAQ bot's writes (the stream consumer in
// internal/supportbot calls PostSupportBotReply and HandOverFromBot).

// Transcript requests: at most TranscriptsPerHour per conversation.
const TranscriptsPerHour = 3

// MaxHandOverReason bounds handOverSupport's reason.
const MaxHandOverReason = 500

// TranscriptRequester records a transcript request where the stream sees
// it (dynamo.Store.RequestTranscript: the room's META; chattest keeps
// them in memory).
type TranscriptRequester interface {
	RequestTranscript(ctx context.Context, roomID, to, lang string) (int, error)
}

// LeaveSupportMessage: outside hours, or with nobody available, the
// visitor leaves a message and an address. It is a conversation like
// startSupport's, routed by topic, but with channel "email", never the
// bot, queued (auto-assigned when the team does and someone is
// available), the text its first message; agents' replies in it are
// mailed to the address (internal/supportmail, from the stream).
func (s *Chat) LeaveSupportMessage(ctx context.Context, c chat.Connection, r protocol.LeaveSupportMessageRequest) (protocol.SupportStartedEvent, error) {
	if err := chat.Authorize(chat.ActLeaveSupportMessage, chat.Access{Groups: c.Groups, UserID: c.UserID}); err != nil {
		return protocol.SupportStartedEvent{}, err
	}
	if !chat.IsVisitorID(c.UserID) {
		return protocol.SupportStartedEvent{}, chat.Errorf(chat.Forbidden, "only visitors may leave support messages")
	}
	ss, err := s.supportStore()
	if err != nil {
		return protocol.SupportStartedEvent{}, err
	}
	email, err := supportEmail(r.Email)
	if err != nil {
		return protocol.SupportStartedEvent{}, err
	}
	if email == "" {
		return protocol.SupportStartedEvent{}, chat.Errorf(chat.Invalid, "email is required: the answer comes by email")
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
	topic, page, text, err := supportOpening(r.Topic, r.Page, r.Lang, r.Text)
	if err != nil {
		return protocol.SupportStartedEvent{}, err
	}
	if text == "" {
		return protocol.SupportStartedEvent{}, chat.Errorf(chat.Invalid, "text is required")
	}
	clientID := r.ClientID
	if clientID == "" {
		clientID = "left-" + newID()
	} else if err := checkClientID(clientID); err != nil {
		return protocol.SupportStartedEvent{}, err
	}
	t, _, err := s.route(ctx, ss, c.WidgetID, topic)
	if err != nil {
		return protocol.SupportStartedEvent{}, err
	}
	now := s.clock()
	room := chat.Room{ID: chat.SupportIDPrefix + newID(), Kind: chat.KindSupport, Name: name, CreatedBy: c.UserID, CreatedAt: now}
	conv := chat.SupportConversation{
		RoomID: room.ID, WidgetID: c.WidgetID, Visitor: chat.SupportVisitor{ID: c.UserID, Name: name, Email: email},
		Topic: topic, TeamID: t.ID, State: chat.SupportQueued, Priority: chat.PriorityNormal, Page: page, Lang: r.Lang,
		Channel: chat.ChannelEmail, CreatedAt: now, QueuedAt: now,
	}
	member := chat.Member{RoomID: room.ID, UserID: c.UserID, Role: chat.RoleMember, JoinedAt: now}
	if err := ss.CreateSupportConversation(ctx, room, conv, member); err != nil {
		return protocol.SupportStartedEvent{}, storeErr(err, "leave a message")
	}
	if _, err := s.indexMember(ctx, room.ID, c.UserID); err != nil {
		return protocol.SupportStartedEvent{}, err
	}
	if _, err := s.SendMessage(ctx, c, protocol.SendMessageRequest{RoomID: room.ID, ClientID: clientID, Text: text}); err != nil {
		return protocol.SupportStartedEvent{}, err
	}
	if cur, err := ss.GetSupportConversation(ctx, room.ID); err == nil {
		conv = cur
	}
	room.Support, room.MemberCount = &conv, 1
	conv = s.autoAssign(ctx, ss, t, room, conv)
	s.pushConversation(ctx, ss, conv, c.ID)
	s.log.InfoContext(ctx, "support message left", slog.String("roomId", room.ID), slog.String("teamId", t.ID))
	return s.started(ctx, c, conv)
}

// RequestTranscript: the visitor asks for the conversation's transcript
// by email, to r.Email or the conversation's address. The request is
// recorded where the stream sees it and the mail goes from there
// (internal/supportmail): never internal notes.
func (s *Chat) RequestTranscript(ctx context.Context, c chat.Connection, r protocol.RequestTranscriptRequest) (protocol.TranscriptRequestedEvent, error) {
	email, err := supportEmail(r.Email)
	if err != nil {
		return protocol.TranscriptRequestedEvent{}, err
	}
	_, _, conv, err := s.convAccess(ctx, c, chat.ActRequestTranscript, r.RoomID)
	if err != nil {
		return protocol.TranscriptRequestedEvent{}, err
	}
	to := email
	if to == "" {
		to = conv.Visitor.Email
	}
	if to == "" {
		return protocol.TranscriptRequestedEvent{}, chat.Errorf(chat.Invalid, "email is required: this conversation has no address")
	}
	tr, ok := s.store.(TranscriptRequester)
	if !ok {
		return protocol.TranscriptRequestedEvent{}, chat.Errorf(chat.Invalid, "transcripts by email are not available here")
	}
	allowed, err := s.store.Allow(ctx, "transcript:"+conv.RoomID, TranscriptsPerHour, time.Hour)
	if err != nil {
		return protocol.TranscriptRequestedEvent{}, storeErr(err, "count transcripts")
	}
	if !allowed {
		return protocol.TranscriptRequestedEvent{}, chat.Errorf(chat.RateLimited, "at most %d transcripts of a conversation an hour", TranscriptsPerHour)
	}
	// The address of the request is kept only until its mail is sent
	// (the mailer removes it); the conversation's own is its visitor's.
	stored := email
	if strings.EqualFold(email, conv.Visitor.Email) {
		stored = ""
	}
	if _, err := tr.RequestTranscript(ctx, conv.RoomID, stored, conv.Lang); err != nil {
		return protocol.TranscriptRequestedEvent{}, storeErr(err, "request transcript")
	}
	return protocol.TranscriptRequestedEvent{Head: protocol.Head{Type: protocol.EventTranscriptRequested}, RoomID: conv.RoomID, Email: to}, nil
}

// HandOverSupport: a bot account answering a support conversation (the
// widget's first responder, added to the room) hands it to a person: the
// conversation joins its team's queue (auto-assigned when the team does),
// the reason is left for the agents as an internal note, and the bot
// leaves the room. A conversation no longer with the bot is answered as
// it is.
func (s *Chat) HandOverSupport(ctx context.Context, c chat.Connection, r protocol.HandOverSupportRequest) (protocol.SupportConversationEvent, error) {
	reason := strings.TrimSpace(r.Reason)
	if !utf8.ValidString(reason) || hasHidden(strings.ReplaceAll(reason, "\n", " ")) || utf8.RuneCountInString(reason) > MaxHandOverReason {
		return protocol.SupportConversationEvent{}, chat.Errorf(chat.Invalid, "reason must be at most %d plain characters", MaxHandOverReason)
	}
	ra, ss, conv, err := s.convAccess(ctx, c, chat.ActHandOverSupport, r.RoomID)
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	if conv.State != chat.SupportBot {
		return convEvent(c, conv), nil
	}
	if reason != "" {
		if _, _, err := s.supportNote(ctx, c, ra.room, "", "Handed over: "+reason, nil); err != nil {
			return protocol.SupportConversationEvent{}, err
		}
	}
	out, err := s.queueForPeople(ctx, ss, ra.room, conv)
	if err != nil {
		return protocol.SupportConversationEvent{}, err
	}
	if err := s.removeFromRoom(ctx, c, ra.room, c.UserID); err != nil {
		s.log.WarnContext(ctx, "handover: the bot stays in the room", slog.String("roomId", ra.room.ID), slog.Any("error", err))
	}
	s.pushConversation(ctx, ss, out, c.ID)
	return convEvent(c, out), nil
}

// SupportBotReply is one message of the built-in FAQ bot.
type SupportBotReply struct {
	RoomID, WidgetID string
	// ClientID makes a redelivered stream record post once.
	ClientID string
	Name     string // the widget's Bot.Name
	Text     string
}

// PostSupportBotReply stores the FAQ bot's reply as an integration
// message (sender "integration:<widgetId>", chat.IntegrationSupportBot)
// and pushes it, while the conversation is with the bot; otherwise it does
// nothing (an agent took over meanwhile).
func (s *Chat) PostSupportBotReply(ctx context.Context, r SupportBotReply) error {
	room, err := s.store.GetRoom(ctx, r.RoomID)
	if chat.ErrorCode(err) == chat.NotFound {
		return nil
	}
	if err != nil {
		return storeErr(err, "get room")
	}
	if room.Kind != chat.KindSupport || room.Support == nil || room.Support.State != chat.SupportBot {
		return nil
	}
	text, err := messageText(r.Text)
	if err != nil || text == "" {
		return chat.Errorf(chat.Invalid, "the bot's answer is empty or too long")
	}
	now := s.clock()
	sender := IntegrationSenderPrefix + r.WidgetID
	msg, created, err := s.store.AppendMessage(ctx, chat.Message{
		RoomID: r.RoomID, ClientID: r.ClientID, SenderID: sender, SenderName: r.Name,
		Integration: &chat.MessageIntegration{Kind: chat.IntegrationSupportBot, ID: r.WidgetID, Name: r.Name},
		Text:        text, CreatedAt: now, ExpiresAt: s.messageExpiry(ctx, room, now),
	})
	if err != nil {
		return storeErr(err, "store bot reply")
	}
	if created {
		s.publish(ctx, chat.MessageCreated{Actor: chat.Actor{UserID: sender}, Message: msg})
	}
	return nil
}

// HandOverFromBot moves a conversation from the FAQ bot to its team's
// queue (as requestHuman does); a conversation no longer with the bot is
// left as it is.
func (s *Chat) HandOverFromBot(ctx context.Context, roomID, reason string) error {
	ss, err := s.supportStore()
	if err != nil {
		return err
	}
	room, err := s.store.GetRoom(ctx, roomID)
	if chat.ErrorCode(err) == chat.NotFound {
		return nil
	}
	if err != nil {
		return storeErr(err, "get room")
	}
	if room.Support == nil || room.Support.State != chat.SupportBot {
		return nil
	}
	out, err := s.queueForPeople(ctx, ss, room, *room.Support)
	if chat.ErrorCode(err) == chat.Conflict {
		return nil // changed meanwhile (the visitor asked for a person): theirs wins
	}
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "support bot handed over", slog.String("roomId", roomID), slog.String("reason", reason))
	s.pushConversation(ctx, ss, out, "")
	return nil
}

// conversationExpiry is when a conversation item expires (its TTL): a
// closed conversation is kept for the workspace's retention after it was
// closed (support rooms have no retention of their own: setRoomRetention
// is not among their actions), like its last messages; an open one never
// expires, and reopening clears the expiry. Every conversation write goes
// through updateConv, which stamps it.
func (s *Chat) conversationExpiry(ctx context.Context, conv chat.SupportConversation) time.Time {
	if conv.State != chat.SupportClosed || conv.ClosedAt.IsZero() {
		return time.Time{}
	}
	return s.messageExpiry(ctx, chat.Room{}, conv.ClosedAt)
}

// reopenVisitor checks a reopen link's token (supportlink; the key derived
// from the visitor master, the same secret the mailer's is derived from)
// for widget widgetID: the visitor it names, with the name and address of
// the conversation it names, which must still be that visitor's (an
// erased visitor's is not). SessionExpired for a bad or expired link: the
// widget starts a fresh session.
func (s *Chat) reopenVisitor(ctx context.Context, k *visitor.Keys, widgetID, token string) (id, name, email string, err error) {
	expired := &chat.Error{Code: chat.SessionExpired, Message: "this link is not valid any more: start a new chat"}
	signer, err := supportlink.NewSignerWithKey(k.ReopenKey())
	if err != nil {
		return "", "", "", chat.Wrap(err, "reopen key")
	}
	g, err := signer.Verify(token, s.clock())
	if err != nil || g.WidgetID != widgetID || !chat.IsVisitorID(g.VisitorID) {
		return "", "", "", expired
	}
	ss, err := s.supportStore()
	if err != nil {
		return "", "", "", err
	}
	conv, err := ss.GetSupportConversation(ctx, g.RoomID)
	if chat.ErrorCode(err) == chat.NotFound || (err == nil && (conv.Visitor.ID != g.VisitorID || conv.Visitor.Name == chat.DeletedUserName)) {
		return "", "", "", expired
	}
	if err != nil {
		return "", "", "", storeErr(err, "get conversation")
	}
	return g.VisitorID, conv.Visitor.Name, conv.Visitor.Email, nil
}

// addBotAccount adds the widget's bot account (Bot.Kind "bot", Bot.BotID)
// to a new conversation's room, before the visitor's first message, so it
// hears the conversation like any room it is in (roomAdded, its
// connections indexed) and answers through the bot API; it hands over
// with handOverSupport. A failure leaves the conversation with no bot
// member (logged): the visitor can still ask for a person.
func (s *Chat) addBotAccount(ctx context.Context, room chat.Room, widgetID string) {
	ws, err := s.widgetStore()
	if err != nil || widgetID == "" {
		return
	}
	w, err := ws.GetWidget(ctx, widgetID)
	if err != nil || w.Bot.Kind != chat.WidgetBotBot || w.Bot.BotID == "" {
		return
	}
	m := chat.Member{RoomID: room.ID, UserID: w.Bot.BotID, Role: chat.RoleMember, JoinedAt: s.clock()}
	if err := s.store.AddMember(ctx, m); err != nil {
		s.log.WarnContext(ctx, "support: the bot account was not added", slog.String("roomId", room.ID), slog.String("botId", w.Bot.BotID), slog.Any("error", err))
		return
	}
	if err := s.welcome(ctx, room, m, s.profileOrStub(ctx, m.UserID), chat.Actor{UserID: room.CreatedBy}); err != nil {
		s.log.WarnContext(ctx, "support: the bot account's connections", slog.String("roomId", room.ID), slog.Any("error", err))
	}
}
