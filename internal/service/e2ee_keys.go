package service

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// The key directory of end-to-end encryption (issue #19, docs/E2EE.md):
// each person's identity key, their devices (signed by the identity key
// once trusted), the passphrase-protected key backup and its backed-up
// room keys, and a relay between devices (verification, key requests).
// The server checks what it can (points on the curve, the device
// signatures, sizes) and never sees a private key, the backup key or a
// room key. Every action is the caller's own: the store reads and writes
// only the caller's USER# partition, except getUserKeys (public keys of
// people of the workspace) and deviceMessage (a relay to one device).
//
// Pushes (direct, like presence: nothing here is a domain event):
//
//	keysChanged {userId}   on a new device, setIdentityKey, signDevice, removeDevice: to the
//	                       person's other connections and everyone connected
//	                       to an encrypted room they are in (clients refetch
//	                       getUserKeys)
//	deviceRemoved {deviceId} to all the person's connections
//	deviceMessage          to the connections that registered the device

// keyStore is the store's key directory; nil-safe for stores without one.
func (s *Chat) keyStore() (chat.KeyStore, error) {
	ks, ok := s.store.(chat.KeyStore)
	if !ok {
		return nil, chat.Errorf(chat.Internal, "end-to-end encryption is not configured on this server")
	}
	return ks, nil
}

// keysFor asks the policy (visitors and bots may use none of the key
// directory) and returns the key store.
func (s *Chat) keysFor(c chat.Connection, action chat.Action) (chat.KeyStore, error) {
	if err := chat.Authorize(action, chat.Access{Groups: c.Groups, UserID: c.UserID}); err != nil {
		return nil, err
	}
	return s.keyStore()
}

// deleteDeviceRoomKeys deletes the room keys wrapped for the person's
// removed devices (they live in the rooms' partitions, chat.RoomKeyStore):
// nothing is left that a removed device could still fetch.
func (s *Chat) deleteDeviceRoomKeys(ctx context.Context, userID string, deviceIDs []string) error {
	rk, ok := s.store.(chat.RoomKeyStore)
	if !ok {
		return nil
	}
	for _, id := range deviceIDs {
		if _, err := rk.DeleteUserRoomKeys(ctx, userID, id); err != nil {
			return storeErr(err, "delete wrapped room keys")
		}
	}
	return nil
}

// RegisterDevice adds a device of the caller (unsigned; keysChanged tells
// their other connections and encrypted rooms) or, for a device id they
// have with the same key, renames it and marks it seen; either way the
// caller's connection is marked as that device (deviceMessage and
// roomKeys reach it), so clients register on every connect. Cost: a
// GetItem, a Query of the devices for a new one, a PutItem or UpdateItem,
// two UpdateItems of the connection (and keysChanged's reads for a new
// device).
func (s *Chat) RegisterDevice(ctx context.Context, c chat.Connection, r protocol.RegisterDeviceRequest) (protocol.DeviceEvent, error) {
	ks, err := s.keysFor(c, chat.ActRegisterDevice)
	if err != nil {
		return protocol.DeviceEvent{}, err
	}
	name := strings.TrimSpace(r.Name)
	if err := chat.ValidateDevice(r.DeviceID, name, r.PublicKey); err != nil {
		return protocol.DeviceEvent{}, err
	}
	now := s.clock()
	var (
		d       chat.Device
		created bool
	)
	for attempt := 0; ; attempt++ {
		old, err := ks.GetDevice(ctx, c.UserID, r.DeviceID)
		if err == nil {
			if old.PublicKey != r.PublicKey {
				return protocol.DeviceEvent{}, chat.Errorf(chat.Conflict, "device %s is registered with another key: a device keeps its key (choose a new device id)", r.DeviceID)
			}
			if d, err = ks.SeeDevice(ctx, c.UserID, r.DeviceID, name, now); err != nil {
				return protocol.DeviceEvent{}, storeErr(err, "register device")
			}
			break
		}
		if chat.ErrorCode(err) != chat.NotFound {
			return protocol.DeviceEvent{}, storeErr(err, "get device")
		}
		all, err := ks.ListDevices(ctx, c.UserID)
		if err != nil {
			return protocol.DeviceEvent{}, storeErr(err, "list devices")
		}
		if len(all) >= protocol.MaxDevicesPerPerson {
			return protocol.DeviceEvent{}, chat.Errorf(chat.Invalid, "you have %d devices, the most there can be: remove one first", len(all))
		}
		d = chat.Device{UserID: c.UserID, DeviceID: r.DeviceID, Name: name, PublicKey: r.PublicKey, CreatedAt: now, LastSeenAt: now}
		err = ks.CreateDevice(ctx, d)
		if err == nil {
			created = true
			break
		}
		if chat.ErrorCode(err) != chat.Conflict || attempt > 0 {
			return protocol.DeviceEvent{}, storeErr(err, "register device")
		}
		// Registered meanwhile (another tab of the same profile): read it.
	}
	if c.ID != "" {
		if err := ks.SetConnectionDevice(ctx, c.UserID, c.ID, d.DeviceID); err != nil {
			return protocol.DeviceEvent{}, storeErr(err, "mark connection device")
		}
	}
	if created {
		s.keysChanged(ctx, c, c.UserID) // a new (unsigned) device: the person's other devices may verify it
	}
	return protocol.DeviceEvent{Head: protocol.Head{Type: protocol.EventDevice}, Device: d}, nil
}

