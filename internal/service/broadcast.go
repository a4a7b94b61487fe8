package service

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Pushes to others never fail the caller's request: the action is done and
// stored by then, and clients catch up from history on resume. Failures are
// logged instead.

// send marshals ev (a protocol event with its type set) and fans it out.
func (s *Chat) send(ctx context.Context, connIDs []string, ev any) chat.FanoutResult {
	if len(connIDs) == 0 {
		return chat.FanoutResult{}
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		s.log.ErrorContext(ctx, "marshal event", slog.Any("error", err))
		return chat.FanoutResult{Recipients: len(connIDs), Failed: len(connIDs)}
	}
	res := s.fanout.Send(ctx, connIDs, payload)
	s.log.DebugContext(ctx, "fan-out",
		slog.String("event", eventType(payload)),
		slog.Int("recipients", res.Recipients), slog.Int("delivered", res.Delivered),
		slog.Int("gone", res.Gone), slog.Int("failed", res.Failed))
	return res
}

// pushToRoom sends ev to the room's live connections except those of
// skipUser (when not "") and the connection skipConn.
func (s *Chat) pushToRoom(ctx context.Context, roomID string, ev any, skipConn, skipUser string) chat.FanoutResult {
	rcs, err := s.store.RoomConnections(ctx, roomID)
	if err != nil {
		s.log.WarnContext(ctx, "room connections", slog.String("roomId", roomID), slog.Any("error", err))
		return chat.FanoutResult{}
	}
	ids := make([]string, 0, len(rcs))
	for _, rc := range rcs {
		if rc.ConnectionID == skipConn || (skipUser != "" && rc.UserID == skipUser) {
			continue
		}
		ids = append(ids, rc.ConnectionID)
	}
	return s.send(ctx, ids, ev)
}

func without(ids []string, skip string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != skip {
			out = append(out, id)
		}
	}
	return out
}

func eventType(payload []byte) string {
	var head struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(payload, &head)
	return head.Type
}
