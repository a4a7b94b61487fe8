package dynamo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// The key directory of end-to-end encryption (issue 19, chat.KeyStore):
// every item is under the person's partition USER#<userId>, beside their
// preferences and push subscriptions, so the account erasure deletes them
// with the rest of that partition and one Query reads a person's keys:
//
//	E2EEBACKUP                        the key backup (wrapped backup key, sealed identity, KDF, proof hash, wrong-proof count)
//	E2EEBKEY#<roomId>#<epoch %010d>   a backed-up room key, sealed by the backup key
//	E2EEDEV#<deviceId>                a device (store_e2ee_devices.go)
//	E2EEID                            the identity key
//
// They sort in that order, so devices and the identity are one range
// (E2EEDEV# .. E2EEID) that GetUserKeys reads without the backup keys.
// None has a TTL: they live until the person removes them, resets their
// identity or their account is erased.
const (
	skE2EEIdentity         = "E2EEID"
	skE2EEBackup           = "E2EEBACKUP"
	prefixE2EEBackupKey    = "E2EEBKEY#"
	attrFailedProofs       = "failedProofs"
	attrFailedSinceMs      = "failedSinceMs"
	backupKeysDeletePage   = 100
	maxProofAttemptRetries = 5
)

var _ chat.KeyStore = (*Store)(nil)

func e2eeBackupKeySK(roomID string, epoch int) string {
	return fmt.Sprintf("%s%s#%010d", prefixE2EEBackupKey, roomID, epoch)
}

type e2eeIdentityItem struct {
	PK          string    `dynamo:"pk"`
	SK          string    `dynamo:"sk"`
	UserID      string    `dynamo:"userId"`
	IdentityKey string    `dynamo:"identityKey"`
	CreatedAt   time.Time `dynamo:"createdAt"`
}

// e2eeBackupItem is the key backup. FailedSinceMs (Unix ms, a number the
// proof counter's conditions compare) starts the window of wrong proofs.
type e2eeBackupItem struct {
	PK            string    `dynamo:"pk"`
	SK            string    `dynamo:"sk"`
	UserID        string    `dynamo:"userId"`
	KDFAlg        string    `dynamo:"kdfAlg"`
	KDFN          int       `dynamo:"kdfN"`
	KDFR          int       `dynamo:"kdfR"`
	KDFP          int       `dynamo:"kdfP"`
	KDFSalt       string    `dynamo:"kdfSalt"`
	ProofHash     string    `dynamo:"proofHash"`
	WrappedKey    string    `dynamo:"wrappedKey"`
	Identity      string    `dynamo:"identity"`
	UpdatedAt     time.Time `dynamo:"updatedAt"`
	FailedProofs  int       `dynamo:"failedProofs,omitempty"`
	FailedSinceMs int64     `dynamo:"failedSinceMs,omitempty"`
}

func (it e2eeBackupItem) backup() chat.KeyBackup {
	b := chat.KeyBackup{UserID: it.UserID, KDF: chat.BackupKDF{Alg: it.KDFAlg, N: it.KDFN, R: it.KDFR, P: it.KDFP, Salt: it.KDFSalt},
		ProofHash: it.ProofHash, WrappedKey: it.WrappedKey, Identity: it.Identity, UpdatedAt: it.UpdatedAt, FailedProofs: it.FailedProofs}
	if it.FailedSinceMs > 0 {
		b.FailedSince = time.UnixMilli(it.FailedSinceMs).UTC()
	}
	return b
}

type e2eeBackupKeyItem struct {
	PK     string `dynamo:"pk"`
	SK     string `dynamo:"sk"`
	UserID string `dynamo:"userId"`
	RoomID string `dynamo:"roomId"`
	Epoch  int    `dynamo:"epoch"`
	Key    string `dynamo:"key"`
}