// SetIdentityKey publishes the caller's identity key. The first one is
// free; the same one again is a no-op; a different one needs Reset, which
// deletes the caller's other devices (the connection's own device stays,
// unsigned), the key backup and its room keys, marks every encrypted room
// they are in for a new key (rotateRoomsOf) and then stores the key. The
// person's connections and co-members of encrypted rooms are told
// (keysChanged).
func (s *Chat) SetIdentityKey(ctx context.Context, c chat.Connection, r protocol.SetIdentityKeyRequest) (protocol.UserKeysEvent, error) {
	ks, err := s.keysFor(c, chat.ActSetIdentityKey)
	if err != nil {
		return protocol.UserKeysEvent{}, err
	}
	if _, err := chat.ParseP256Point("identityKey", r.IdentityKey); err != nil {
		return protocol.UserKeysEvent{}, err
	}
	id := chat.KeyIdentity{UserID: c.UserID, IdentityKey: r.IdentityKey, CreatedAt: s.clock()}
	old, err := ks.GetKeyIdentity(ctx, c.UserID)
	switch {
	case chat.ErrorCode(err) == chat.NotFound:
		if err := ks.SetKeyIdentity(ctx, id, ""); err != nil {
			return protocol.UserKeysEvent{}, storeErr(err, "set identity key")
		}
	case err != nil:
		return protocol.UserKeysEvent{}, storeErr(err, "get identity key")
	case old.IdentityKey == r.IdentityKey:
		return s.ownKeys(ctx, ks, c.UserID)
	case !r.Reset:
		return protocol.UserKeysEvent{}, chat.Errorf(chat.Conflict,
			"you have another identity key: replacing it needs reset, which deletes your other devices, your key backup and its keys")
	default:
		if err := s.resetKeys(ctx, ks, c); err != nil {
			return protocol.UserKeysEvent{}, err
		}
		if err := ks.SetKeyIdentity(ctx, id, old.IdentityKey); err != nil {
			return protocol.UserKeysEvent{}, storeErr(err, "set identity key")
		}
	}
	s.keysChanged(ctx, c, c.UserID)
	return s.ownKeys(ctx, ks, c.UserID)
}

