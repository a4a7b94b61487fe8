package chattest

import (
	"context"
	"slices"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// TranscriptRequest is one recorded transcript request.
type TranscriptRequest struct {
	RoomID, To, Lang string
	N                int
}

// RequestTranscript records a transcript request of a support room
// (dynamo.Store.RequestTranscript); NotFound for a room that is not.
func (s *Store) RequestTranscript(ctx context.Context, roomID, to, lang string) (int, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "RequestTranscript", roomID); err != nil {
		return 0, err
	}
	if _, ok := s.supportLocked().convs[roomID]; !ok {
		return 0, chat.Errorf(chat.NotFound, "room not found")
	}
	n := 1
	for _, r := range s.transcripts {
		if r.RoomID == roomID {
			n++
		}
	}
	s.transcripts = append(s.transcripts, TranscriptRequest{RoomID: roomID, To: to, Lang: lang, N: n})
	return n, nil
}

// TranscriptRequests lists the recorded requests, oldest first.
func (s *Store) TranscriptRequests() []TranscriptRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.transcripts)
}