// CreateDevice is one conditional PutItem.
func (s *Store) CreateDevice(ctx context.Context, d chat.Device) error {
	ctx = withOp(ctx, "CreateDevice")
	if d.UserID == "" || d.DeviceID == "" {
		return chat.Errorf(chat.Invalid, "a device needs a user and an id")
	}
	it := e2eeDeviceItem{PK: userPK(d.UserID), SK: e2eeDeviceSK(d.DeviceID), UserID: d.UserID, DeviceID: d.DeviceID,
		Name: d.Name, PublicKey: d.PublicKey, Signature: d.Signature, CreatedAt: utc(d.CreatedAt), LastSeenAt: utcOrZero(d.LastSeenAt)}
	err := s.table.Put(it).If("attribute_not_exists($)", AttrPK).Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.Conflict, "the device exists")
	}
	if err != nil {
		return internal(err, "create device")
	}
	return nil
}

// ListDevices is one Query of the E2EEDEV# items.
func (s *Store) ListDevices(ctx context.Context, userID string) ([]chat.Device, error) {
	ctx = withOp(ctx, "ListDevices")
	var items []e2eeDeviceItem
	err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.BeginsWith, prefixE2EEDevice).Consistent(true).All(ctx, &items)
	if err != nil {
		return nil, internal(err, "list devices")
	}
	return sortedDevices(items), nil
}

func sortedDevices(items []e2eeDeviceItem) []chat.Device {
	out := make([]chat.Device, 0, len(items))
	for _, it := range items {
		out = append(out, it.device())
	}
	slices.SortStableFunc(out, func(a, b chat.Device) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.DeviceID, b.DeviceID)
	})
	return out
}

// SeeDevice is one conditional UpdateItem.
func (s *Store) SeeDevice(ctx context.Context, userID, deviceID, name string, at time.Time) (chat.Device, error) {
	ctx = withOp(ctx, "SeeDevice")
	var it e2eeDeviceItem
	err := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, e2eeDeviceSK(deviceID)).
		Set("name", name).Set("lastSeenAt", utc(at)).If("attribute_exists($)", AttrPK).Value(ctx, &it)
	if isCondFailed(err) {
		return chat.Device{}, chat.Errorf(chat.NotFound, "no such device")
	}
	if err != nil {
		return chat.Device{}, internal(err, "see device")
	}
	return it.device(), nil
}

// SetDeviceSignature is one conditional UpdateItem (and a GetItem to tell
// a gone device from a changed key when the condition fails).
func (s *Store) SetDeviceSignature(ctx context.Context, userID, deviceID, publicKey, signature string) (chat.Device, error) {
	ctx = withOp(ctx, "SetDeviceSignature")
	u := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, e2eeDeviceSK(deviceID))
	if signature == "" {
		u = u.Remove("signature")
	} else {
		u = u.Set("signature", signature)
	}
	var it e2eeDeviceItem
	err := u.If("attribute_exists($) AND $ = ?", AttrPK, "publicKey", publicKey).Value(ctx, &it)
	if isCondFailed(err) {
		if _, gerr := s.GetDevice(ctx, userID, deviceID); gerr != nil {
			return chat.Device{}, gerr
		}
		return chat.Device{}, chat.Errorf(chat.Conflict, "the device's key changed")
	}
	if err != nil {
		return chat.Device{}, internal(err, "sign device")
	}
	return it.device(), nil
}

// DeleteDevice is one DeleteItem returning the old item.
func (s *Store) DeleteDevice(ctx context.Context, userID, deviceID string) error {
	ctx = withOp(ctx, "DeleteDevice")
	var old e2eeDeviceItem
	err := s.table.Delete(AttrPK, userPK(userID)).Range(AttrSK, e2eeDeviceSK(deviceID)).OldValue(ctx, &old)
	if isNotFound(err) || (err == nil && old.DeviceID == "") {
		return chat.Errorf(chat.NotFound, "no such device")
	}
	if err != nil {
		return internal(err, "delete device")
	}
	return nil
}

// GetKeyIdentity is one GetItem.
func (s *Store) GetKeyIdentity(ctx context.Context, userID string) (chat.KeyIdentity, error) {
	ctx = withOp(ctx, "GetKeyIdentity")
	var it e2eeIdentityItem
	err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.Equal, skE2EEIdentity).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.KeyIdentity{}, chat.Errorf(chat.NotFound, "no identity key")
	}
	if err != nil {
		return chat.KeyIdentity{}, internal(err, "get identity key")
	}
	return chat.KeyIdentity{UserID: it.UserID, IdentityKey: it.IdentityKey, CreatedAt: it.CreatedAt}, nil
}

