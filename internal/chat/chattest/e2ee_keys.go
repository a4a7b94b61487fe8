package chattest

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.KeyStore = (*Store)(nil)

// keyDirState is the key directory (chat.KeyStore): exported fields so that
// Snapshot shows it.
type keyDirState struct {
	Identities  map[string]chat.KeyIdentity              // user -> identity
	Devices     map[string]map[string]chat.Device        // user -> device id -> device
	Backups     map[string]chat.KeyBackup                // user -> backup
	BackupKeys  map[string]map[string]chat.BackupRoomKey // user -> room|epoch -> key
	ConnDevices map[string]string                        // connection -> device id
}

// keyDir returns the key directory, making it on first use. Callers hold s.mu.
func (s *Store) keyDir() *keyDirState {
	if s.e2ee == nil {
		s.e2ee = &keyDirState{
			Identities: map[string]chat.KeyIdentity{}, Devices: map[string]map[string]chat.Device{},
			Backups: map[string]chat.KeyBackup{}, BackupKeys: map[string]map[string]chat.BackupRoomKey{},
			ConnDevices: map[string]string{},
		}
	}
	return s.e2ee
}

func (s *Store) CreateDevice(ctx context.Context, d chat.Device) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "CreateDevice", d.UserID, d.DeviceID); err != nil {
		return err
	}
	k := s.keyDir()
	if _, ok := k.Devices[d.UserID][d.DeviceID]; ok {
		return chat.Errorf(chat.Conflict, "the device exists")
	}
	if k.Devices[d.UserID] == nil {
		k.Devices[d.UserID] = map[string]chat.Device{}
	}
	d.CreatedAt, d.LastSeenAt = d.CreatedAt.UTC(), d.LastSeenAt.UTC()
	k.Devices[d.UserID][d.DeviceID] = d
	return nil
}

func (s *Store) ListDevices(ctx context.Context, userID string) ([]chat.Device, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ListDevices", userID); err != nil {
		return nil, err
	}
	return s.devicesOf(userID), nil
}

// devicesOf lists a person's devices oldest first. Callers hold s.mu.
func (s *Store) devicesOf(userID string) []chat.Device {
	out := []chat.Device{}
	for _, d := range s.keyDir().Devices[userID] {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b chat.Device) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.DeviceID, b.DeviceID))
	})
	return out
}

func (s *Store) SeeDevice(ctx context.Context, userID, deviceID, name string, at time.Time) (chat.Device, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SeeDevice", userID, deviceID); err != nil {
		return chat.Device{}, err
	}
	d, ok := s.keyDir().Devices[userID][deviceID]
	if !ok {
		return chat.Device{}, chat.Errorf(chat.NotFound, "no such device")
	}
	d.Name, d.LastSeenAt = name, at.UTC()
	s.keyDir().Devices[userID][deviceID] = d
	return d, nil
}

func (s *Store) SetDeviceSignature(ctx context.Context, userID, deviceID, publicKey, signature string) (chat.Device, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetDeviceSignature", userID, deviceID); err != nil {
		return chat.Device{}, err
	}
	d, ok := s.keyDir().Devices[userID][deviceID]
	if !ok {
		return chat.Device{}, chat.Errorf(chat.NotFound, "no such device")
	}
	if d.PublicKey != publicKey {
		return chat.Device{}, chat.Errorf(chat.Conflict, "the device's key changed")
	}
	d.Signature = signature
	s.keyDir().Devices[userID][deviceID] = d
	return d, nil
}

func (s *Store) DeleteDevice(ctx context.Context, userID, deviceID string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeleteDevice", userID, deviceID); err != nil {
		return err
	}
	if _, ok := s.keyDir().Devices[userID][deviceID]; !ok {
		return chat.Errorf(chat.NotFound, "no such device")
	}
	delete(s.keyDir().Devices[userID], deviceID)
	return nil
}

func (s *Store) GetKeyIdentity(ctx context.Context, userID string) (chat.KeyIdentity, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetKeyIdentity", userID); err != nil {
		return chat.KeyIdentity{}, err
	}
	id, ok := s.keyDir().Identities[userID]
	if !ok {
		return chat.KeyIdentity{}, chat.Errorf(chat.NotFound, "no identity key")
	}
	return id, nil
}

func (s *Store) SetKeyIdentity(ctx context.Context, id chat.KeyIdentity, previous string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetKeyIdentity", id.UserID, id.IdentityKey); err != nil {
		return err
	}
	old, ok := s.keyDir().Identities[id.UserID]
	switch {
	case previous == "" && ok:
		return chat.Errorf(chat.Conflict, "an identity key is set")
	case previous != "" && (!ok || old.IdentityKey != previous):
		return chat.Errorf(chat.Conflict, "the identity key changed")
	}
	id.CreatedAt = id.CreatedAt.UTC()
	s.keyDir().Identities[id.UserID] = id
	return nil
}

func (s *Store) GetUserKeys(ctx context.Context, userID string) (chat.KeyIdentity, []chat.Device, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetUserKeys", userID); err != nil {
		return chat.KeyIdentity{}, nil, err
	}
	return s.keyDir().Identities[userID], s.devicesOf(userID), nil
}

