package chat

import (
	"regexp"
	"time"
)

// End-to-end encryption (issue #19, docs/E2EE.md): the server keeps the
// public half of each person's keys and ciphertext it cannot read. These
// are the key directory's types; the design and its limits are in the doc.

// EncryptedContent is a message's ciphertext: AES-256-GCM under the room's
// key of Epoch, sent by Device (all byte strings base64url without
// padding). An encrypted room's messages carry it instead of Text.
type EncryptedContent struct {
	V      int    `json:"v"`
	Epoch  int    `json:"epoch"`
	Device string `json:"device"`
	IV     string `json:"iv"`
	CT     string `json:"ct"`
}

// Device is one browser profile of a person, with its ECDH public key, and
// the signature of the person's identity key over it once it is trusted.
type Device struct {
	UserID     string    `json:"userId"`
	DeviceID   string    `json:"deviceId"`
	Name       string    `json:"name"`
	PublicKey  string    `json:"publicKey"`
	Signature  string    `json:"signature,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	LastSeenAt time.Time `json:"lastSeenAt,omitzero"`
}

// KeyIdentity is a person's identity key (ECDSA P-256 public key, raw
// point), which signs their devices; safety numbers are computed from it.
type KeyIdentity struct {
	UserID      string    `json:"userId"`
	IdentityKey string    `json:"identityKey"`
	CreatedAt   time.Time `json:"createdAt"`
}

// BackupKDF names the passphrase key derivation of a key backup.
type BackupKDF struct {
	Alg  string `json:"alg"` // "scrypt"
	N    int    `json:"n"`
	R    int    `json:"r"`
	P    int    `json:"p"`
	Salt string `json:"salt"`
}

// KeyBackup is a person's passphrase-protected key backup: the backup key
// wrapped by the passphrase's key, and the identity key sealed by the
// backup key. ProofHash is the hex SHA-256 of the passphrase proof; only a
// caller who presents the proof gets WrappedKey and Identity.
type KeyBackup struct {
	UserID       string    `json:"userId"`
	KDF          BackupKDF `json:"kdf"`
	ProofHash    string    `json:"-"`
	WrappedKey   string    `json:"wrappedKey"`
	Identity     string    `json:"identity"`
	UpdatedAt    time.Time `json:"updatedAt"`
	FailedProofs int       `json:"-"`
	FailedSince  time.Time `json:"-"`
}

// WrappedRoomKey is a room key of one epoch wrapped for one device.
type WrappedRoomKey struct {
	RoomID       string    `json:"roomId"`
	Epoch        int       `json:"epoch"`
	UserID       string    `json:"userId"`
	DeviceID     string    `json:"deviceId"`
	SenderUserID string    `json:"senderUserId"`
	SenderDevice string    `json:"senderDevice"`
	Wrapped      string    `json:"wrapped"`
	CreatedAt    time.Time `json:"createdAt"`
}

// BackupRoomKey is a room key sealed by the person's backup key.
type BackupRoomKey struct {
	RoomID string `json:"roomId"`
	Epoch  int    `json:"epoch"`
	Key    string `json:"key"`
}

var deviceIDPattern = regexp.MustCompile(`^dev_[a-z2-7]{26}$`)

// ValidDeviceID says whether s is a device id ("dev_" and 26 base32).
func ValidDeviceID(s string) bool { return deviceIDPattern.MatchString(s) }