// SetKeyIdentity is one conditional PutItem.
func (s *Store) SetKeyIdentity(ctx context.Context, id chat.KeyIdentity, previous string) error {
	ctx = withOp(ctx, "SetKeyIdentity")
	if id.UserID == "" || id.IdentityKey == "" {
		return chat.Errorf(chat.Invalid, "an identity needs a user and a key")
	}
	put := s.table.Put(e2eeIdentityItem{PK: userPK(id.UserID), SK: skE2EEIdentity, UserID: id.UserID, IdentityKey: id.IdentityKey, CreatedAt: utc(id.CreatedAt)})
	if previous == "" {
		put = put.If("attribute_not_exists($)", AttrPK)
	} else {
		put = put.If("$ = ?", "identityKey", previous)
	}
	err := put.Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.Conflict, "the identity key changed meanwhile")
	}
	if err != nil {
		return internal(err, "set identity key")
	}
	return nil
}

// GetUserKeys is one Query: the range E2EEDEV# .. E2EEID.
func (s *Store) GetUserKeys(ctx context.Context, userID string) (chat.KeyIdentity, []chat.Device, error) {
	ctx = withOp(ctx, "GetUserKeys")
	iter := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.Between, prefixE2EEDevice, skE2EEIdentity).Consistent(true).Iter()
	var (
		id      chat.KeyIdentity
		devices []e2eeDeviceItem
		item    gdynamo.Item
	)
	for iter.Next(ctx, &item) {
		var sk string
		if v, ok := item[AttrSK]; ok {
			_ = gdynamo.Unmarshal(v, &sk)
		}
		switch {
		case sk == skE2EEIdentity:
			var it e2eeIdentityItem
			if err := gdynamo.UnmarshalItem(item, &it); err != nil {
				return id, nil, internal(err, "read identity key")
			}
			id = chat.KeyIdentity{UserID: it.UserID, IdentityKey: it.IdentityKey, CreatedAt: it.CreatedAt}
		case strings.HasPrefix(sk, prefixE2EEDevice):
			var it e2eeDeviceItem
			if err := gdynamo.UnmarshalItem(item, &it); err != nil {
				return id, nil, internal(err, "read device")
			}
			devices = append(devices, it)
		}
		item = nil
	}
	if err := iter.Err(); err != nil {
		return chat.KeyIdentity{}, nil, internal(err, "user keys")
	}
	return id, sortedDevices(devices), nil
}

// GetKeyBackup is one GetItem.
func (s *Store) GetKeyBackup(ctx context.Context, userID string) (chat.KeyBackup, error) {
	ctx = withOp(ctx, "GetKeyBackup")
	var it e2eeBackupItem
	err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.Equal, skE2EEBackup).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.KeyBackup{}, chat.Errorf(chat.NotFound, "no key backup")
	}
	if err != nil {
		return chat.KeyBackup{}, internal(err, "get key backup")
	}
	return it.backup(), nil
}

// PutKeyBackup is one PutItem (conditional unless replace).
func (s *Store) PutKeyBackup(ctx context.Context, b chat.KeyBackup, replace bool) error {
	ctx = withOp(ctx, "PutKeyBackup")
	if b.UserID == "" {
		return chat.Errorf(chat.Invalid, "a key backup needs a user")
	}
	put := s.table.Put(e2eeBackupItem{PK: userPK(b.UserID), SK: skE2EEBackup, UserID: b.UserID,
		KDFAlg: b.KDF.Alg, KDFN: b.KDF.N, KDFR: b.KDF.R, KDFP: b.KDF.P, KDFSalt: b.KDF.Salt,
		ProofHash: b.ProofHash, WrappedKey: b.WrappedKey, Identity: b.Identity, UpdatedAt: utc(b.UpdatedAt)})
	if !replace {
		put = put.If("attribute_not_exists($)", AttrPK)
	}
	err := put.Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.Conflict, "a key backup exists")
	}
	if err != nil {
		return internal(err, "put key backup")
	}
	return nil
}

