// Package supportbotapp wires customer support's FAQ bot
// (functions/supportbot): an EventBridge rule on the chat bus's
// message.created events of visitors invokes it; it answers through the
// chat service over DynamoDB and the management API (chatapp), so the
// visitor gets the answer pushed. No files, no Cognito.
package supportbotapp

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/service"
	"github.com/backchannel-chat/backchannel/internal/supportbot"
)

// Build wires the bot from cfg (TABLE_NAME, WS_CALLBACK_URL, LOG_LEVEL,
// RETENTION_DAYS: the connection function's).
func Build(ctx context.Context, cfg app.ConnectionConfig, opts ...chatapp.Option) (*supportbot.BusHandler, error) {
	core, err := chatapp.Build(ctx, cfg, opts...)
	if err != nil {
		return nil, err
	}
	return New(core.Store, core.Service, core), nil
}

// New is the bot over a store and the service.
func New(store *dynamo.Store, svc *service.Chat, core *chatapp.Core) *supportbot.BusHandler {
	r := &supportbot.Responder{Source: Source{Store: store}, Actions: Actions{Service: svc}}
	if core != nil {
		r.Logger = core.Logger
	}
	return &supportbot.BusHandler{Responder: r, Messages: store}
}

// Source reads conversations and widgets' bots from the table.
type Source struct {
	Store interface {
		GetSupportConversation(ctx context.Context, roomID string) (chat.SupportConversation, error)
		GetWidget(ctx context.Context, id string) (chat.Widget, error)
	}
}

func (s Source) Conversation(ctx context.Context, roomID string) (supportbot.Conversation, bool, error) {
	c, err := s.Store.GetSupportConversation(ctx, roomID)
	if chat.ErrorCode(err) == chat.NotFound {
		return supportbot.Conversation{}, false, nil
	}
	if err != nil {
		return supportbot.Conversation{}, false, err
	}
	return supportbot.Conversation{RoomID: c.RoomID, WidgetID: c.WidgetID, VisitorID: c.Visitor.ID, State: c.State, Lang: c.Lang}, true, nil
}

func (s Source) Bot(ctx context.Context, widgetID string) (supportbot.Bot, error) {
	w, err := s.Store.GetWidget(ctx, widgetID)
	if chat.ErrorCode(err) == chat.NotFound {
		return supportbot.Bot{}, nil // deleted: no bot
	}
	if err != nil {
		return supportbot.Bot{}, err
	}
	b := supportbot.Bot{Kind: w.Bot.Kind, Name: w.Bot.Name, Threshold: w.Bot.Threshold}
	for _, f := range w.Bot.FAQ {
		b.FAQ = append(b.FAQ, supportbot.Entry{ID: f.ID, Questions: f.Questions, Answer: f.Answer})
	}
	return b, nil
}

// Actions posts and hands over through the service.
type Actions struct{ Service *service.Chat }

func (a Actions) PostBotReply(ctx context.Context, r supportbot.Reply) error {
	return a.Service.PostSupportBotReply(ctx, service.SupportBotReply{RoomID: r.RoomID, WidgetID: r.WidgetID, ClientID: r.ClientID, Name: r.BotName, Text: r.Text})
}

func (a Actions) HandOver(ctx context.Context, roomID, reason string) error {
	return a.Service.HandOverFromBot(ctx, roomID, reason)
}
