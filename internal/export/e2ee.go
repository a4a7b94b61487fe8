package export

import (
	"archive/zip"
	"context"
	"fmt"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// EntryEncryption is encryption.json: the person's end-to-end encryption
// keys as the server keeps them (issue #19): the public identity key, the
// devices, the key backup (the KDF, the wrapped backup key, the sealed
// identity; not the proof's hash nor the count of wrong proofs: the
// server's own bookkeeping, no use to the person) and the backed-up room
// keys. Everything secret in it is sealed by keys only the person's
// passphrase and devices hold.
const EntryEncryption = "encryption.json"

// KeySource is what encryption.json reads (internal/dynamo.Store has it);
// a Source without it writes no encryption.json.
type KeySource interface {
	GetUserKeys(ctx context.Context, userID string) (chat.KeyIdentity, []chat.Device, error)
	GetKeyBackup(ctx context.Context, userID string) (chat.KeyBackup, error)
	ListBackupKeys(ctx context.Context, userID, cursor string, limit int) ([]chat.BackupRoomKey, string, error)
}

// Encryption is encryption.json.
type Encryption struct {
	IdentityKey       string               `json:"identityKey,omitempty"`
	IdentityCreatedAt time.Time            `json:"identityCreatedAt,omitzero"`
	Devices           []chat.Device        `json:"devices"`
	Backup            *Backup              `json:"backup,omitempty"`
	BackupKeys        []chat.BackupRoomKey `json:"backupKeys"`
}

// Backup is the key backup in encryption.json.
type Backup struct {
	KDF        chat.BackupKDF `json:"kdf"`
	WrappedKey string         `json:"wrappedKey"`
	Identity   string         `json:"identity"`
	UpdatedAt  time.Time      `json:"updatedAt"`
}

// encryption writes encryption.json.
func (w *Writer) encryption(ctx context.Context, zw *zip.Writer, userID string) error {
	ks, ok := w.Source.(KeySource)
	if !ok {
		return nil
	}
	id, devices, err := ks.GetUserKeys(ctx, userID)
	if err != nil {
		return fmt.Errorf("encryption keys: %w", err)
	}
	out := Encryption{IdentityKey: id.IdentityKey, IdentityCreatedAt: id.CreatedAt, Devices: orEmpty(devices), BackupKeys: []chat.BackupRoomKey{}}
	b, err := ks.GetKeyBackup(ctx, userID)
	switch {
	case err == nil:
		out.Backup = &Backup{KDF: b.KDF, WrappedKey: b.WrappedKey, Identity: b.Identity, UpdatedAt: b.UpdatedAt}
	case chat.ErrorCode(err) != chat.NotFound:
		return fmt.Errorf("key backup: %w", err)
	}
	cursor := ""
	for {
		page, next, err := ks.ListBackupKeys(ctx, userID, cursor, 500)
		if err != nil {
			return fmt.Errorf("backup keys: %w", err)
		}
		out.BackupKeys = append(out.BackupKeys, page...)
		if next == "" || len(page) == 0 {
			break
		}
		cursor = next
	}
	return writeJSON(zw, EntryEncryption, out)
}
