package supportmail

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/digest"
	"github.com/backchannel-chat/backchannel/internal/supportlink"
)

// Conversation is what the mails need of a support conversation.
type Conversation struct {
	RoomID, WidgetID string
	VisitorID        string
	VisitorName      string
	VisitorEmail     string
	Channel          string // "chat" or "email"
	State            string
	Lang             string
	PageURL          string
	CreatedAt        time.Time
}

// ChannelEmail is the channel of a conversation that continues by email.
const ChannelEmail = "email"

// Widget is what the mails need of the conversation's widget.
type Widget struct {
	Name, Title, Color string
	AllowedOrigins     []string
}

// Source reads what the mails show.
type Source interface {
	// Conversation of roomID; ok false when it is not a support room.
	Conversation(ctx context.Context, roomID string) (c Conversation, ok bool, err error)
	Widget(ctx context.Context, widgetID string) (Widget, error)
	// Transcript is what the visitor sees of the conversation, oldest
	// first: no internal notes, no deleted messages.
	Transcript(ctx context.Context, roomID string) ([]chat.Message, error)
}

// Consumer is the stream consumer (chat.EventConsumer) of support's mail:
//   - a message an agent sent into a conversation with channel "email"
//     (the visitor left a message outside hours): mailed to the visitor,
//     with the link that reopens the chat;
//   - chat.SupportTranscriptRequested: the transcript mailed to the
//     address of the request.
//
// Delivery is at least once (a retried record mails again).
type Consumer struct {
	Source Source
	Mailer digest.Mailer
	Signer *supportlink.Signer
	// IsInternal tells an internal note (never mailed); nil: none is.
	IsInternal func(chat.Message) bool
	Clock      func() time.Time
	Logger     *slog.Logger
	// Forget, when set, removes a transcript request's address once its
	// mail is sent (dynamo.Store.ClearTranscriptAddress).
	Forget interface {
		ClearTranscriptAddress(ctx context.Context, roomID string, n int) error
	}
}

// Consume implements chat.EventConsumer.
func (c *Consumer) Consume(ctx context.Context, evs []chat.Event) error {
	for i, ev := range evs {
		var err error
		switch e := ev.(type) {
		case chat.MessageCreated:
			if c.agentReply(e.Message) {
				err = c.reply(ctx, e.Message)
			}
		case chat.SupportTranscriptRequested:
			err = c.transcript(ctx, e)
		}
		if err != nil {
			return &chat.PartialFailure{Index: i, Err: err}
		}
	}
	return nil
}

// agentReply: a person's message (not a visitor's, the bot's, a system
// line or an internal note).
func (c *Consumer) agentReply(m chat.Message) bool {
	if strings.HasPrefix(m.SenderID, "vis_") || m.System != nil || m.Integration != nil || m.Deleted ||
		strings.Contains(m.SenderID, ":") || (c.IsInternal != nil && c.IsInternal(m)) {
		return false
	}
	return strings.TrimSpace(m.Text) != "" || len(m.Attachments) > 0
}

func (c *Consumer) now() time.Time {
	if c.Clock == nil {
		return time.Now()
	}
	return c.Clock()
}

func (c *Consumer) common(ctx context.Context, conv Conversation, to string) (Common, Widget, error) {
	w, err := c.Source.Widget(ctx, conv.WidgetID)
	if err != nil {
		return Common{}, Widget{}, fmt.Errorf("supportmail: widget %s: %w", conv.WidgetID, err)
	}
	site := w.Title
	if site == "" {
		site = w.Name
	}
	return Common{To: to, Lang: conv.Lang, Site: site, Color: w.Color}, w, nil
}

func (c *Consumer) link(conv Conversation, w Widget) string {
	if c.Signer == nil {
		return ""
	}
	tok := c.Signer.Token(supportlink.Reopen{VisitorID: conv.VisitorID, RoomID: conv.RoomID, WidgetID: conv.WidgetID, Exp: c.now().Add(supportlink.ReopenTTL).Unix()})
	return supportlink.ReopenLink(conv.PageURL, w.AllowedOrigins, tok)
}

func (c *Consumer) reply(ctx context.Context, m chat.Message) error {
	conv, ok, err := c.Source.Conversation(ctx, m.RoomID)
	if err != nil {
		return fmt.Errorf("supportmail: conversation %s: %w", m.RoomID, err)
	}
	if !ok || conv.Channel != ChannelEmail || conv.VisitorEmail == "" {
		return nil
	}
	cm, w, err := c.common(ctx, conv, conv.VisitorEmail)
	if err != nil {
		return err
	}
	mail, err := ReplyMail(cm, m.SenderName, []Line{lineOf(m, conv.Lang)}, c.link(conv, w))
	if err != nil {
		return err
	}
	if err := c.Mailer.Send(ctx, mail); err != nil {
		return fmt.Errorf("supportmail: send reply in %s: %w", m.RoomID, err)
	}
	c.log().LogAttrs(ctx, slog.LevelInfo, "support reply mailed", slog.String("roomId", m.RoomID), slog.Int64("seq", m.Seq))
	return nil
}

func lineOf(m chat.Message, lang string) Line {
	text := m.Text
	if len(m.Attachments) > 0 {
		text = strings.TrimSpace(text + " " + FileLabel(lang))
	}
	return Line{Sender: m.SenderName, At: m.CreatedAt, Text: text}
}

func (c *Consumer) transcript(ctx context.Context, e chat.SupportTranscriptRequested) error {
	conv, ok, err := c.Source.Conversation(ctx, e.RoomID)
	if err != nil {
		return fmt.Errorf("supportmail: conversation %s: %w", e.RoomID, err)
	}
	to := e.To
	if to == "" {
		to = conv.VisitorEmail
	}
	if !ok || to == "" {
		return nil // gone meanwhile, or no address: nothing to send
	}
	if e.Lang != "" {
		conv.Lang = e.Lang
	}
	msgs, err := c.Source.Transcript(ctx, e.RoomID)
	if err != nil {
		return fmt.Errorf("supportmail: transcript %s: %w", e.RoomID, err)
	}
	var lines []Line
	for _, m := range msgs {
		if m.Deleted || m.System != nil || (c.IsInternal != nil && c.IsInternal(m)) {
			continue
		}
		l := lineOf(m, conv.Lang)
		if m.SenderID == conv.VisitorID {
			l.Sender = VisitorLabel(conv.Lang)
		}
		lines = append(lines, l)
	}
	cm, w, err := c.common(ctx, conv, to)
	if err != nil {
		return err
	}
	mail, err := TranscriptMail(cm, conv.CreatedAt, lines, c.link(conv, w))
	if err != nil {
		return err
	}
	if err := c.Mailer.Send(ctx, mail); err != nil {
		return fmt.Errorf("supportmail: send transcript of %s: %w", e.RoomID, err)
	}
	if c.Forget != nil && e.To != "" {
		if err := c.Forget.ClearTranscriptAddress(ctx, e.RoomID, e.N); err != nil {
			return fmt.Errorf("supportmail: forget the address of %s: %w", e.RoomID, err)
		}
	}
	c.log().LogAttrs(ctx, slog.LevelInfo, "support transcript mailed", slog.String("roomId", e.RoomID), slog.Int("lines", len(lines)))
	return nil
}

func (c *Consumer) log() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}