// resetKeys is the first part of an identity reset: every device but the
// connection's goes (and their wrapped room keys), the kept one loses its
// signature, the backup and its keys go, the person's encrypted rooms are
// marked for a new key. Each step is idempotent, so a reset retried after
// a failure finishes the job; the new identity key is stored last.
func (s *Chat) resetKeys(ctx context.Context, ks chat.KeyStore, c chat.Connection) error {
	devices, err := ks.ListDevices(ctx, c.UserID)
	if err != nil {
		return storeErr(err, "list devices")
	}
	var removed []string
	for _, d := range devices {
		if d.DeviceID == c.DeviceID {
			if d.Signature != "" {
				if _, err := ks.SetDeviceSignature(ctx, c.UserID, d.DeviceID, d.PublicKey, ""); err != nil && chat.ErrorCode(err) != chat.NotFound {
					return storeErr(err, "clear device signature")
				}
			}
			continue
		}
		if err := ks.DeleteDevice(ctx, c.UserID, d.DeviceID); err != nil && chat.ErrorCode(err) != chat.NotFound {
			return storeErr(err, "delete device")
		}
		removed = append(removed, d.DeviceID)
	}
	if err := s.deleteDeviceRoomKeys(ctx, c.UserID, removed); err != nil {
		return err
	}
	if err := ks.DeleteKeyBackup(ctx, c.UserID); err != nil {
		return storeErr(err, "delete key backup")
	}
	if err := ks.DeleteBackupKeys(ctx, c.UserID); err != nil {
		return storeErr(err, "delete backup keys")
	}
	if err := s.rotateRoomsOf(ctx, c.UserID); err != nil { // e2ee_rotate.go
		return storeErr(err, "rotate room keys")
	}
	for _, id := range removed {
		s.toUser(ctx, c.UserID, "", protocol.DeviceRemovedEvent{Head: protocol.Head{Type: protocol.EventDeviceRemoved}, DeviceID: id})
	}
	return nil
}

// ownKeys answers userKeys with the caller's own keys.
func (s *Chat) ownKeys(ctx context.Context, ks chat.KeyStore, userID string) (protocol.UserKeysEvent, error) {
	uk, err := userKeysOf(ctx, ks, userID)
	if err != nil {
		return protocol.UserKeysEvent{}, err
	}
	return protocol.UserKeysEvent{Head: protocol.Head{Type: protocol.EventUserKeys}, Users: []protocol.UserKeys{uk}}, nil
}

func userKeysOf(ctx context.Context, ks chat.KeyStore, userID string) (protocol.UserKeys, error) {
	id, devices, err := ks.GetUserKeys(ctx, userID)
	if err != nil {
		return protocol.UserKeys{}, storeErr(err, "get user keys")
	}
	if devices == nil {
		devices = []chat.Device{}
	}
	return protocol.UserKeys{UserID: userID, IdentityKey: id.IdentityKey, IdentityCreatedAt: id.CreatedAt, Devices: devices}, nil
}

// SignDevice stores the caller's identity key's signature of one of their
// devices, after checking it verifies (ECDSA P-256 over the device's
// "bc-e2ee-v1 device" payload); a bad one is refused. Tells keysChanged.
func (s *Chat) SignDevice(ctx context.Context, c chat.Connection, r protocol.SignDeviceRequest) (protocol.DeviceEvent, error) {
	ks, err := s.keysFor(c, chat.ActSignDevice)
	if err != nil {
		return protocol.DeviceEvent{}, err
	}
	if !chat.ValidDeviceID(r.DeviceID) {
		return protocol.DeviceEvent{}, chat.Errorf(chat.Invalid, "deviceId is malformed")
	}
	id, err := ks.GetKeyIdentity(ctx, c.UserID)
	if chat.ErrorCode(err) == chat.NotFound {
		return protocol.DeviceEvent{}, chat.Errorf(chat.Invalid, "you have no identity key: set one first (setIdentityKey)")
	}
	if err != nil {
		return protocol.DeviceEvent{}, storeErr(err, "get identity key")
	}
	d, err := ks.GetDevice(ctx, c.UserID, r.DeviceID)
	if err != nil {
		return protocol.DeviceEvent{}, storeErr(err, "get device")
	}
	if err := chat.VerifyDeviceSignature(id.IdentityKey, c.UserID, d.DeviceID, d.PublicKey, r.Signature); err != nil {
		return protocol.DeviceEvent{}, err
	}
	if d, err = ks.SetDeviceSignature(ctx, c.UserID, d.DeviceID, d.PublicKey, r.Signature); err != nil {
		return protocol.DeviceEvent{}, storeErr(err, "sign device")
	}
	s.keysChanged(ctx, c, c.UserID)
	return protocol.DeviceEvent{Head: protocol.Head{Type: protocol.EventDevice}, Device: d}, nil
}

