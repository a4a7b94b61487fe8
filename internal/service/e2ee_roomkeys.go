package service

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Room keys of end-to-end encrypted rooms (issue #19, docs/E2EE.md).
// SKELETON: the "e2ee-rooms" helper replaces both methods.

func (s *Chat) ShareRoomKeys(ctx context.Context, c chat.Connection, r protocol.ShareRoomKeysRequest) (protocol.RoomKeysSharedEvent, error) {
	return protocol.RoomKeysSharedEvent{}, chat.Errorf(chat.Internal, "end-to-end encryption is not available yet")
}

func (s *Chat) GetRoomKeys(ctx context.Context, c chat.Connection, r protocol.GetRoomKeysRequest) (protocol.RoomKeysEvent, error) {
	return protocol.RoomKeysEvent{}, chat.Errorf(chat.Internal, "end-to-end encryption is not available yet")
}
