package service

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// SendMessage stores a message from the caller and delivers it to the
// room's live connections, except the sending connection (which gets the
// ack; the sender's other connections do get the message). A retry with the
// same clientId stores and broadcasts nothing and acks the first message
// with Duplicate set. Sender and time come from the server, never the
// payload; so do the attachments' names, sizes, types and dimensions,
// checked against the stored files (verifyAttachments).
func (s *Chat) SendMessage(ctx context.Context, c chat.Connection, r protocol.SendMessageRequest) (protocol.AckEvent, error) {
	if err := checkRoomID(r.RoomID); err != nil {
		return protocol.AckEvent{}, err
	}
	if err := checkClientID(r.ClientID); err != nil {
		return protocol.AckEvent{}, err
	}
	text, err := messageText(r.Text)
	if err != nil {
		return protocol.AckEvent{}, err
	}
	if err := checkAttachments(r.Attachments); err != nil {
		return protocol.AckEvent{}, err
	}
	if err := s.checkGif(r.Gif); err != nil {
		return protocol.AckEvent{}, err
	}
	if err := checkEncryptedContent(r.Encrypted); err != nil { // e2ee_rooms.go
		return protocol.AckEvent{}, err
	}
	if text == "" && len(r.Attachments) == 0 && r.Gif == nil && r.Encrypted == nil {
		return protocol.AckEvent{}, chat.Errorf(chat.Invalid, "message is empty")
	}
	if err := checkReplyTo(r); err != nil {
		return protocol.AckEvent{}, err
	}
	// The reads that do not depend on each other run at once, and at once
	// with the rate-limit charge when the dispatcher overlaps it (admitted):
	// membership, the sender's profile (their current display name) and
	// the mentions' candidates. Nothing is written before all have
	// answered, and the errors keep their precedence: rate limit,
	// authorization, then the rest.
	var (
		wg                  sync.WaitGroup
		authErr, mentionErr error
		mentions            []string
		sender              chat.Profile
		parent              chat.Message // a reply's (threads.go)
		parentErr           error
		ra                  roomAccess // the room (read for the send: writes) carries its retention
	)
	wg.Go(func() {
		ra, authErr = s.authorize(ctx, c, chat.ActSendMessage, r.RoomID, true)
	})
	if r.ParentSeq > 0 {
		wg.Go(func() { parent, parentErr = s.threadParent(ctx, r.RoomID, r.ParentSeq) })
	}
	wg.Go(func() { sender = s.profileOrStub(ctx, c.UserID) })
	wg.Go(func() { mentions, mentionErr = s.mentionsIn(ctx, r.RoomID, text) })
	admitErr := admitted(ctx)
	wg.Wait()
	if err := firstErr(admitErr, authErr); err != nil {
		return protocol.AckEvent{}, err
	}
	// An encrypted room takes ciphertext only, of its current epoch, and
	// a plain room none (e2ee_rooms.go).
	if err := checkEncryptedSend(ra.room, text, r.Gif, r.Encrypted); err != nil {
		return protocol.AckEvent{}, err
	}
	atts, err := s.verifyAttachments(ctx, c, r.RoomID, r.Attachments)
	if err != nil {
		return protocol.AckEvent{}, err
	}
	if err := firstErr(parentErr, mentionErr); err != nil {
		return protocol.AckEvent{}, err
	}
	if ra.room.Encrypted {
		if err := checkEncryptedAttachments(atts); err != nil {
			return protocol.AckEvent{}, err
		}
		if mentions, err = s.explicitMentions(ctx, r.RoomID, c.UserID, r.Mentions); err != nil {
			return protocol.AckEvent{}, err
		}
	}
	if sender.DisplayName == "" {
		sender.DisplayName = c.DisplayName
	}
	// The review hook sees the message as it would be stored, before
	// anything is written (review.go); a rewrite's mentions are its own.
	if s.hook != nil && !ra.room.Encrypted { // nothing to review in ciphertext
		reviewed, err := s.review(ctx, chat.ReviewRequest{Kind: chat.ReviewSend, RoomID: r.RoomID, ParentSeq: r.ParentSeq, ClientID: r.ClientID,
			SenderID: c.UserID, SenderName: sender.DisplayName, Text: text, Attachments: attachmentNames(atts), HasGif: r.Gif != nil,
			Scheduled: strings.HasPrefix(c.ID, scheduledConnPrefix)}, len(atts) > 0 || r.Gif != nil)
		if err != nil {
			return protocol.AckEvent{}, err
		}
		if reviewed != text {
			text = reviewed
			if mentions, err = s.mentionsIn(ctx, r.RoomID, text); err != nil {
				return protocol.AckEvent{}, err
			}
		}
	}
	if err := s.keepFiles(ctx, atts); err != nil { // retention.go: no longer a pending upload
		return protocol.AckEvent{}, err
	}
	// The fan-out reads the room's connections only after the message is
	// stored (in publish), never while the write is in flight: a
	// connection registered after that read then finds the message by the
	// resume it sends after connecting, one registered before gets it live.
	// Read while the write was in flight, a connection registered in
	// between got neither (issue 21's large load test lost deliveries so).
	// A reply's followers are written beside the append (threads.go).
	follows := s.followOnReply(ctx, c, parent, mentions)
	now := s.clock()
	msg, created, err := s.store.AppendMessage(ctx, chat.Message{
		RoomID: r.RoomID, ClientID: r.ClientID,
		SenderID: c.UserID, SenderName: sender.DisplayName,
		Text: text, Mentions: mentions, Attachments: atts, Gif: gifOf(r.Gif), Encrypted: r.Encrypted,
		CreatedAt: now, ExpiresAt: s.messageExpiry(ctx, ra.room, now),
		ParentSeq: r.ParentSeq, ToRoom: r.ToRoom,
	})
	follows()
	if err != nil {
		return protocol.AckEvent{}, storeErr(err, "store message")
	}
	ack := protocol.AckEvent{Head: protocol.Head{Type: protocol.EventAck}, ClientID: r.ClientID, Message: msg}
	if !created {
		ack.Duplicate = true
		s.log.DebugContext(ctx, "duplicate send", slog.String("roomId", msg.RoomID), slog.Int64("seq", msg.Seq))
		return ack, nil
	}
	if msg.ParentSeq > 0 {
		// The parent's summary is stored before either is told, so both
		// pushes share one read of the room's connections (threads.go).
		var thread *chat.ThreadUpdated
		ctx, thread = s.threadReplied(ctx, c, parent, msg)
		if thread != nil {
			ack.Parent, ack.ParentChg = &thread.Parent, thread.Chg
			defer s.publish(ctx, *thread)
		}
	}
	// Delivered is what the subscribers report: the WebSocket push's count.
	ack.Delivered = s.publish(ctx, chat.MessageCreated{Actor: chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, Message: msg})
	if ra.room.Support != nil {
		s.supportMessageSent(ctx, *ra.room.Support, msg) // support_conv.go
	}
	s.log.DebugContext(ctx, "message sent", slog.String("roomId", msg.RoomID), slog.Int64("seq", msg.Seq),
		slog.Int("bytes", len(msg.Text)), slog.Int("mentions", len(mentions)), slog.Int("delivered", ack.Delivered))
	return ack, nil
}

