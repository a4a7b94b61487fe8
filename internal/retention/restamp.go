// Package retention is the stream consumer that re-stamps a room's stored
// messages after its retention changed (issue 15): the room's META MODIFY
// (its `ret` changed) reaches the stream as a chat.RoomRestamp cue, and
// each pass sets the expiry of up to PassSize messages (and what hangs off
// them: idempotency items, edit versions, search postings) to createdAt +
// the room's effective retention, then, with messages left, records where
// it stopped on the room (ContinueRestamp), whose stream record is the next
// pass's cue. It runs in the stream function (and locally in the stream
// poller), never in a request; a pass is idempotent, so a retried batch
// only repeats writes.
package retention

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// PassSize is how many messages one pass re-stamps: each costs one write,
// plus one per idempotency item, edit version and search posting (about
// 10 to 30), so a pass stays within seconds.
const PassSize = 200

// Store is what the re-stamp reads and writes.
type Store interface {
	GetRoom(ctx context.Context, roomID string) (chat.Room, error)
	chat.RetentionStore
	chat.WorkspaceRestampStore
}

// RoomsPerPage is how many items one page of the workspace re-stamp reads
// (a Scan request); each room among them that follows the default costs one
// more write (its re-stamp's start).
const RoomsPerPage = 100

// Restamper consumes the re-stamp cues.
type Restamper struct {
	store       Store
	defaultDays int
	passSize    int
	log         *slog.Logger
}

var _ chat.EventConsumer = (*Restamper)(nil)

// New returns a Restamper; defaultDays is the deploy-time default (the
// workspace's until its admins store one), passSize 0 takes PassSize, a nil
// logger discards.
func New(store Store, defaultDays, passSize int, log *slog.Logger) *Restamper {
	if passSize <= 0 {
		passSize = PassSize
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Restamper{store: store, defaultDays: defaultDays, passSize: passSize, log: log}
}

// Consume runs one pass per RoomRestamp in events; other events are not
// its business. A failure stops there (the stream retries from it).
func (r *Restamper) Consume(ctx context.Context, events []chat.Event) error {
	for i, ev := range events {
		switch cue := ev.(type) {
		case chat.RoomRestamp:
			if err := r.pass(ctx, cue); err != nil {
				return &chat.PartialFailure{Index: i, Err: fmt.Errorf("retention: re-stamp %s from %d: %w", cue.RoomID, cue.From, err)}
			}
		case chat.WorkspaceRestamp:
			if err := r.workspacePage(ctx, cue); err != nil {
				return &chat.PartialFailure{Index: i, Err: fmt.Errorf("retention: workspace re-stamp page %d: %w", cue.Pass, err)}
			}
		}
	}
	return nil
}

// workspacePage is one page of the workspace default's re-stamp: every room
// of the page that follows the default (no retention of its own) starts its
// own re-stamp (ContinueRestamp from 0: the room's passes then run as after
// a change of its retention), and with rooms left the next page is asked
// for. Rooms with their own retention keep their expiry. Idempotent: a
// repeated page only restarts those rooms' re-stamps.
func (r *Restamper) workspacePage(ctx context.Context, cue chat.WorkspaceRestamp) error {
	rooms, next, err := r.store.RoomsPage(ctx, cue.Cursor, RoomsPerPage)
	if err != nil {
		return err
	}
	started := 0
	for _, room := range rooms {
		if room.RetentionDays != nil {
			continue
		}
		if err := r.store.ContinueRestamp(ctx, room.ID, 0); err != nil {
			return err
		}
		started++
	}
	r.log.InfoContext(ctx, "workspace re-stamp: a page of rooms", slog.Int("pass", cue.Pass), slog.Int("rooms", len(rooms)), slog.Int("restarted", started), slog.Bool("more", next != ""))
	if next == "" {
		return nil
	}
	return r.store.ContinueWorkspaceRestamp(ctx, next)
}

// Days is a room's effective retention: its own, the workspace's stored
// default, or the deploy-time one.
func (r *Restamper) Days(ctx context.Context, room chat.Room) (int, error) {
	if room.RetentionDays != nil {
		return *room.RetentionDays, nil
	}
	ws, found, err := r.store.GetWorkspaceSettings(ctx)
	if err != nil {
		return 0, err
	}
	if !found {
		return r.defaultDays, nil
	}
	return ws.RetentionDays, nil
}

func (r *Restamper) pass(ctx context.Context, cue chat.RoomRestamp) error {
	room, err := r.store.GetRoom(ctx, cue.RoomID)
	if chat.ErrorCode(err) == chat.NotFound {
		return nil // deleted meanwhile: the purge removes its messages
	}
	if err != nil {
		return err
	}
	days, err := r.Days(ctx, room)
	if err != nil {
		return err
	}
	from, done := cue.From, 0
	for done < r.passSize {
		last, more, err := r.store.RestampMessages(ctx, room.ID, days, from, min(100, r.passSize-done))
		if err != nil {
			return err
		}
		done += int(last - from) // an upper bound (seqs may have gaps): the pass stays bounded
		from = last
		if !more {
			r.log.InfoContext(ctx, "re-stamped a room's messages", slog.String("roomId", room.ID), slog.Int("days", days), slog.Int("pass", cue.Pass))
			return nil
		}
	}
	return r.store.ContinueRestamp(ctx, room.ID, from)
}