// DeleteKeyBackup is one DeleteItem.
func (s *Store) DeleteKeyBackup(ctx context.Context, userID string) error {
	ctx = withOp(ctx, "DeleteKeyBackup")
	if err := s.table.Delete(AttrPK, userPK(userID)).Range(AttrSK, skE2EEBackup).Run(ctx); err != nil {
		return internal(err, "delete key backup")
	}
	return nil
}

// TakeProofAttempt is one conditional UpdateItem in the common cases: a
// new window (no attempt counted, or the window ended) sets the count to
// 1; within the window, ADD 1 while below max. Both conditions failing
// means the backup is gone, or locked, or changed between the two (read
// and retried).
func (s *Store) TakeProofAttempt(ctx context.Context, userID string, now time.Time, window time.Duration, max int) (chat.KeyBackup, bool, error) {
	ctx = withOp(ctx, "TakeProofAttempt")
	nowMs, cutoff := now.UnixMilli(), now.Add(-window).UnixMilli()
	for attempt := 0; ; attempt++ {
		var it e2eeBackupItem
		err := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, skE2EEBackup).
			Set(attrFailedProofs, 1).Set(attrFailedSinceMs, nowMs).
			If("attribute_exists($) AND (attribute_not_exists($) OR $ <= ?)", AttrPK, attrFailedSinceMs, attrFailedSinceMs, cutoff).
			Value(ctx, &it)
		if err == nil {
			return it.backup(), true, nil
		}
		if !isCondFailed(err) {
			return chat.KeyBackup{}, false, internal(err, "count proof attempt")
		}
		err = s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, skE2EEBackup).
			Add(attrFailedProofs, 1).
			If("attribute_exists($) AND $ > ? AND $ < ?", AttrPK, attrFailedSinceMs, cutoff, attrFailedProofs, max).
			Value(ctx, &it)
		if err == nil {
			return it.backup(), true, nil
		}
		if !isCondFailed(err) {
			return chat.KeyBackup{}, false, internal(err, "count proof attempt")
		}
		b, err := s.GetKeyBackup(ctx, userID)
		if err != nil {
			return chat.KeyBackup{}, false, err
		}
		if b.FailedProofs >= max && b.FailedSince.UnixMilli() > cutoff {
			return b, false, nil
		}
		if attempt >= maxProofAttemptRetries {
			return chat.KeyBackup{}, false, chat.Errorf(chat.Conflict, "the key backup is changing: try again")
		}
	}
}

// ClearProofAttempts is one UpdateItem (REMOVE), if the backup is there.
func (s *Store) ClearProofAttempts(ctx context.Context, userID string) error {
	ctx = withOp(ctx, "ClearProofAttempts")
	err := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, skE2EEBackup).
		Remove(attrFailedProofs, attrFailedSinceMs).If("attribute_exists($)", AttrPK).Run(ctx)
	if err != nil && !isCondFailed(err) {
		return internal(err, "clear proof attempts")
	}
	return nil
}

// PutBackupKeys is a BatchWriteItem (25 a request, unprocessed retried).
func (s *Store) PutBackupKeys(ctx context.Context, userID string, keys []chat.BackupRoomKey) error {
	ctx = withOp(ctx, "PutBackupKeys")
	if len(keys) == 0 {
		return nil
	}
	seen := map[string]bool{}
	items := make([]any, 0, len(keys))
	for i := len(keys) - 1; i >= 0; i-- { // the last of duplicates wins, as a Put would
		k := keys[i]
		if k.RoomID == "" {
			return chat.Errorf(chat.Invalid, "a backed-up key needs a room")
		}
		sk := e2eeBackupKeySK(k.RoomID, k.Epoch)
		if seen[sk] {
			continue
		}
		seen[sk] = true
		items = append(items, e2eeBackupKeyItem{PK: userPK(userID), SK: sk, UserID: userID, RoomID: k.RoomID, Epoch: k.Epoch, Key: k.Key})
	}
	if _, err := s.table.Batch().Write().Put(items...).Run(ctx); err != nil {
		return internal(err, "put backup keys")
	}
	return nil
}

