package service

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Ping answers the keepalive with the server time. It needs no registered
// connection and touches no store, so it stays cheap.
func (s *Chat) Ping(_ context.Context) (protocol.PongEvent, error) {
	return protocol.PongEvent{Head: protocol.Head{Type: protocol.EventPong}, Time: s.now().UnixMilli()}, nil
}