// ListDevices answers the caller's devices, signed or not, oldest first.
func (s *Chat) ListDevices(ctx context.Context, c chat.Connection) (protocol.DevicesEvent, error) {
	ks, err := s.keysFor(c, chat.ActListDevices)
	if err != nil {
		return protocol.DevicesEvent{}, err
	}
	return s.devicesReply(ctx, ks, c.UserID)
}

func (s *Chat) devicesReply(ctx context.Context, ks chat.KeyStore, userID string) (protocol.DevicesEvent, error) {
	all, err := ks.ListDevices(ctx, userID)
	if err != nil {
		return protocol.DevicesEvent{}, storeErr(err, "list devices")
	}
	if all == nil {
		all = []chat.Device{}
	}
	return protocol.DevicesEvent{Head: protocol.Head{Type: protocol.EventDevices}, Devices: all}, nil
}

// RemoveDevice deletes one of the caller's devices (this one too) and its
// wrapped room keys, marks the caller's encrypted rooms for a new key, so
// the device cannot read what is written from then on, tells the person's
// connections deviceRemoved (that device wipes its keys) and keysChanged.
func (s *Chat) RemoveDevice(ctx context.Context, c chat.Connection, r protocol.DeviceRequest) (protocol.DevicesEvent, error) {
	ks, err := s.keysFor(c, chat.ActRemoveDevice)
	if err != nil {
		return protocol.DevicesEvent{}, err
	}
	if !chat.ValidDeviceID(r.DeviceID) {
		return protocol.DevicesEvent{}, chat.Errorf(chat.Invalid, "deviceId is malformed")
	}
	if err := ks.DeleteDevice(ctx, c.UserID, r.DeviceID); err != nil {
		return protocol.DevicesEvent{}, storeErr(err, "remove device")
	}
	if err := s.deleteDeviceRoomKeys(ctx, c.UserID, []string{r.DeviceID}); err != nil {
		return protocol.DevicesEvent{}, err
	}
	if err := s.rotateRoomsOf(ctx, c.UserID); err != nil { // e2ee_rotate.go
		return protocol.DevicesEvent{}, storeErr(err, "rotate room keys")
	}
	s.toUser(ctx, c.UserID, "", protocol.DeviceRemovedEvent{Head: protocol.Head{Type: protocol.EventDeviceRemoved}, DeviceID: r.DeviceID})
	s.keysChanged(ctx, c, c.UserID)
	return s.devicesReply(ctx, ks, c.UserID)
}

