package export

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
)

// keySource is the fake source with a key directory (the in-memory store's).
type keySource struct {
	*fakeSource
	keys *chattest.Store
}

func (k keySource) GetUserKeys(ctx context.Context, userID string) (chat.KeyIdentity, []chat.Device, error) {
	return k.keys.GetUserKeys(ctx, userID)
}

func (k keySource) GetKeyBackup(ctx context.Context, userID string) (chat.KeyBackup, error) {
	return k.keys.GetKeyBackup(ctx, userID)
}

func (k keySource) ListBackupKeys(ctx context.Context, userID, cursor string, limit int) ([]chat.BackupRoomKey, string, error) {
	return k.keys.ListBackupKeys(ctx, userID, cursor, limit)
}

// TestArchiveEncryption: encryption.json holds the person's identity key,
// devices, backup (without the proof's hash or the wrong-proof count) and
// backed-up room keys, not someone else's.
func TestArchiveEncryption(t *testing.T) {
	ctx := context.Background()
	st := chattest.NewStore()
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.SetKeyIdentity(ctx, chat.KeyIdentity{UserID: "u1", IdentityKey: "IDKEY", CreatedAt: at}, ""))
	must(st.CreateDevice(ctx, chat.Device{UserID: "u1", DeviceID: "dev_aaaaaaaaaaaaaaaaaaaaaaaaaa", Name: "Laptop", PublicKey: "DEVKEY", Signature: "SIG", CreatedAt: at}))
	must(st.CreateDevice(ctx, chat.Device{UserID: "u2", DeviceID: "dev_bbbbbbbbbbbbbbbbbbbbbbbbbb", Name: "Theirs", PublicKey: "OTHER", CreatedAt: at}))
	must(st.PutKeyBackup(ctx, chat.KeyBackup{UserID: "u1", KDF: chat.BackupKDF{Alg: "scrypt", N: 1 << 17, R: 8, P: 1, Salt: "SALT"},
		ProofHash: "secret-proof-hash", WrappedKey: "WRAPPED", Identity: "SEALED", UpdatedAt: at}, false))
	if _, _, err := st.TakeProofAttempt(ctx, "u1", at, time.Hour, 10); err != nil {
		t.Fatal(err)
	}
	must(st.PutBackupKeys(ctx, "u1", []chat.BackupRoomKey{{RoomID: "r1", Epoch: 1, Key: "BK1"}, {RoomID: "r1", Epoch: 2, Key: "BK2"}}))

	raw := entryOf(t, writeArchive(t, keySource{fakeSource: &fakeSource{}, keys: st}), EntryEncryption)
	var got Encryption
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got.IdentityKey != "IDKEY" || len(got.Devices) != 1 || got.Devices[0].PublicKey != "DEVKEY" || got.Devices[0].Signature != "SIG" ||
		got.Backup == nil || got.Backup.WrappedKey != "WRAPPED" || got.Backup.Identity != "SEALED" || got.Backup.KDF.N != 1<<17 || len(got.BackupKeys) != 2 {
		t.Errorf("encryption.json = %s", raw)
	}
	for _, leak := range []string{"secret-proof-hash", "OTHER", "Theirs", "failed", "proof"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("encryption.json holds %q: %s", leak, raw)
		}
	}
	// A person without keys: an empty file, not an error.
	raw = entryOf(t, writeArchive(t, keySource{fakeSource: &fakeSource{}, keys: chattest.NewStore()}), EntryEncryption)
	if string(raw) == "" || strings.Contains(string(raw), "backup\"") {
		t.Errorf("no keys: %s", raw)
	}
}