// EditMessage replaces the text of one of the caller's own messages.
func (s *Chat) EditMessage(ctx context.Context, c chat.Connection, r protocol.EditMessageRequest) (protocol.MessageEvent, error) {
	text, err := messageText(r.Text)
	if err != nil {
		return protocol.MessageEvent{}, err
	}
	if err := checkEncryptedContent(r.Encrypted); err != nil { // e2ee_rooms.go
		return protocol.MessageEvent{}, err
	}
	msg, ra, err := s.ownMessageIn(ctx, c, r.RoomID, r.Seq, chat.ActEditMessage, true)
	if err != nil {
		return protocol.MessageEvent{}, err
	}
	if msg.Deleted {
		return protocol.MessageEvent{}, errMessageDeleted()
	}
	if msg.Poll != nil {
		return protocol.MessageEvent{}, errPollNotEditable()
	}
	if err := checkEncryptedSend(ra.room, text, nil, r.Encrypted); err != nil {
		return protocol.MessageEvent{}, err
	}
	if ra.room.Encrypted {
		// The new ciphertext replaces the old, which is kept as a version;
		// the mentions stay those of the send (the server cannot read).
		prev := chat.MessageVersion{Encrypted: msg.Encrypted, At: msg.CreatedAt, ExpiresAt: msg.ExpiresAt}
		if !msg.EditedAt.IsZero() {
			prev.At = msg.EditedAt
		}
		msg.Encrypted, msg.EditedAt = r.Encrypted, s.clock()
		return s.storeEdit(ctx, c, msg, prev)
	}
	if text == "" && len(msg.Attachments) == 0 && msg.Gif == nil {
		return protocol.MessageEvent{}, chat.Errorf(chat.Invalid, "message is empty: delete it instead")
	}
	if s.hook != nil && text != msg.Text {
		text, err = s.review(ctx, chat.ReviewRequest{Kind: chat.ReviewEdit, RoomID: msg.RoomID, Seq: msg.Seq, ParentSeq: msg.ParentSeq,
			SenderID: c.UserID, SenderName: msg.SenderName, Text: text, Attachments: attachmentNames(msg.Attachments), HasGif: msg.Gif != nil},
			len(msg.Attachments) > 0 || msg.Gif != nil)
		if err != nil {
			return protocol.MessageEvent{}, err
		}
	}
	mentions, err := s.mentionsIn(ctx, msg.RoomID, text)
	if err != nil {
		return protocol.MessageEvent{}, err
	}
	// The earlier text is kept as a version, since when it was the text.
	prev := chat.MessageVersion{Text: msg.Text, At: msg.CreatedAt, ExpiresAt: msg.ExpiresAt}
	if !msg.EditedAt.IsZero() {
		prev.At = msg.EditedAt
	}
	msg.Text, msg.Mentions, msg.EditedAt = text, mentions, s.clock()
	return s.storeEdit(ctx, c, msg, prev)
}

