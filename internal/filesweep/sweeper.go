// Package filesweep is the stream consumer that deletes a deleted
// message's files from the bucket: a message.deleted event (decoded from
// the table's stream, the old image naming the files) becomes one
// DeleteObjects call. It runs in the stream function (and locally in the
// stream poller), never inline in a request, so a delete answers at once
// and a failed S3 call is retried with the stream batch.
package filesweep

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Sweeper deletes the files of deleted messages.
type Sweeper struct {
	blobs chat.BlobStore
	log   *slog.Logger
}

var _ chat.EventConsumer = (*Sweeper)(nil)

// New returns a Sweeper over blobs; a nil logger discards.
func New(blobs chat.BlobStore, log *slog.Logger) *Sweeper {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sweeper{blobs: blobs, log: log}
}

// Consume deletes the files of every MessageDeleted in events, in order;
// a failure stops there and reports the event (the stream retries it and
// everything after). Only keys of the message's own room are deleted:
// originals and thumbnails are stored by room, so a key elsewhere (which the
// service never attaches) is skipped and logged.
func (s *Sweeper) Consume(ctx context.Context, events []chat.Event) error {
	for i, ev := range events {
		md, ok := ev.(chat.MessageDeleted)
		if !ok || len(md.Files) == 0 {
			continue
		}
		keys := make([]string, 0, len(md.Files))
		for _, k := range md.Files {
			orig, _ := strings.CutPrefix(k, chat.ThumbsPrefix) // thumbnails mirror their originals' keys
			if fk, ok := chat.ParseFileKey(orig); !ok || fk.RoomID != md.Message.RoomID {
				s.log.WarnContext(ctx, "not deleting a file outside the message's room", slog.String("key", k), slog.String("roomId", md.Message.RoomID))
				continue
			}
			keys = append(keys, k)
		}
		if len(keys) == 0 {
			continue
		}
		if err := s.blobs.Delete(ctx, keys); err != nil {
			return &chat.PartialFailure{Index: i, Err: fmt.Errorf("filesweep: message %s/%d: %w", md.Message.RoomID, md.Message.Seq, err)}
		}
		s.log.InfoContext(ctx, "deleted files of a deleted message", slog.String("roomId", md.Message.RoomID),
			slog.Int64("seq", md.Message.Seq), slog.Int("files", len(keys)))
	}
	return nil
}