// ListBackupKeys is one Query page of the E2EEBKEY# items.
func (s *Store) ListBackupKeys(ctx context.Context, userID, cursor string, limit int) ([]chat.BackupRoomKey, string, error) {
	ctx = withOp(ctx, "ListBackupKeys")
	limit = pageSize(limit)
	q := s.table.Get(AttrPK, userPK(userID)).Consistent(true)
	if cursor != "" {
		after, err := decodeCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		if !strings.HasPrefix(after, prefixE2EEBackupKey) {
			return nil, "", chat.Errorf(chat.Invalid, "bad cursor")
		}
		q = q.Range(AttrSK, gdynamo.Between, after+"\x00", prefixE2EEBackupKey+"\xff")
	} else {
		q = q.Range(AttrSK, gdynamo.BeginsWith, prefixE2EEBackupKey)
	}
	var items []e2eeBackupKeyItem
	if err := q.Limit(limit+1).All(ctx, &items); err != nil {
		return nil, "", internal(err, "list backup keys")
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = encodeCursor(items[limit-1].SK)
	}
	out := make([]chat.BackupRoomKey, 0, len(items))
	for _, it := range items {
		out = append(out, chat.BackupRoomKey{RoomID: it.RoomID, Epoch: it.Epoch, Key: it.Key})
	}
	return out, next, nil
}

// DeleteBackupKeys queries the keys (projecting only theirs) and deletes
// them in batches.
func (s *Store) DeleteBackupKeys(ctx context.Context, userID string) error {
	ctx = withOp(ctx, "DeleteBackupKeys")
	var items []e2eeBackupKeyItem
	err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.BeginsWith, prefixE2EEBackupKey).
		Project(AttrPK, AttrSK).Consistent(true).All(ctx, &items)
	if err != nil {
		return internal(err, "list backup keys")
	}
	for start := 0; start < len(items); start += backupKeysDeletePage {
		page := items[start:min(start+backupKeysDeletePage, len(items))]
		keys := make([]gdynamo.Keyed, 0, len(page))
		for _, it := range page {
			keys = append(keys, gdynamo.Keys{it.PK, it.SK})
		}
		if _, err := s.table.Batch(AttrPK, AttrSK).Write().Delete(keys...).Run(ctx); err != nil {
			return internal(err, "delete backup keys")
		}
	}
	return nil
}

// SetConnectionDevice is two conditional UpdateItems: the connection
// (GetConnection returns the device) and its user link (which
// DeviceConnections queries).
func (s *Store) SetConnectionDevice(ctx context.Context, userID, connectionID, deviceID string) error {
	ctx = withOp(ctx, "SetConnectionDevice")
	if userID == "" || connectionID == "" || deviceID == "" {
		return chat.Errorf(chat.Invalid, "a user, a connection and a device are required")
	}
	err := s.table.Update(AttrPK, connPK(connectionID)).Range(AttrSK, skMeta).
		Set("deviceId", deviceID).If("attribute_exists($) AND $ = ?", AttrPK, "userId", userID).Run(ctx)
	if isCondFailed(err) {
		return nil // gone
	}
	if err != nil {
		return internal(err, "set connection device")
	}
	err = s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, userConnSK(connectionID)).
		Set("deviceId", deviceID).If("attribute_exists($)", AttrPK).Run(ctx)
	if err != nil && !isCondFailed(err) {
		return internal(err, "set connection device")
	}
	return nil
}

// DeviceConnections is one Query of the user's connection links, filtered
// on the device.
func (s *Store) DeviceConnections(ctx context.Context, userID, deviceID string) ([]string, error) {
	ctx = withOp(ctx, "DeviceConnections")
	var items []userConnItem
	err := s.table.Get(AttrPK, userPK(userID)).
		Range(AttrSK, gdynamo.BeginsWith, prefixConn).
		Filter("$ > ? AND $ = ?", AttrTTL, s.now().Unix(), "deviceId", deviceID).
		Project("connectionId", AttrTTL).
		Consistent(true).
		All(ctx, &items)
	if err != nil {
		return nil, internal(err, "device connections")
	}
	ids := make([]string, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.ConnectionID)
	}
	slices.Sort(ids)
	return ids, nil
}