// storeEdit stores an edited message and keeps prev as its earlier
// version.
func (s *Chat) storeEdit(ctx context.Context, c chat.Connection, msg chat.Message, prev chat.MessageVersion) (protocol.MessageEvent, error) {
	ev, err := s.replace(ctx, c, msg, nil)
	if chat.ErrorCode(err) == chat.Conflict {
		// Deleted since we read it: the store keeps tombstones final.
		return protocol.MessageEvent{}, errMessageDeleted()
	}
	if err != nil {
		return ev, err
	}
	if err := s.store.PutVersion(ctx, msg.RoomID, msg.Seq, prev); err != nil {
		// The edit is stored and told; only its history misses a version.
		s.log.WarnContext(ctx, "keep earlier version", slog.String("roomId", msg.RoomID), slog.Int64("seq", msg.Seq), slog.Any("error", err))
	}
	return ev, nil
}

// errMessageDeleted answers an edit of a tombstone, whether the delete came
// before the edit read the message or raced it.
func errMessageDeleted() error {
	return chat.Errorf(chat.Conflict, "message was deleted")
}

// DeleteMessage turns a message into a tombstone: it keeps its place (seq)
// but loses its text, mentions and attachments; DeletedBy records who
// removed it. Authors delete their own messages; owners, moderators and
// admins anyone's (audited). Its files leave the bucket through the stream
// (MessageDeleted.Files). Deleting a tombstone again answers it unchanged.
func (s *Chat) DeleteMessage(ctx context.Context, c chat.Connection, r protocol.MessageRef) (protocol.MessageEvent, error) {
	msg, err := s.ownMessage(ctx, c, r.RoomID, r.Seq, chat.ActDeleteMessage)
	if err != nil {
		return protocol.MessageEvent{}, err
	}
	if msg.Deleted {
		return protocol.MessageEvent{Head: protocol.Head{Type: protocol.EventMessageUpdated}, Message: msg}, nil
	}
	files := chat.AttachmentKeys(msg.Attachments)
	if msg.PinnedBy != "" {
		// A deleted message leaves the room's pinned list.
		if _, err := s.store.SetPinned(ctx, msg.RoomID, msg.Seq, "", time.Time{}, false); err != nil && chat.ErrorCode(err) != chat.NotFound {
			return protocol.MessageEvent{}, storeErr(err, "unpin message")
		}
	}
	msg.Text, msg.Mentions, msg.Attachments, msg.Gif, msg.Encrypted = "", nil, nil, nil, nil
	msg.Reactions, msg.PinnedBy, msg.PinnedAt, msg.Poll = nil, "", time.Time{}, nil
	msg.Previews, msg.PreviewsRemoved = nil, nil // the store drops them too; the tombstone must not carry them
	msg.Deleted, msg.EditedAt, msg.DeletedBy = true, s.clock(), c.UserID
	ev, err := s.replace(ctx, c, msg, files)
	if err == nil && msg.SenderID != c.UserID {
		s.audit(ctx, c, chat.ActDeleteMessage, msg.RoomID, msg.SenderID, msg.Seq, "", "")
	}
	if err == nil && msg.ParentSeq > 0 {
		s.threadReplyDeleted(ctx, c, msg)
	}
	if err == nil {
		// Deleting removes every earlier version too.
		if err := s.store.DeleteVersions(ctx, msg.RoomID, msg.Seq); err != nil {
			s.log.WarnContext(ctx, "delete earlier versions", slog.String("roomId", msg.RoomID), slog.Int64("seq", msg.Seq), slog.Any("error", err))
		}
	}
	if chat.ErrorCode(err) != chat.Conflict {
		return ev, err
	}
	// A concurrent delete won and told the room: answer its tombstone, as
	// for a repeated delete.
	stored, err := s.store.GetMessage(ctx, msg.RoomID, msg.Seq)
	if err != nil {
		return protocol.MessageEvent{}, storeErr(err, "get message")
	}
	return protocol.MessageEvent{Head: protocol.Head{Type: protocol.EventMessageUpdated}, Message: stored}, nil
}

