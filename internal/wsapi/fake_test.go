package wsapi

import (
	"context"
	"sync"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// fakeService records every call and answers with a minimal event of the
// right type, or with err when set.
type fakeService struct {
	mu    sync.Mutex
	calls []fakeCall
	// conns are the registered connections Connection returns.
	conns map[string]chat.Connection
	// err, when set, is returned by every method except Connection.
	err error
	// connErr, when set, is returned by Connection.
	connErr error
}

var _ ChatService = (*fakeService)(nil)

type fakeCall struct {
	method string
	conn   chat.Connection // the caller's connection (Connect: the new one)
	connID string          // Disconnect and Connection
	req    any
}

func newFakeService(conns ...chat.Connection) *fakeService {
	f := &fakeService{conns: map[string]chat.Connection{}}
	for _, c := range conns {
		f.conns[c.ID] = c
	}
	return f
}

func (f *fakeService) record(c fakeCall) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
}

func (f *fakeService) recorded() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCall(nil), f.calls...)
}

// answer records a call and returns ev (with its type set) or the error.
func answer[E any](f *fakeService, method string, c chat.Connection, req any, ev E) (E, error) {
	f.record(fakeCall{method: method, conn: c, req: req})
	if f.err != nil {
		var zero E
		return zero, f.err
	}
	return ev, nil
}

func head(eventType string) protocol.Head { return protocol.Head{Type: eventType} }

func (f *fakeService) Connect(_ context.Context, c chat.Connection) error {
	f.record(fakeCall{method: "Connect", conn: c})
	return f.err
}

func (f *fakeService) Disconnect(_ context.Context, id string) error {
	f.record(fakeCall{method: "Disconnect", connID: id})
	return f.err
}

func (f *fakeService) Connection(_ context.Context, id string) (chat.Connection, error) {
	f.record(fakeCall{method: "Connection", connID: id})
	if f.connErr != nil {
		return chat.Connection{}, f.connErr
	}
	c, ok := f.conns[id]
	if !ok {
		return chat.Connection{}, chat.Errorf(chat.NotFound, "connection %s not found", id)
	}
	return c, nil
}

func (f *fakeService) GetState(_ context.Context, c chat.Connection) (protocol.StateEvent, error) {
	return answer(f, "GetState", c, nil, protocol.StateEvent{Head: head(protocol.EventState), ConnectionID: c.ID})
}

func (f *fakeService) ListUsers(_ context.Context, c chat.Connection, r protocol.ListUsersRequest) (protocol.UsersEvent, error) {
	return answer(f, "ListUsers", c, r, protocol.UsersEvent{Head: head(protocol.EventUsers)})
}

func (f *fakeService) UpdateProfile(_ context.Context, c chat.Connection, r protocol.UpdateProfileRequest) (protocol.ProfileEvent, error) {
	return answer(f, "UpdateProfile", c, r, protocol.ProfileEvent{Head: head(protocol.EventProfile)})
}

func (f *fakeService) CreateChannel(_ context.Context, c chat.Connection, r protocol.CreateChannelRequest) (protocol.RoomEvent, error) {
	return answer(f, "CreateChannel", c, r, protocol.RoomEvent{Head: head(protocol.EventRoom)})
}

func (f *fakeService) ListChannels(_ context.Context, c chat.Connection, r protocol.ListChannelsRequest) (protocol.ChannelsEvent, error) {
	return answer(f, "ListChannels", c, r, protocol.ChannelsEvent{Head: head(protocol.EventChannels)})
}

func (f *fakeService) JoinChannel(_ context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.RoomEvent, error) {
	return answer(f, "JoinChannel", c, r, protocol.RoomEvent{Head: head(protocol.EventRoom)})
}

func (f *fakeService) LeaveChannel(_ context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.RoomRemovedEvent, error) {
	return answer(f, "LeaveChannel", c, r, protocol.RoomRemovedEvent{Head: head(protocol.EventRoomRemoved), RoomID: r.RoomID})
}

func (f *fakeService) InviteToChannel(_ context.Context, c chat.Connection, r protocol.InviteRequest) (protocol.MembersEvent, error) {
	return answer(f, "InviteToChannel", c, r, protocol.MembersEvent{Head: head(protocol.EventMembers), RoomID: r.RoomID})
}

