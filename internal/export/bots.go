package export

import (
	"archive/zip"
	"context"
	"fmt"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// EntryBots is bots.json: the bot accounts the person created (issue #16),
// by id, name and when; never a token (the store keeps only its hash).
const EntryBots = "bots.json"

// BotLister is what bots.json reads (internal/dynamo.Store has it); a
// Source without it writes no bots.json.
type BotLister interface {
	ListBots(ctx context.Context) ([]chat.Bot, error)
}

// BotRef is one entry of bots.json.
type BotRef struct {
	BotID     string    `json:"botId"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
}

// bots writes bots.json: the bots whose creator is userID.
func (w *Writer) bots(ctx context.Context, zw *zip.Writer, userID string) error {
	bl, ok := w.Source.(BotLister)
	if !ok {
		return nil
	}
	all, err := bl.ListBots(ctx)
	if err != nil {
		return fmt.Errorf("bots: %w", err)
	}
	mine := []BotRef{}
	for _, b := range all {
		if b.CreatedBy == userID {
			mine = append(mine, BotRef{BotID: b.ID, Name: b.Name, CreatedAt: b.CreatedAt})
		}
	}
	return writeJSON(zw, EntryBots, mine)
}