// GetUserKeys answers the identity keys and devices of up to
// MaxUserKeysPerCall people of the workspace (other people's devices
// without lastSeenAt). Ids that are no person's (unknown, a visitor's, a
// bot's) are left out of the answer. Cost: a
// BatchGetItem of the profiles and one Query per person.
func (s *Chat) GetUserKeys(ctx context.Context, c chat.Connection, r protocol.GetUserKeysRequest) (protocol.UserKeysEvent, error) {
	ks, err := s.keysFor(c, chat.ActGetUserKeys)
	if err != nil {
		return protocol.UserKeysEvent{}, err
	}
	if len(r.UserIDs) == 0 || len(r.UserIDs) > protocol.MaxUserKeysPerCall {
		return protocol.UserKeysEvent{}, chat.Errorf(chat.Invalid, "userIds takes 1 to %d ids", protocol.MaxUserKeysPerCall)
	}
	ids := make([]string, 0, len(r.UserIDs))
	for _, id := range r.UserIDs {
		if id == "" || len(id) > maxIDLen {
			return protocol.UserKeysEvent{}, chat.Errorf(chat.Invalid, "userIds holds a malformed id")
		}
		if !slices.Contains(ids, id) && !chat.IsVisitorID(id) {
			ids = append(ids, id)
		}
	}
	out := protocol.UserKeysEvent{Head: protocol.Head{Type: protocol.EventUserKeys}, Users: []protocol.UserKeys{}}
	if len(ids) == 0 {
		return out, nil
	}
	profiles, err := s.store.GetProfiles(ctx, ids)
	if err != nil {
		return protocol.UserKeysEvent{}, storeErr(err, "get profiles")
	}
	people := map[string]bool{}
	for _, p := range profiles {
		if !p.Bot && !p.Deleted {
			people[p.UserID] = true
		}
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return !people[id] })
	found := make([]protocol.UserKeys, len(ids))
	if err := forEach(len(ids), func(i int) error {
		var err error
		found[i], err = userKeysOf(ctx, ks, ids[i])
		if ids[i] != c.UserID {
			// When someone else's device was last used is their
			// presence (which they may hide, #15): only their own.
			for j := range found[i].Devices {
				found[i].Devices[j].LastSeenAt = time.Time{}
			}
		}
		return err
	}); err != nil {
		return protocol.UserKeysEvent{}, err
	}
	out.Users = append(out.Users, found...)
	return out, nil
}

// SetKeyBackup stores the caller's key backup: the KDF's parameters, the
// hash of the passphrase proof, the wrapped backup key and the sealed
// identity. It needs an identity key; replacing a backup (a new
// passphrase) needs the caller's connection to be a signed device. The
// count of wrong proofs starts again.
func (s *Chat) SetKeyBackup(ctx context.Context, c chat.Connection, r protocol.SetKeyBackupRequest) (protocol.KeyBackupEvent, error) {
	ks, err := s.keysFor(c, chat.ActSetKeyBackup)
	if err != nil {
		return protocol.KeyBackupEvent{}, err
	}
	if err := r.KDF.Validate(); err != nil {
		return protocol.KeyBackupEvent{}, err
	}
	hash, err := chat.BackupProofHash(r.Proof)
	if err != nil {
		return protocol.KeyBackupEvent{}, err
	}
	if err := chat.ValidateSealed(r.WrappedKey, r.Identity); err != nil {
		return protocol.KeyBackupEvent{}, err
	}
	if _, err := ks.GetKeyIdentity(ctx, c.UserID); chat.ErrorCode(err) == chat.NotFound {
		return protocol.KeyBackupEvent{}, chat.Errorf(chat.Invalid, "you have no identity key: set one first (setIdentityKey)")
	} else if err != nil {
		return protocol.KeyBackupEvent{}, storeErr(err, "get identity key")
	}
	_, err = ks.GetKeyBackup(ctx, c.UserID)
	replace := err == nil
	if err != nil && chat.ErrorCode(err) != chat.NotFound {
		return protocol.KeyBackupEvent{}, storeErr(err, "get key backup")
	}
	if replace {
		if err := s.requireSignedCaller(ctx, ks, c); err != nil {
			return protocol.KeyBackupEvent{}, err
		}
	}
	now := s.clock()
	b := chat.KeyBackup{UserID: c.UserID, KDF: r.KDF, ProofHash: hash, WrappedKey: r.WrappedKey, Identity: r.Identity, UpdatedAt: now}
	if err := ks.PutKeyBackup(ctx, b, replace); err != nil {
		return protocol.KeyBackupEvent{}, storeErr(err, "set key backup")
	}
	kdf := b.KDF
	return protocol.KeyBackupEvent{Head: protocol.Head{Type: protocol.EventKeyBackup}, Exists: true, KDF: &kdf, UpdatedAt: now,
		AttemptsLeft: protocol.MaxBackupProofFailures}, nil
}

