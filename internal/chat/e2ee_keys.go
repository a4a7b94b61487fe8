package chat

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"math/bits"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The key directory's rules and its store (issue #19, docs/E2EE.md): what
// a device, an identity key, a key backup and a backed-up room key must
// look like, the device signature the server checks, and KeyStore, where
// they are kept (internal/dynamo: items under the person's USER#
// partition; chattest for unit tests).

// Key directory limits and the backup's KDF bounds.
const (
	MaxDeviceNameLen = 64
	// A raw uncompressed P-256 point: 0x04 || X || Y.
	P256PointLen = 65
	// An IEEE P1363 ECDSA P-256 signature: r || s.
	P256SignatureLen = 64
	// BackupProofLen is the passphrase proof's length (the last 32 bytes
	// of the scrypt output).
	BackupProofLen = 32
	BackupSaltLen  = 16
	// SealedKeyLen is a 32-byte key sealed with AES-256-GCM: a 12-byte IV,
	// the 32 bytes and the 16-byte tag (a backup's wrappedKey, a backed-up
	// room key).
	SealedKeyLen = 12 + 32 + 16
	// A sealed identity: IV, a P-256 PKCS#8 (about 138 bytes from
	// WebCrypto; at least the 32-byte scalar), tag.
	MinSealedIdentityLen = 12 + 32 + 16
	MaxSealedIdentityLen = 1024
	BackupKDFAlg         = "scrypt"
	MinBackupKDFN        = 1 << 14
	MaxBackupKDFN        = 1 << 20
	BackupKDFR           = 8
	MaxBackupKDFP        = 4
	// BackupProofWindow: MaxBackupProofFailures (protocol) wrong proofs per
	// person in this window, then every proof is refused until it ends.
	BackupProofWindow = 24 * time.Hour
)

// B64 decodes a base64url string without padding, strictly (no padding,
// no stray bits, no line breaks).
func B64(s string) ([]byte, error) { return base64.RawURLEncoding.Strict().DecodeString(s) }

// b64Len decodes s and checks its length is within [min, max].
func b64Len(field, s string, min, max int) ([]byte, error) {
	if s == "" {
		return nil, Errorf(Invalid, "%s is required", field)
	}
	b, err := B64(s)
	if err != nil {
		return nil, Errorf(Invalid, "%s is not base64url without padding", field)
	}
	if len(b) < min || len(b) > max {
		if min == max {
			return nil, Errorf(Invalid, "%s must be %d bytes, not %d", field, min, len(b))
		}
		return nil, Errorf(Invalid, "%s must be %d to %d bytes, not %d", field, min, max, len(b))
	}
	return b, nil
}

// ParseP256Point decodes a b64 raw uncompressed P-256 point and checks it
// is on the curve.
func ParseP256Point(field, s string) (*ecdsa.PublicKey, error) {
	raw, err := b64Len(field, s, P256PointLen, P256PointLen)
	if err != nil {
		return nil, err
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		return nil, Errorf(Invalid, "%s is not a P-256 public key (an uncompressed point on the curve)", field)
	}
	return pub, nil
}

// DeviceSignaturePayload is what a person's identity key signs to trust
// one of their devices ("bc-e2ee-v1 device").
func DeviceSignaturePayload(userID, deviceID, publicKey string) []byte {
	return []byte("bc-e2ee-v1 device\n" + userID + "\n" + deviceID + "\n" + publicKey)
}

// VerifyDeviceSignature checks signature (b64 r||s) of the device's
// payload under identityKey (b64 raw point): Invalid with the reason when
// it does not verify.
func VerifyDeviceSignature(identityKey, userID, deviceID, publicKey, signature string) error {
	pub, err := ParseP256Point("identityKey", identityKey)
	if err != nil {
		return err
	}
	sig, err := b64Len("signature", signature, P256SignatureLen, P256SignatureLen)
	if err != nil {
		return err
	}
	h := sha256.Sum256(DeviceSignaturePayload(userID, deviceID, publicKey))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(pub, h[:], r, s) {
		return Errorf(Invalid, "the signature does not verify under your identity key")
	}
	return nil
}

// ValidateDevice checks a device's id, name and public key.
func ValidateDevice(deviceID, name, publicKey string) error {
	if !ValidDeviceID(deviceID) {
		return Errorf(Invalid, "deviceId must be \"dev_\" and 26 characters a-z, 2-7")
	}
	if name == "" || utf8.RuneCountInString(name) > MaxDeviceNameLen || !utf8.ValidString(name) {
		return Errorf(Invalid, "a device name is 1 to %d characters", MaxDeviceNameLen)
	}
	if strings.ContainsFunc(name, unicode.IsControl) {
		return Errorf(Invalid, "a device name has no control characters")
	}
	_, err := ParseP256Point("publicKey", publicKey)
	return err
}

// Validate checks a backup's KDF: scrypt, N a power of two from 2^14 to
// 2^20, r 8, p 1 to 4, a 16-byte salt.
func (k BackupKDF) Validate() error {
	switch {
	case k.Alg != BackupKDFAlg:
		return Errorf(Invalid, "kdf.alg must be %q", BackupKDFAlg)
	case k.N < MinBackupKDFN || k.N > MaxBackupKDFN || bits.OnesCount(uint(k.N)) != 1:
		return Errorf(Invalid, "kdf.n must be a power of two from 2^14 to 2^20")
	case k.R != BackupKDFR:
		return Errorf(Invalid, "kdf.r must be %d", BackupKDFR)
	case k.P < 1 || k.P > MaxBackupKDFP:
		return Errorf(Invalid, "kdf.p must be 1 to %d", MaxBackupKDFP)
	}
	_, err := b64Len("kdf.salt", k.Salt, BackupSaltLen, BackupSaltLen)
	return err
}