// ownMessage loads a message of a room for a message action, asking the
// policy about the room first and about the message (its author) once
// loaded.
func (s *Chat) ownMessage(ctx context.Context, c chat.Connection, roomID string, seq int64, action chat.Action) (chat.Message, error) {
	msg, _, err := s.ownMessageIn(ctx, c, roomID, seq, action, false)
	return msg, err
}

// ownMessageIn is ownMessage that also answers the room access (with the
// room read when needRoom: an edit in an encrypted room checks its epoch).
func (s *Chat) ownMessageIn(ctx context.Context, c chat.Connection, roomID string, seq int64, action chat.Action, needRoom bool) (chat.Message, roomAccess, error) {
	ra, err := s.authorize(ctx, c, action, roomID, needRoom)
	if err != nil {
		return chat.Message{}, ra, err
	}
	if seq <= 0 {
		return chat.Message{}, ra, chat.Errorf(chat.Invalid, "seq must be positive")
	}
	msg, err := s.store.GetMessage(ctx, roomID, seq)
	if chat.ErrorCode(err) == chat.NotFound || (err == nil && msg.Internal && c.IsVisitor()) {
		// An internal note is, to a visitor, no message at all (issue 17).
		return chat.Message{}, ra, chat.Errorf(chat.NotFound, "message not found")
	}
	if err != nil {
		return chat.Message{}, ra, storeErr(err, "get message")
	}
	if err := authorizeMessage(c, action, ra, msg); err != nil {
		return chat.Message{}, ra, err
	}
	if msg.System != nil {
		return chat.Message{}, ra, chat.Errorf(chat.Invalid, "a system line cannot be edited or deleted")
	}
	return msg, ra, nil
}

// replace stores an edited or deleted message and publishes MessageEdited
// or MessageDeleted (a tombstone). It is not atomic with the read before
// it, but the store refuses (Conflict) to replace a tombstone, so an edit
// racing a delete cannot bring the text back; callers turn that Conflict
// into their answer.
//
// The change is numbered in the room's change log first (RecordChange),
// so that resume replays it: logged before it is stored, a change that
// then fails costs a replay of the message as it is, never a missed one.
func (s *Chat) replace(ctx context.Context, c chat.Connection, msg chat.Message, files []string) (protocol.MessageEvent, error) {
	chg, err := s.store.RecordChange(ctx, msg.RoomID, msg.Seq)
	if err != nil {
		return protocol.MessageEvent{}, storeErr(err, "record change")
	}
	if err := s.store.ReplaceMessage(ctx, msg); err != nil {
		return protocol.MessageEvent{}, storeErr(err, "update message")
	}
	actor := chat.Actor{UserID: c.UserID, ConnectionID: c.ID}
	if msg.Deleted {
		s.publish(ctx, chat.MessageDeleted{Actor: actor, Message: msg, Files: files, Chg: chg})
	} else {
		s.publish(ctx, chat.MessageEdited{Actor: actor, Message: msg, Chg: chg})
	}
	return protocol.MessageEvent{Head: protocol.Head{Type: protocol.EventMessageUpdated}, Message: msg, Chg: chg}, nil
}