// requireSignedCaller refuses unless the caller's connection registered a device
// that is signed.
func (s *Chat) requireSignedCaller(ctx context.Context, ks chat.KeyStore, c chat.Connection) error {
	const why = "only a verified device of yours (registered and signed) may replace your key backup"
	if c.DeviceID == "" {
		return chat.Errorf(chat.Forbidden, "%s", why)
	}
	d, err := ks.GetDevice(ctx, c.UserID, c.DeviceID)
	if chat.ErrorCode(err) == chat.NotFound || (err == nil && d.Signature == "") {
		return chat.Errorf(chat.Forbidden, "%s", why)
	}
	if err != nil {
		return storeErr(err, "get device")
	}
	return nil
}

// GetKeyBackup answers whether the caller has a backup and its KDF; with
// the right proof also the wrapped backup key and the sealed identity. A
// proof attempt is counted before it is compared (atomically in the
// store, so parallel guesses cannot pass the limit): MaxBackupProofFailures
// in BackupProofWindow and every proof is refused until the window ends;
// a right proof clears the count. The comparison is in constant time.
func (s *Chat) GetKeyBackup(ctx context.Context, c chat.Connection, r protocol.GetKeyBackupRequest) (protocol.KeyBackupEvent, error) {
	ks, err := s.keysFor(c, chat.ActGetKeyBackup)
	if err != nil {
		return protocol.KeyBackupEvent{}, err
	}
	const limit = protocol.MaxBackupProofFailures
	out := protocol.KeyBackupEvent{Head: protocol.Head{Type: protocol.EventKeyBackup}, AttemptsLeft: limit}
	var hash string
	if r.Proof != "" {
		if hash, err = chat.BackupProofHash(r.Proof); err != nil {
			return protocol.KeyBackupEvent{}, err
		}
	}
	now := s.clock()
	b, err := ks.GetKeyBackup(ctx, c.UserID)
	if chat.ErrorCode(err) == chat.NotFound {
		return out, nil
	}
	if err != nil {
		return protocol.KeyBackupEvent{}, storeErr(err, "get key backup")
	}
	kdf := b.KDF
	out.Exists, out.KDF, out.UpdatedAt, out.AttemptsLeft = true, &kdf, b.UpdatedAt, b.ProofsLeft(now, limit)
	if r.Proof == "" {
		return out, nil
	}
	b, ok, err := ks.TakeProofAttempt(ctx, c.UserID, now, chat.BackupProofWindow, limit)
	if err != nil {
		return protocol.KeyBackupEvent{}, storeErr(err, "count proof attempt")
	}
	if !ok {
		until := b.FailedSince.Add(chat.BackupProofWindow).UTC().Format("2006-01-02 15:04 MST")
		return protocol.KeyBackupEvent{}, chat.Errorf(chat.Forbidden, "too many wrong passphrases: try again after %s", until)
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(b.ProofHash)) != 1 {
		left := b.ProofsLeft(now, limit)
		return protocol.KeyBackupEvent{}, chat.Errorf(chat.Forbidden, "wrong passphrase (%d attempts left today)", left)
	}
	if err := ks.ClearProofAttempts(ctx, c.UserID); err != nil {
		return protocol.KeyBackupEvent{}, storeErr(err, "clear proof attempts")
	}
	out.WrappedKey, out.Identity, out.AttemptsLeft = b.WrappedKey, b.Identity, limit
	return out, nil
}

