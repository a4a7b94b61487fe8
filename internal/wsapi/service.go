// Package wsapi holds the WebSocket Lambda handlers: the connection handler
// ($connect, $disconnect) and the action handler (every action route and
// $default). Each handler only parses the API Gateway event, calls the chat
// service and maps its error to a reply; the rules live in the service.
package wsapi

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// ChatService is what the handlers need of the chat use cases
// (service.Chat implements it); tests substitute a fake.
type ChatService interface {
	Connect(ctx context.Context, c chat.Connection) error
	Disconnect(ctx context.Context, connectionID string) error
	Connection(ctx context.Context, connectionID string) (chat.Connection, error)

	GetState(ctx context.Context, c chat.Connection) (protocol.StateEvent, error)
	ListUsers(ctx context.Context, c chat.Connection, r protocol.ListUsersRequest) (protocol.UsersEvent, error)
	UpdateProfile(ctx context.Context, c chat.Connection, r protocol.UpdateProfileRequest) (protocol.ProfileEvent, error)
	CreateChannel(ctx context.Context, c chat.Connection, r protocol.CreateChannelRequest) (protocol.RoomEvent, error)
	ListChannels(ctx context.Context, c chat.Connection, r protocol.ListChannelsRequest) (protocol.ChannelsEvent, error)
	JoinChannel(ctx context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.RoomEvent, error)
	LeaveChannel(ctx context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.RoomRemovedEvent, error)
	InviteToChannel(ctx context.Context, c chat.Connection, r protocol.InviteRequest) (protocol.MembersEvent, error)
	UpdateChannel(ctx context.Context, c chat.Connection, r protocol.UpdateChannelRequest) (protocol.RoomEvent, error)
	ListMembers(ctx context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.MembersEvent, error)
	OpenDirect(ctx context.Context, c chat.Connection, r protocol.OpenDirectRequest) (protocol.RoomEvent, error)
	SendMessage(ctx context.Context, c chat.Connection, r protocol.SendMessageRequest) (protocol.AckEvent, error)
	EditMessage(ctx context.Context, c chat.Connection, r protocol.EditMessageRequest) (protocol.MessageEvent, error)
	DeleteMessage(ctx context.Context, c chat.Connection, r protocol.MessageRef) (protocol.MessageEvent, error)
	History(ctx context.Context, c chat.Connection, r protocol.HistoryRequest) (protocol.HistoryEvent, error)
	Resume(ctx context.Context, c chat.Connection, r protocol.ResumeRequest) (protocol.MissedEvent, error)
	Typing(ctx context.Context, c chat.Connection, r protocol.TypingRequest) error
	MarkRead(ctx context.Context, c chat.Connection, r protocol.MessageRef) (protocol.ReadEvent, error)
	RequestUpload(ctx context.Context, c chat.Connection, r protocol.RequestUploadRequest) (protocol.UploadTicketEvent, error)
	RequestDownload(ctx context.Context, c chat.Connection, r protocol.RequestDownloadRequest) (protocol.DownloadURLEvent, error)
	RequestAvatarUpload(ctx context.Context, c chat.Connection, r protocol.RequestAvatarUploadRequest) (protocol.UploadTicketEvent, error)
	RequestAvatarURL(ctx context.Context, c chat.Connection, r protocol.RequestAvatarURLRequest) (protocol.AvatarURLEvent, error)
}
