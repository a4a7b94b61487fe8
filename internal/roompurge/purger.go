// Package roompurge is the stream consumer that removes a deleted
// channel's items in the background: the request (service.DeleteChannel)
// only marks the room deleted, frees its name and removes its members. On
// room.deleted (and on each RoomPurgeContinued, the cue of the pass before
// it) the purger asks the store for one bounded pass; the store arranges
// the next pass through the stream when items are left, so no invocation
// runs long however big the channel. Stream records are delivered at least
// once: a pass starts from what is left, so a record handled twice is
// harmless.
package roompurge

import (
	"context"
	"log/slog"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// DefaultMaxItems is how many items one pass removes: 1,000 batch-deleted
// items take about 40 BatchWriteItem calls, a second or two, far inside
// the stream function's timeout, and the next pass is one stream record
// (about a second) later.
const DefaultMaxItems = 1000

// Store is the part of the table's store the purger needs (dynamo.Store).
type Store interface {
	PurgeRoom(ctx context.Context, roomID string, maxItems int) (more bool, err error)
}

// Purger is a chat.EventConsumer.
type Purger struct {
	store    Store
	maxItems int
	log      *slog.Logger
}

// New returns a Purger removing up to maxItems per pass (DefaultMaxItems
// when 0).
func New(store Store, maxItems int, log *slog.Logger) *Purger {
	if maxItems <= 0 {
		maxItems = DefaultMaxItems
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Purger{store: store, maxItems: maxItems, log: log}
}

// Consume runs one purge pass per room.deleted and RoomPurgeContinued
// event; a failed pass is a *chat.PartialFailure, so the stream retries
// that record.
func (p *Purger) Consume(ctx context.Context, evs []chat.Event) error {
	for i, ev := range evs {
		var roomID string
		switch e := ev.(type) {
		case chat.RoomDeleted:
			roomID = e.Room.ID
		case chat.RoomPurgeContinued:
			roomID = e.RoomID
		default:
			continue
		}
		more, err := p.store.PurgeRoom(ctx, roomID, p.maxItems)
		if err != nil {
			return &chat.PartialFailure{Index: i, Err: err}
		}
		p.log.LogAttrs(ctx, slog.LevelInfo, "deleted room purge pass",
			slog.String("roomId", roomID), slog.Bool("more", more))
	}
	return nil
}