// PutBackupKeys stores up to MaxBackupKeysPerCall room keys sealed by the
// caller's backup key (one per room and epoch; the same again replaces
// it). It needs a key backup.
func (s *Chat) PutBackupKeys(ctx context.Context, c chat.Connection, r protocol.PutBackupKeysRequest) (protocol.BackupKeysEvent, error) {
	ks, err := s.keysFor(c, chat.ActPutBackupKeys)
	if err != nil {
		return protocol.BackupKeysEvent{}, err
	}
	if len(r.Keys) == 0 || len(r.Keys) > protocol.MaxBackupKeysPerCall {
		return protocol.BackupKeysEvent{}, chat.Errorf(chat.Invalid, "keys takes 1 to %d keys", protocol.MaxBackupKeysPerCall)
	}
	for _, k := range r.Keys {
		if err := checkRoomID(k.RoomID); err != nil {
			return protocol.BackupKeysEvent{}, err
		}
		if err := chat.ValidateBackupRoomKey(k); err != nil {
			return protocol.BackupKeysEvent{}, err
		}
	}
	if _, err := ks.GetKeyBackup(ctx, c.UserID); chat.ErrorCode(err) == chat.NotFound {
		return protocol.BackupKeysEvent{}, chat.Errorf(chat.Invalid, "you have no key backup: set one up first (setKeyBackup)")
	} else if err != nil {
		return protocol.BackupKeysEvent{}, storeErr(err, "get key backup")
	}
	if err := ks.PutBackupKeys(ctx, c.UserID, r.Keys); err != nil {
		return protocol.BackupKeysEvent{}, storeErr(err, "put backup keys")
	}
	return protocol.BackupKeysEvent{Head: protocol.Head{Type: protocol.EventBackupKeys}, Keys: []chat.BackupRoomKey{}, Stored: len(r.Keys)}, nil
}

// GetBackupKeys pages through the caller's backed-up room keys, by room
// and epoch, MaxBackupKeysPerCall a page.
func (s *Chat) GetBackupKeys(ctx context.Context, c chat.Connection, r protocol.GetBackupKeysRequest) (protocol.BackupKeysEvent, error) {
	ks, err := s.keysFor(c, chat.ActGetBackupKeys)
	if err != nil {
		return protocol.BackupKeysEvent{}, err
	}
	keys, next, err := ks.ListBackupKeys(ctx, c.UserID, r.Cursor, protocol.MaxBackupKeysPerCall)
	if err != nil {
		return protocol.BackupKeysEvent{}, storeErr(err, "list backup keys")
	}
	if keys == nil {
		keys = []chat.BackupRoomKey{}
	}
	return protocol.BackupKeysEvent{Head: protocol.Head{Type: protocol.EventBackupKeys}, Keys: keys, Cursor: next}, nil
}

// DeviceMessage relays a JSON object (at most MaxDeviceMessageBytes) from
// the caller's registered device to one device: one of the caller's own,
// or of someone who shares an encrypted room with them. It reaches the
// connections that registered that device (none online: nothing is kept;
// the protocols over it time out and start again).
func (s *Chat) DeviceMessage(ctx context.Context, c chat.Connection, r protocol.DeviceMessageRequest) error {
	ks, err := s.keysFor(c, chat.ActDeviceMessage)
	if err != nil {
		return err
	}
	if r.UserID == "" || len(r.UserID) > maxIDLen {
		return chat.Errorf(chat.Invalid, "userId is required")
	}
	if !chat.ValidDeviceID(r.DeviceID) {
		return chat.Errorf(chat.Invalid, "deviceId is malformed")
	}
	if len(r.Body) > protocol.MaxDeviceMessageBytes {
		return chat.Errorf(chat.TooLarge, "a device message body is at most %d bytes", protocol.MaxDeviceMessageBytes)
	}
	body := bytes.TrimSpace(r.Body)
	if len(body) == 0 || body[0] != '{' || !json.Valid(body) {
		return chat.Errorf(chat.Invalid, "body must be a JSON object")
	}
	if c.DeviceID == "" {
		return chat.Errorf(chat.Invalid, "register this device first (registerDevice)")
	}
	if _, err := ks.GetDevice(ctx, c.UserID, c.DeviceID); chat.ErrorCode(err) == chat.NotFound {
		return chat.Errorf(chat.Forbidden, "this device was removed: register it again")
	} else if err != nil {
		return storeErr(err, "get device")
	}
	if r.UserID != c.UserID {
		shared, err := s.shareEncryptedRoom(ctx, c.UserID, r.UserID)
		if err != nil {
			return err
		}
		if !shared {
			return chat.Errorf(chat.Forbidden, "you can reach only your own devices and those of people you share an encrypted conversation with")
		}
	}
	if _, err := ks.GetDevice(ctx, r.UserID, r.DeviceID); err != nil {
		return storeErr(err, "get device")
	}
	conns, err := ks.DeviceConnections(ctx, r.UserID, r.DeviceID)
	if err != nil {
		return storeErr(err, "device connections")
	}
	s.push.send(ctx, conns, protocol.DeviceMessageEvent{Head: protocol.Head{Type: protocol.EventDeviceMessage},
		FromUserID: c.UserID, FromDeviceID: c.DeviceID, Body: json.RawMessage(body)})
	return nil
}