func (f *fakeService) UpdateChannel(_ context.Context, c chat.Connection, r protocol.UpdateChannelRequest) (protocol.RoomEvent, error) {
	return answer(f, "UpdateChannel", c, r, protocol.RoomEvent{Head: head(protocol.EventRoom)})
}

func (f *fakeService) ListMembers(_ context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.MembersEvent, error) {
	return answer(f, "ListMembers", c, r, protocol.MembersEvent{Head: head(protocol.EventMembers), RoomID: r.RoomID})
}

func (f *fakeService) OpenDirect(_ context.Context, c chat.Connection, r protocol.OpenDirectRequest) (protocol.RoomEvent, error) {
	return answer(f, "OpenDirect", c, r, protocol.RoomEvent{Head: head(protocol.EventRoom)})
}

func (f *fakeService) SendMessage(_ context.Context, c chat.Connection, r protocol.SendMessageRequest) (protocol.AckEvent, error) {
	return answer(f, "SendMessage", c, r, protocol.AckEvent{Head: head(protocol.EventAck), ClientID: r.ClientID})
}

func (f *fakeService) EditMessage(_ context.Context, c chat.Connection, r protocol.EditMessageRequest) (protocol.MessageEvent, error) {
	return answer(f, "EditMessage", c, r, protocol.MessageEvent{Head: head(protocol.EventMessageUpdated)})
}

func (f *fakeService) DeleteMessage(_ context.Context, c chat.Connection, r protocol.MessageRef) (protocol.MessageEvent, error) {
	return answer(f, "DeleteMessage", c, r, protocol.MessageEvent{Head: head(protocol.EventMessageUpdated)})
}

func (f *fakeService) History(_ context.Context, c chat.Connection, r protocol.HistoryRequest) (protocol.HistoryEvent, error) {
	return answer(f, "History", c, r, protocol.HistoryEvent{Head: head(protocol.EventHistory), RoomID: r.RoomID})
}

func (f *fakeService) Resume(_ context.Context, c chat.Connection, r protocol.ResumeRequest) (protocol.MissedEvent, error) {
	return answer(f, "Resume", c, r, protocol.MissedEvent{Head: head(protocol.EventMissed)})
}

func (f *fakeService) Typing(_ context.Context, c chat.Connection, r protocol.TypingRequest) error {
	_, err := answer(f, "Typing", c, r, struct{}{})
	return err
}

func (f *fakeService) MarkRead(_ context.Context, c chat.Connection, r protocol.MessageRef) (protocol.ReadEvent, error) {
	return answer(f, "MarkRead", c, r, protocol.ReadEvent{Head: head(protocol.EventRead), RoomID: r.RoomID, Seq: r.Seq})
}

func (f *fakeService) RequestUpload(_ context.Context, c chat.Connection, r protocol.RequestUploadRequest) (protocol.UploadTicketEvent, error) {
	return answer(f, "RequestUpload", c, r, protocol.UploadTicketEvent{Head: head(protocol.EventUploadTicket), Method: "PUT"})
}

func (f *fakeService) RequestDownload(_ context.Context, c chat.Connection, r protocol.RequestDownloadRequest) (protocol.DownloadURLEvent, error) {
	return answer(f, "RequestDownload", c, r, protocol.DownloadURLEvent{Head: head(protocol.EventDownloadURL), Key: r.Key})
}

func (f *fakeService) RequestAvatarUpload(_ context.Context, c chat.Connection, r protocol.RequestAvatarUploadRequest) (protocol.UploadTicketEvent, error) {
	return answer(f, "RequestAvatarUpload", c, r, protocol.UploadTicketEvent{Head: head(protocol.EventUploadTicket), Method: "PUT"})
}

func (f *fakeService) RequestAvatarURL(_ context.Context, c chat.Connection, r protocol.RequestAvatarURLRequest) (protocol.AvatarURLEvent, error) {
	return answer(f, "RequestAvatarURL", c, r, protocol.AvatarURLEvent{Head: head(protocol.EventAvatarURL), UserID: r.UserID})
}