// BackupProofHash is what the server keeps of a passphrase proof: the hex
// SHA-256 of its 32 bytes. Invalid when proof is not 32 bytes b64.
func BackupProofHash(proof string) (string, error) {
	raw, err := b64Len("proof", proof, BackupProofLen, BackupProofLen)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(raw)
	const hexdigits = "0123456789abcdef"
	out := make([]byte, 2*len(h))
	for i, c := range h {
		out[2*i], out[2*i+1] = hexdigits[c>>4], hexdigits[c&15]
	}
	return string(out), nil
}

// ValidateSealed checks a backup's wrapped key and sealed identity sizes.
func ValidateSealed(wrappedKey, identity string) error {
	if _, err := b64Len("wrappedKey", wrappedKey, SealedKeyLen, SealedKeyLen); err != nil {
		return err
	}
	_, err := b64Len("identity", identity, MinSealedIdentityLen, MaxSealedIdentityLen)
	return err
}

// ValidateBackupRoomKey checks one backed-up room key (the room id is the
// caller's to check).
func ValidateBackupRoomKey(k BackupRoomKey) error {
	if k.Epoch < 1 {
		return Errorf(Invalid, "a backed-up key's epoch starts at 1")
	}
	_, err := b64Len("key", k.Key, SealedKeyLen, SealedKeyLen)
	return err
}

// ProofsLocked says whether b's wrong proofs lock it at now: limit of them
// within BackupProofWindow of the first.
func (b KeyBackup) ProofsLocked(now time.Time, limit int) bool {
	return b.FailedProofs >= limit && now.Before(b.FailedSince.Add(BackupProofWindow))
}

// ProofsLeft is how many proofs b takes before it locks, at now.
func (b KeyBackup) ProofsLeft(now time.Time, limit int) int {
	if b.FailedSince.IsZero() || !now.Before(b.FailedSince.Add(BackupProofWindow)) {
		return limit
	}
	return max(0, limit-b.FailedProofs)
}

// KeyStore keeps the key directory: per person an identity key, their
// devices, a key backup and its backed-up room keys; and which device a
// live connection registered.
type KeyStore interface {
	// CreateDevice stores a new device: Conflict if the person has one
	// with that id.
	CreateDevice(ctx context.Context, d Device) error
	// GetDevice reads one device: NotFound if the person has none with
	// that id.
	GetDevice(ctx context.Context, userID, deviceID string) (Device, error)
	// ListDevices lists a person's devices, oldest first.
	ListDevices(ctx context.Context, userID string) ([]Device, error)
	// SeeDevice renames a device and sets its LastSeenAt: NotFound if it
	// is gone.
	SeeDevice(ctx context.Context, userID, deviceID, name string, at time.Time) (Device, error)
	// SetDeviceSignature stores the signature of a device ("" removes it)
	// if its public key is still publicKey: Conflict if it is another,
	// NotFound if the device is gone.
	SetDeviceSignature(ctx context.Context, userID, deviceID, publicKey, signature string) (Device, error)
	// DeleteDevice deletes a device: NotFound if there was none.
	DeleteDevice(ctx context.Context, userID, deviceID string) error

	// GetKeyIdentity reads a person's identity key: NotFound if none.
	GetKeyIdentity(ctx context.Context, userID string) (KeyIdentity, error)
	// SetKeyIdentity stores id: with previous "" only if the person has
	// none, otherwise only if theirs is still previous (Conflict if not).
	SetKeyIdentity(ctx context.Context, id KeyIdentity, previous string) error
	// GetUserKeys reads a person's identity key (zero if none) and devices
	// in one read (oldest device first).
	GetUserKeys(ctx context.Context, userID string) (KeyIdentity, []Device, error)

	// GetKeyBackup reads a person's backup: NotFound if none.
	GetKeyBackup(ctx context.Context, userID string) (KeyBackup, error)
	// PutKeyBackup stores b with no wrong proofs counted: if replace is
	// false only when the person has no backup (Conflict otherwise).
	PutKeyBackup(ctx context.Context, b KeyBackup, replace bool) error
	// DeleteKeyBackup deletes the backup; none is no error.
	DeleteKeyBackup(ctx context.Context, userID string) error
	// TakeProofAttempt counts a proof attempt against the backup,
	// atomically, before the proof is compared: the first in a window (or
	// after one ended) starts a new window at now with a count of 1;
	// within the window the count grows while below max. It returns the
	// backup as counted and true, or the backup and false when max
	// attempts are already counted in the window (locked until
	// FailedSince + window). NotFound without a backup.
	TakeProofAttempt(ctx context.Context, userID string, now time.Time, window time.Duration, max int) (KeyBackup, bool, error)
	// ClearProofAttempts forgets the counted attempts (a right proof).
	ClearProofAttempts(ctx context.Context, userID string) error

	// PutBackupKeys stores (or replaces) backed-up room keys, by room and
	// epoch.
	PutBackupKeys(ctx context.Context, userID string, keys []BackupRoomKey) error
	// ListBackupKeys pages through them by room and epoch.
	ListBackupKeys(ctx context.Context, userID, cursor string, limit int) ([]BackupRoomKey, string, error)
	// DeleteBackupKeys deletes them all.
	DeleteBackupKeys(ctx context.Context, userID string) error

	// SetConnectionDevice records on a live connection the device it
	// registered (Connection.DeviceID, returned by GetConnection); a
	// connection that is gone is no error.
	SetConnectionDevice(ctx context.Context, userID, connectionID, deviceID string) error
	// DeviceConnections lists the live connections of a person that
	// registered deviceID.
	DeviceConnections(ctx context.Context, userID, deviceID string) ([]string, error)
}