// shareEncryptedRoom says whether a and b are both members of an
// encrypted room: their memberships (two Queries at once), then the rooms
// they share, read until an encrypted one turns up.
func (s *Chat) shareEncryptedRoom(ctx context.Context, a, b string) (bool, error) {
	var (
		ma, mb     []chat.Member
		errA, errB error
		wg         sync.WaitGroup
	)
	wg.Go(func() { ma, errA = s.store.UserRooms(ctx, a) })
	mb, errB = s.store.UserRooms(ctx, b)
	wg.Wait()
	if errA != nil || errB != nil {
		return false, storeErr(firstOfErrs(errA, errB), "user rooms")
	}
	theirs := map[string]bool{}
	for _, m := range mb {
		theirs[m.RoomID] = true
	}
	var shared []string
	for _, m := range ma {
		if theirs[m.RoomID] {
			shared = append(shared, m.RoomID)
		}
	}
	enc, err := s.encryptedRoomsAmong(ctx, shared)
	return len(enc) > 0, err
}

func firstOfErrs(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// encryptedRoomsAmong reads the rooms (storeConcurrency at a time) and returns
// the encrypted ones; rooms gone meanwhile are skipped.
func (s *Chat) encryptedRoomsAmong(ctx context.Context, roomIDs []string) ([]string, error) {
	enc := make([]bool, len(roomIDs))
	if err := forEach(len(roomIDs), func(i int) error {
		room, err := s.store.GetRoom(ctx, roomIDs[i])
		if chat.ErrorCode(err) == chat.NotFound {
			return nil
		}
		if err != nil {
			return storeErr(err, "get room")
		}
		enc[i] = room.Encrypted
		return nil
	}); err != nil {
		return nil, err
	}
	var out []string
	for i, id := range roomIDs {
		if enc[i] {
			out = append(out, id)
		}
	}
	return out, nil
}

// keysChanged tells the person's connections (but the caller's) and
// everyone connected to an encrypted room of theirs that their keys
// changed. Cost: a Query of their memberships, a GetItem per room, a
// Query per encrypted room's connections and of their own. Failures are
// logged: the change is stored, and clients refetch keys on resume.
func (s *Chat) keysChanged(ctx context.Context, c chat.Connection, userID string) {
	var rooms []string
	members, err := s.store.UserRooms(ctx, userID)
	if err == nil {
		ids := make([]string, 0, len(members))
		for _, m := range members {
			ids = append(ids, m.RoomID)
		}
		rooms, err = s.encryptedRoomsAmong(ctx, ids)
	}
	if err != nil {
		s.log.WarnContext(ctx, "keysChanged audience", slog.String("userId", userID), slog.Any("error", err))
	}
	audience := s.push.sharedAudience(ctx, userID, rooms)
	own, err := s.store.UserConnections(ctx, userID)
	if err != nil {
		s.log.WarnContext(ctx, "user connections", slog.Any("error", err))
	}
	audience = without(append(audience, own...), c.ID)
	s.push.send(ctx, audience, protocol.KeysChangedEvent{Head: protocol.Head{Type: protocol.EventKeysChanged}, UserID: userID})
}
