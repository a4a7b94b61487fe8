package wsapi

import (
	"context"
	"reflect"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// route runs one action for a registered connection and returns the reply
// event (a pointer to a struct embedding protocol.Head), or nil for no reply.
type route func(ctx context.Context, s ChatService, c chat.Connection, body []byte) (any, error)

// routes maps every action except ping (answered before the store is
// touched) to the service method that runs it.
var routes = map[string]route{
	protocol.ActionGetState:            withoutRequest(ChatService.GetState),
	protocol.ActionListUsers:           withRequest(ChatService.ListUsers),
	protocol.ActionUpdateProfile:       withRequest(ChatService.UpdateProfile),
	protocol.ActionCreateChannel:       withRequest(ChatService.CreateChannel),
	protocol.ActionListChannels:        withRequest(ChatService.ListChannels),
	protocol.ActionJoinChannel:         withRequest(ChatService.JoinChannel),
	protocol.ActionLeaveChannel:        withRequest(ChatService.LeaveChannel),
	protocol.ActionInviteToChannel:     withRequest(ChatService.InviteToChannel),
	protocol.ActionUpdateChannel:       withRequest(ChatService.UpdateChannel),
	protocol.ActionListMembers:         withRequest(ChatService.ListMembers),
	protocol.ActionOpenDirect:          withRequest(ChatService.OpenDirect),
	protocol.ActionSendMessage:         withRequest(ChatService.SendMessage),
	protocol.ActionEditMessage:         withRequest(ChatService.EditMessage),
	protocol.ActionDeleteMessage:       withRequest(ChatService.DeleteMessage),
	protocol.ActionHistory:             withRequest(ChatService.History),
	protocol.ActionResume:              withRequest(ChatService.Resume),
	protocol.ActionTyping:              withoutReply(ChatService.Typing),
	protocol.ActionMarkRead:            withRequest(ChatService.MarkRead),
	protocol.ActionRequestUpload:       withRequest(ChatService.RequestUpload),
	protocol.ActionRequestDownload:     withRequest(ChatService.RequestDownload),
	protocol.ActionRequestAvatarUpload: withRequest(ChatService.RequestAvatarUpload),
	protocol.ActionRequestAvatarURL:    withRequest(ChatService.RequestAvatarURL),
}

// withRequest adapts a service method that takes a request struct decoded
// from the frame and returns the reply event.
func withRequest[Req, Event any](call func(ChatService, context.Context, chat.Connection, Req) (Event, error)) route {
	return func(ctx context.Context, s ChatService, c chat.Connection, body []byte) (any, error) {
		var r Req
		if err := decodeRequest(body, &r); err != nil {
			return nil, err
		}
		ev, err := call(s, ctx, c, r)
		if err != nil {
			return nil, err
		}
		return &ev, nil
	}
}

// withoutRequest adapts a service method that needs no request fields.
func withoutRequest[Event any](call func(ChatService, context.Context, chat.Connection) (Event, error)) route {
	return func(ctx context.Context, s ChatService, c chat.Connection, _ []byte) (any, error) {
		ev, err := call(s, ctx, c)
		if err != nil {
			return nil, err
		}
		return &ev, nil
	}
}

// withoutReply adapts a fire-and-forget service method: success sends
// nothing back.
func withoutReply[Req any](call func(ChatService, context.Context, chat.Connection, Req) error) route {
	return func(ctx context.Context, s ChatService, c chat.Connection, body []byte) (any, error) {
		var r Req
		if err := decodeRequest(body, &r); err != nil {
			return nil, err
		}
		return nil, call(s, ctx, c, r)
	}
}

var headType = reflect.TypeFor[protocol.Head]()

// setRequestID stamps the client's request id on a reply event. Every event
// type embeds protocol.Head, which has no methods, hence reflection; the
// route table's tests cover every event type.
func setRequestID(ev any, requestID string) {
	v := reflect.ValueOf(ev)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return
	}
	head := v.Elem().FieldByName("Head")
	if head.IsValid() && head.Type() == headType {
		head.Addr().Interface().(*protocol.Head).RequestID = requestID
	}
}
