package supportbot

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// VisitorPrefix starts every visitor's user id (chat.GroupVisitors;
// "vis_" + 26 base32 characters). Only visitors write as "vis_…", and
// only into support rooms: the responder looks nothing up for any other
// sender.
const VisitorPrefix = "vis_"

// Conversation is what the responder needs of a support conversation.
type Conversation struct {
	RoomID, WidgetID, VisitorID string
	State                       string // "bot", "queued", "open", "closed"
	Lang                        string
}

// StateBot is the state in which the bot answers.
const StateBot = "bot"

// Bot is a widget's first responder (chat.Widget.Bot).
type Bot struct {
	Kind      string // "" (none), "faq" (this package), "bot" (a #16 bot account)
	Name      string
	FAQ       []Entry
	Threshold float64
}

// KindFAQ is the built-in FAQ matcher's Bot.Kind.
const KindFAQ = "faq"

// Source reads conversations and widgets.
type Source interface {
	// Conversation is the support conversation of roomID; ok false when
	// the room is not a support room (or is gone).
	Conversation(ctx context.Context, roomID string) (c Conversation, ok bool, err error)
	Bot(ctx context.Context, widgetID string) (Bot, error)
}

// Reply is one message the bot posts.
type Reply struct {
	RoomID   string
	WidgetID string // the bot's: its messages are "integration:<widgetId>"
	// ClientID is derived from the visitor's message (sbot-<seq>): a
	// record delivered twice posts once (the store's idempotency).
	ClientID string
	BotName  string
	Text     string
	EntryID  string // the FAQ entry answered ("" for a handover line)
}

// Actions post as the bot and hand over (the support service).
type Actions interface {
	// PostBotReply stores r as an integration message named r.BotName
	// (chat.MessageIntegration) and pushes it.
	PostBotReply(ctx context.Context, r Reply) error
	// HandOver moves the conversation from "bot" to "queued" (routing
	// and auto-assignment as for requestHuman); a conversation no longer
	// in "bot" is left as it is.
	HandOver(ctx context.Context, roomID, reason string) error
}

// Responder is the stream consumer (chat.EventConsumer) of the FAQ bot:
// for each message a visitor sent into a support conversation in state
// "bot" whose widget's bot is the FAQ matcher, it posts the answer, or
// the handover line and hands over. Everything else passes by.
type Responder struct {
	Source  Source
	Actions Actions
	Logger  *slog.Logger
}

// Consume implements chat.EventConsumer. A failure is a
// chat.PartialFailure at the event whose reply failed: the stream
// retries from its record, and the client ids make the retry post once.
func (r *Responder) Consume(ctx context.Context, evs []chat.Event) error {
	matchers := map[string]*Matcher{}
	bots := map[string]Bot{}
	for i, ev := range evs {
		mc, ok := ev.(chat.MessageCreated)
		if !ok || !fromVisitor(mc.Message) {
			continue
		}
		if err := r.answer(ctx, mc.Message, matchers, bots); err != nil {
			return &chat.PartialFailure{Index: i, Err: fmt.Errorf("supportbot: room %s seq %d: %w", mc.Message.RoomID, mc.Message.Seq, err)}
		}
	}
	return nil
}

func fromVisitor(m chat.Message) bool {
	return strings.HasPrefix(m.SenderID, VisitorPrefix) && m.System == nil && m.Integration == nil && !m.Deleted && m.ParentSeq == 0
}

func (r *Responder) answer(ctx context.Context, m chat.Message, matchers map[string]*Matcher, bots map[string]Bot) error {
	conv, ok, err := r.Source.Conversation(ctx, m.RoomID)
	if err != nil {
		return err
	}
	if !ok || conv.State != StateBot || conv.VisitorID != m.SenderID {
		return nil
	}
	bot, seen := bots[conv.WidgetID]
	if !seen {
		if bot, err = r.Source.Bot(ctx, conv.WidgetID); err != nil {
			return err
		}
		bots[conv.WidgetID] = bot
	}
	if bot.Kind != KindFAQ {
		return nil // no bot, or a bot account that answers through the API
	}
	mt := matchers[conv.WidgetID]
	if mt == nil {
		mt = New(bot.FAQ, bot.Threshold)
		matchers[conv.WidgetID] = mt
	}
	d := mt.Reply(m.Text, conv.Lang)
	name := strings.TrimSpace(bot.Name)
	if name == "" {
		name = "Bot"
	}
	reply := Reply{RoomID: m.RoomID, WidgetID: conv.WidgetID, ClientID: "sbot-" + strconv.FormatInt(m.Seq, 10), BotName: name, Text: d.Text, EntryID: d.EntryID}
	if err := r.Actions.PostBotReply(ctx, reply); err != nil {
		return fmt.Errorf("post: %w", err)
	}
	r.log().LogAttrs(ctx, slog.LevelInfo, "support bot replied", slog.String("roomId", m.RoomID),
		slog.String("kind", string(d.Kind)), slog.String("entry", d.EntryID), slog.String("reason", string(d.Reason)),
		slog.Float64("score", d.Score))
	if d.Kind == HandOver {
		if err := r.Actions.HandOver(ctx, m.RoomID, string(d.Reason)); err != nil {
			return fmt.Errorf("hand over: %w", err)
		}
	}
	return nil
}

func (r *Responder) log() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}
