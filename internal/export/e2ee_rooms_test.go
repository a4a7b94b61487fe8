package export

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

type encryptedSource struct{ *fakeSource }

func (encryptedSource) GetRoom(_ context.Context, id string) (chat.Room, error) {
	return chat.Room{ID: id, Kind: chat.KindDirect, Encrypted: true, KeyEpoch: 1}, nil
}

// TestArchiveCarriesCiphertext: an encrypted room's message is exported as
// its ciphertext, as stored (issue #19), and the room is marked encrypted.
func TestArchiveCarriesCiphertext(t *testing.T) {
	ct := &chat.EncryptedContent{V: 1, Epoch: 1, Device: "dev_aaaaaaaaaaaaaaaaaaaaaaaaaa", IV: "AAAAAAAAAAAAAAAA", CT: "Y2lwaGVydGV4dA"}
	src := encryptedSource{&fakeSource{msgs: []chat.Message{{RoomID: "r1", Seq: 1, SenderID: "u1", CreatedAt: time.Now().UTC(), Encrypted: ct}}}}
	zr := writeArchive(t, src)
	var msgs []Message
	if err := json.Unmarshal(entryOf(t, zr, EntryMessages), &msgs); err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Encrypted == nil || *msgs[0].Encrypted != *ct || msgs[0].Text != "" {
		t.Fatalf("messages.json = %+v", msgs)
	}
	var rooms []Room
	if err := json.Unmarshal(entryOf(t, zr, EntryRooms), &rooms); err != nil {
		t.Fatal(err)
	}
	if len(rooms) != 1 || !rooms[0].Encrypted {
		t.Fatalf("rooms.json = %+v", rooms)
	}
}