func (s *Store) GetKeyBackup(ctx context.Context, userID string) (chat.KeyBackup, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetKeyBackup", userID); err != nil {
		return chat.KeyBackup{}, err
	}
	b, ok := s.keyDir().Backups[userID]
	if !ok {
		return chat.KeyBackup{}, chat.Errorf(chat.NotFound, "no key backup")
	}
	return b, nil
}

func (s *Store) PutKeyBackup(ctx context.Context, b chat.KeyBackup, replace bool) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "PutKeyBackup", b.UserID); err != nil {
		return err
	}
	if _, ok := s.keyDir().Backups[b.UserID]; ok && !replace {
		return chat.Errorf(chat.Conflict, "a key backup exists")
	}
	b.FailedProofs, b.FailedSince, b.UpdatedAt = 0, time.Time{}, b.UpdatedAt.UTC()
	s.keyDir().Backups[b.UserID] = b
	return nil
}

func (s *Store) DeleteKeyBackup(ctx context.Context, userID string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeleteKeyBackup", userID); err != nil {
		return err
	}
	delete(s.keyDir().Backups, userID)
	return nil
}

func (s *Store) TakeProofAttempt(ctx context.Context, userID string, now time.Time, window time.Duration, max int) (chat.KeyBackup, bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "TakeProofAttempt", userID); err != nil {
		return chat.KeyBackup{}, false, err
	}
	b, ok := s.keyDir().Backups[userID]
	if !ok {
		return chat.KeyBackup{}, false, chat.Errorf(chat.NotFound, "no key backup")
	}
	switch {
	case b.FailedSince.IsZero() || !now.Before(b.FailedSince.Add(window)):
		b.FailedProofs, b.FailedSince = 1, now.UTC()
	case b.FailedProofs < max:
		b.FailedProofs++
	default:
		return b, false, nil
	}
	s.keyDir().Backups[userID] = b
	return b, true, nil
}

func (s *Store) ClearProofAttempts(ctx context.Context, userID string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ClearProofAttempts", userID); err != nil {
		return err
	}
	if b, ok := s.keyDir().Backups[userID]; ok {
		b.FailedProofs, b.FailedSince = 0, time.Time{}
		s.keyDir().Backups[userID] = b
	}
	return nil
}

// backupKeySK orders backed-up keys as the DynamoDB adapter does.
func backupKeySK(k chat.BackupRoomKey) string { return fmt.Sprintf("%s#%010d", k.RoomID, k.Epoch) }

func (s *Store) PutBackupKeys(ctx context.Context, userID string, keys []chat.BackupRoomKey) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "PutBackupKeys", userID); err != nil {
		return err
	}
	for _, k := range keys {
		if k.RoomID == "" {
			return chat.Errorf(chat.Internal, "PutBackupKeys: empty key attribute")
		}
	}
	ks := s.keyDir()
	if ks.BackupKeys[userID] == nil {
		ks.BackupKeys[userID] = map[string]chat.BackupRoomKey{}
	}
	for _, k := range keys {
		ks.BackupKeys[userID][backupKeySK(k)] = k
	}
	return nil
}

func (s *Store) ListBackupKeys(ctx context.Context, userID, cursor string, limit int) ([]chat.BackupRoomKey, string, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ListBackupKeys", userID); err != nil {
		return nil, "", err
	}
	after := ""
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(b) == 0 {
			return nil, "", chat.Errorf(chat.Invalid, "bad cursor")
		}
		after = string(b)
	}
	if limit <= 0 {
		limit = 50
	}
	var sks []string
	for sk := range s.keyDir().BackupKeys[userID] {
		if sk > after {
			sks = append(sks, sk)
		}
	}
	slices.Sort(sks)
	next := ""
	if len(sks) > limit {
		sks = sks[:limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(sks[limit-1]))
	}
	out := []chat.BackupRoomKey{}
	for _, sk := range sks {
		out = append(out, s.keyDir().BackupKeys[userID][sk])
	}
	return out, next, nil
}

func (s *Store) DeleteBackupKeys(ctx context.Context, userID string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeleteBackupKeys", userID); err != nil {
		return err
	}
	delete(s.keyDir().BackupKeys, userID)
	return nil
}

func (s *Store) SetConnectionDevice(ctx context.Context, userID, connectionID, deviceID string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetConnectionDevice", userID, connectionID, deviceID); err != nil {
		return err
	}
	c, ok := s.connections[connectionID]
	if !ok || c.UserID != userID {
		return nil
	}
	c.DeviceID = deviceID
	s.connections[connectionID] = c
	s.keyDir().ConnDevices[connectionID] = deviceID
	return nil
}

func (s *Store) DeviceConnections(ctx context.Context, userID, deviceID string) ([]string, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeviceConnections", userID, deviceID); err != nil {
		return nil, err
	}
	var out []string
	for id := range s.userConns[userID] {
		if c, ok := s.connections[id]; ok && c.DeviceID == deviceID {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}
