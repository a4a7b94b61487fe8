package protocol

import (
	"encoding/json"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// End-to-end encryption (issue #19; docs/E2EE.md, docs/PROTOCOL.md
// "## End-to-end encryption"): the key directory (devices, identity keys,
// the passphrase-protected key backup), room keys wrapped per device, and
// a relay between devices for verification and key requests.
const (
	ActionRegisterDevice = "registerDevice"
	ActionSetIdentityKey = "setIdentityKey"
	ActionSignDevice     = "signDevice"
	ActionListDevices    = "listDevices"
	ActionRemoveDevice   = "removeDevice"
	ActionGetUserKeys    = "getUserKeys"
	ActionSetKeyBackup   = "setKeyBackup"
	ActionGetKeyBackup   = "getKeyBackup"
	ActionPutBackupKeys  = "putBackupKeys"
	ActionGetBackupKeys  = "getBackupKeys"
	ActionDeviceMessage  = "deviceMessage"
	ActionShareRoomKeys  = "shareRoomKeys"
	ActionGetRoomKeys    = "getRoomKeys"
)

// Encryption events.
const (
	// EventDevice answers registerDevice and signDevice.
	EventDevice = "device"
	// EventDevices answers listDevices and removeDevice: the caller's
	// devices.
	EventDevices = "devices"
	// EventUserKeys answers getUserKeys and setIdentityKey.
	EventUserKeys = "userKeys"
	// EventKeyBackup answers setKeyBackup and getKeyBackup.
	EventKeyBackup = "keyBackup"
	// EventBackupKeys answers putBackupKeys and getBackupKeys.
	EventBackupKeys = "backupKeys"
	// EventKeysChanged is pushed when a person's identity key or devices
	// change, to their connections and to those who share an encrypted
	// room with them: clients refetch getUserKeys.
	EventKeysChanged = "keysChanged"
	// EventDeviceRemoved is pushed to the person's connections when one of
	// their devices is removed (that device wipes its keys).
	EventDeviceRemoved = "deviceRemoved"
	// EventDeviceMessage is a relayed device message, pushed to the
	// connections of the device it was sent to.
	EventDeviceMessage = "deviceMessage"
	// EventRoomKeysShared answers shareRoomKeys.
	EventRoomKeysShared = "roomKeysShared"
	// EventRoomKeys answers getRoomKeys, and is pushed (without keys) to
	// the devices a key was shared with, which then fetch it.
	EventRoomKeys = "roomKeys"
)

// MaxEncryptedMembers is the default largest encrypted private channel
// (E2EE_MAX_MEMBERS); an encrypted direct conversation is capped by
// MaxDirectMembers.
const MaxEncryptedMembers = 8

// Limits of the key directory.
const (
	MaxDevicesPerPerson    = 20
	MaxUserKeysPerCall     = 50
	MaxRoomKeysPerShare    = 64
	MaxBackupKeysPerCall   = 100
	MaxDeviceMessageBytes  = 8 << 10
	MaxBackupProofFailures = 10 // per 24 hours
)

type RegisterDeviceRequest struct {
	DeviceID  string `json:"deviceId"`
	Name      string `json:"name"`
	PublicKey string `json:"publicKey"`
}

type SetIdentityKeyRequest struct {
	IdentityKey string `json:"identityKey"`
	// Reset replaces an existing, different identity key: the person's
	// other devices, their backup and its keys are deleted.
	Reset bool `json:"reset,omitempty"`
}

type SignDeviceRequest struct {
	DeviceID  string `json:"deviceId"`
	Signature string `json:"signature"`
}

type DeviceRequest struct {
	DeviceID string `json:"deviceId"`
}

type GetUserKeysRequest struct {
	UserIDs []string `json:"userIds"`
}

type SetKeyBackupRequest struct {
	KDF        chat.BackupKDF `json:"kdf"`
	Proof      string         `json:"proof"`
	WrappedKey string         `json:"wrappedKey"`
	Identity   string         `json:"identity"`
}

type GetKeyBackupRequest struct {
	// Proof proves the passphrase; without it only the KDF is returned.
	Proof string `json:"proof,omitempty"`
}

type PutBackupKeysRequest struct {
	Keys []chat.BackupRoomKey `json:"keys"`
}

type GetBackupKeysRequest struct {
	Cursor string `json:"cursor,omitempty"`
}

type DeviceMessageRequest struct {
	UserID   string          `json:"userId"`
	DeviceID string          `json:"deviceId"`
	Body     json.RawMessage `json:"body"`
}

// SharedRoomKey is one wrapped room key in shareRoomKeys.
type SharedRoomKey struct {
	UserID       string `json:"userId"`
	DeviceID     string `json:"deviceId"`
	SenderDevice string `json:"senderDevice"`
	Wrapped      string `json:"wrapped"`
}

type ShareRoomKeysRequest struct {
	RoomID string          `json:"roomId"`
	Epoch  int             `json:"epoch"`
	Keys   []SharedRoomKey `json:"keys"`
}

type GetRoomKeysRequest struct {
	RoomID     string `json:"roomId"`
	DeviceID   string `json:"deviceId"`
	SinceEpoch int    `json:"sinceEpoch,omitempty"`
}

type DeviceEvent struct {
	Head
	Device chat.Device `json:"device"`
}

type DevicesEvent struct {
	Head
	Devices []chat.Device `json:"devices"`
}

// UserKeys is one person's published keys.
type UserKeys struct {
	UserID            string        `json:"userId"`
	IdentityKey       string        `json:"identityKey,omitempty"`
	IdentityCreatedAt time.Time     `json:"identityCreatedAt,omitzero"`
	Devices           []chat.Device `json:"devices"`
}

type UserKeysEvent struct {
	Head
	Users []UserKeys `json:"users"`
}

type KeyBackupEvent struct {
	Head
	Exists       bool            `json:"exists"`
	KDF          *chat.BackupKDF `json:"kdf,omitempty"`
	WrappedKey   string          `json:"wrappedKey,omitempty"`
	Identity     string          `json:"identity,omitempty"`
	UpdatedAt    time.Time       `json:"updatedAt,omitzero"`
	AttemptsLeft int             `json:"attemptsLeft"`
}

type BackupKeysEvent struct {
	Head
	Keys   []chat.BackupRoomKey `json:"keys"`
	Stored int                  `json:"stored,omitempty"`
	Cursor string               `json:"cursor,omitempty"`
}

type KeysChangedEvent struct {
	Head
	UserID string `json:"userId"`
}

type DeviceRemovedEvent struct {
	Head
	DeviceID string `json:"deviceId"`
}

type DeviceMessageEvent struct {
	Head
	FromUserID   string          `json:"fromUserId"`
	FromDeviceID string          `json:"fromDeviceId"`
	Body         json.RawMessage `json:"body"`
}

type RoomKeysSharedEvent struct {
	Head
	RoomID   string `json:"roomId"`
	Epoch    int    `json:"epoch"`
	KeyEpoch int    `json:"keyEpoch"`
}

type RoomKeysEvent struct {
	Head
	RoomID    string                `json:"roomId"`
	Epoch     int                   `json:"epoch,omitempty"`
	KeyEpoch  int                   `json:"keyEpoch"`
	RotateKey bool                  `json:"rotateKey,omitempty"`
	Keys      []chat.WrappedRoomKey `json:"keys"`
}
