package service_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// kdRoom stores an encrypted private channel with members (before they
// connect, so their connections are in its fan-out index).
func kdRoom(h *harness, id string, encrypted bool, members ...string) {
	h.t.Helper()
	room := chat.Room{ID: id, Kind: chat.KindPrivate, Name: id, CreatedBy: members[0], CreatedAt: h.clock(), Encrypted: encrypted}
	var ms []chat.Member
	for _, m := range members {
		ms = append(ms, chat.Member{RoomID: id, UserID: m, Role: chat.RoleMember, JoinedAt: h.clock()})
	}
	if err := h.store.CreateRoom(h.ctx, room, ms); err != nil {
		h.t.Fatal(err)
	}
}

// kdRegister registers a device on c and returns c as the store now has it.
func kdRegister(h *harness, c chat.Connection, dev, pub string) chat.Connection {
	h.t.Helper()
	ev, err := h.svc.RegisterDevice(h.ctx, c, protocol.RegisterDeviceRequest{DeviceID: dev, Name: "Laptop", PublicKey: pub})
	if err != nil {
		h.t.Fatalf("RegisterDevice: %v", err)
	}
	if ev.Device.DeviceID != dev || ev.Device.PublicKey != pub || ev.Device.Signature != "" {
		h.t.Fatalf("device = %+v", ev.Device)
	}
	got, err := h.svc.Connection(h.ctx, c.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	if got.DeviceID != dev {
		h.t.Fatalf("connection %s has device %q, want %q", c.ID, got.DeviceID, dev)
	}
	return got
}

// TestDeviceLifecycle: register (the connection is marked, the person's
// other connection told keysChanged), register again with the same key
// (renamed, seen, nothing pushed), another key under the id
// (conflict), bad ids, names and keys, at most 20, list, remove (others
// told deviceRemoved and keysChanged), remove again (not found).
func TestDeviceLifecycle(t *testing.T) {
	h := newHarness(t)
	ann := h.connect("ann", "a1")
	ann2 := h.connect("ann", "a2")
	dev, pub := kdDeviceID("ann-laptop"), kdDeviceKey(t)
	ann = kdRegister(h, ann, dev, pub)
	decodeOne[protocol.KeysChangedEvent](t, h.fan, "a2", protocol.EventKeysChanged) // a new device

	h.advance(time.Minute)
	h.fan.Reset()
	again, err := h.svc.RegisterDevice(h.ctx, ann2, protocol.RegisterDeviceRequest{DeviceID: dev, Name: "  Work laptop ", PublicKey: pub})
	if err != nil || again.Device.Name != "Work laptop" || !again.Device.LastSeenAt.Equal(h.clock()) || again.Device.CreatedAt.Equal(h.clock()) {
		t.Fatalf("registering again: %+v, %v", again.Device, err)
	}
	if sends := h.fan.Sends(); len(sends) != 0 {
		t.Errorf("registering a known device again pushed %d times", len(sends))
	}
	_, err = h.svc.RegisterDevice(h.ctx, ann, protocol.RegisterDeviceRequest{DeviceID: dev, Name: "Laptop", PublicKey: kdDeviceKey(t)})
	wantCode(t, err, chat.Conflict)

	offCurve := make([]byte, 65)
	offCurve[0], offCurve[64] = 4, 1
	for _, bad := range []protocol.RegisterDeviceRequest{
		{DeviceID: "dev_short", Name: "x", PublicKey: pub},
		{DeviceID: "dev_" + strings.Repeat("A", 26), Name: "x", PublicKey: pub},
		{DeviceID: kdDeviceID("n"), Name: "", PublicKey: pub},
		{DeviceID: kdDeviceID("n"), Name: strings.Repeat("é", 65), PublicKey: pub},
		{DeviceID: kdDeviceID("n"), Name: "a\nb", PublicKey: pub},
		{DeviceID: kdDeviceID("n"), Name: "x", PublicKey: kdB64.EncodeToString(offCurve)},
		{DeviceID: kdDeviceID("n"), Name: "x", PublicKey: pub[:40]},
		{DeviceID: kdDeviceID("n"), Name: "x", PublicKey: pub + "="},
	} {
		_, err := h.svc.RegisterDevice(h.ctx, ann, bad)
		wantCode(t, err, chat.Invalid)
	}

	for i := 1; i < protocol.MaxDevicesPerPerson; i++ {
		if _, err := h.svc.RegisterDevice(h.ctx, ann2, protocol.RegisterDeviceRequest{DeviceID: kdDeviceID(fmt.Sprint("d", i)), Name: "D", PublicKey: kdDeviceKey(t)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = h.svc.RegisterDevice(h.ctx, ann2, protocol.RegisterDeviceRequest{DeviceID: kdDeviceID("one too many"), Name: "D", PublicKey: kdDeviceKey(t)})
	wantCode(t, err, chat.Invalid)
	list, err := h.svc.ListDevices(h.ctx, ann)
	if err != nil || len(list.Devices) != protocol.MaxDevicesPerPerson || list.Devices[0].DeviceID != dev {
		t.Fatalf("listDevices: %d devices, %v", len(list.Devices), err)
	}

	h.fan.Reset()
	gone := kdDeviceID("d1")
	left, err := h.svc.RemoveDevice(h.ctx, ann, protocol.DeviceRequest{DeviceID: gone})
	if err != nil || len(left.Devices) != protocol.MaxDevicesPerPerson-1 {
		t.Fatalf("removeDevice: %d left, %v", len(left.Devices), err)
	}
	for _, conn := range []string{"a1", "a2"} {
		if got := decodeOne[protocol.DeviceRemovedEvent](t, h.fan, conn, protocol.EventDeviceRemoved); got.DeviceID != gone {
			t.Errorf("%s: deviceRemoved %+v", conn, got)
		}
	}
	decodeOne[protocol.KeysChangedEvent](t, h.fan, "a2", protocol.EventKeysChanged)
	if n := len(h.fan.OfType("a1", protocol.EventKeysChanged)); n != 0 {
		t.Errorf("the caller got keysChanged %d times: it has the reply", n)
	}
	_, err = h.svc.RemoveDevice(h.ctx, ann, protocol.DeviceRequest{DeviceID: gone})
	wantCode(t, err, chat.NotFound)
}

// TestSignDeviceVerifiesTheSignature: the server checks the identity's
// ECDSA P-256 signature (made here by Go's crypto/ecdsa, r||s as WebCrypto
// gives it) and refuses another key's, another device's or a malformed
// one; a good one is stored and keysChanged goes to the person's other
// connections and to members of their encrypted rooms, not of plain ones.
func TestSignDeviceVerifiesTheSignature(t *testing.T) {
	h := newHarness(t)
	kdRoom(h, "secret", true, "ann", "bob")
	kdRoom(h, "plain", false, "ann", "cat")
	ann := h.connect("ann", "a1")
	h.connect("ann", "a2")
	h.connect("bob", "b1")
	h.connect("cat", "c1")
	dev, pub := kdDeviceID("ann-1"), kdDeviceKey(t)
	ann = kdRegister(h, ann, dev, pub)
	other, otherPub := kdDeviceID("ann-2"), kdDeviceKey(t)
	kdRegister(h, h.connect("ann", "a3"), other, otherPub)

	id, idPub := kdIdentity(t)
	sig := chattest.SignDevice(id, "ann", dev, pub)
	_, err := h.svc.SignDevice(h.ctx, ann, protocol.SignDeviceRequest{DeviceID: dev, Signature: sig})
	wantCode(t, err, chat.Invalid) // no identity key yet
	if _, err := h.svc.SetIdentityKey(h.ctx, ann, protocol.SetIdentityKeyRequest{IdentityKey: idPub}); err != nil {
		t.Fatal(err)
	}

	stranger, _ := kdIdentity(t)
	raw, _ := kdB64.DecodeString(sig)
	raw[10] ^= 1
	for name, bad := range map[string]string{
		"another identity's":         chattest.SignDevice(stranger, "ann", dev, pub),
		"another device's":           chattest.SignDevice(id, "ann", other, otherPub),
		"another person's payload":   chattest.SignDevice(id, "bob", dev, pub),
		"a flipped bit":              kdB64.EncodeToString(raw),
		"63 bytes":                   kdB64.EncodeToString(raw[:63]),
		"not base64url":              strings.Repeat("+", 86),
		"empty":                      "",
		"the device's key as a sig?": pub,
	} {
		_, err := h.svc.SignDevice(h.ctx, ann, protocol.SignDeviceRequest{DeviceID: dev, Signature: bad})
		if chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("%s signature: %v, want invalid", name, err)
		}
	}
	_, err = h.svc.SignDevice(h.ctx, ann, protocol.SignDeviceRequest{DeviceID: kdDeviceID("nope"), Signature: sig})
	wantCode(t, err, chat.NotFound)

	h.fan.Reset()
	ev, err := h.svc.SignDevice(h.ctx, ann, protocol.SignDeviceRequest{DeviceID: dev, Signature: sig})
	if err != nil || ev.Device.Signature != sig {
		t.Fatalf("signDevice: %+v, %v", ev, err)
	}
	for _, conn := range []string{"a2", "a3", "b1"} {
		if got := decodeOne[protocol.KeysChangedEvent](t, h.fan, conn, protocol.EventKeysChanged); got.UserID != "ann" {
			t.Errorf("%s: %+v", conn, got)
		}
	}
	for _, conn := range []string{"a1", "c1"} {
		if n := len(h.fan.OfType(conn, protocol.EventKeysChanged)); n != 0 {
			t.Errorf("%s got keysChanged %d times", conn, n)
		}
	}
	keys, err := h.svc.GetUserKeys(h.ctx, h.connect("cat", "c2"), protocol.GetUserKeysRequest{UserIDs: []string{"ann", "nobody", "vis_0123456789abcdef", "ann"}})
	if err != nil || len(keys.Users) != 1 {
		t.Fatalf("getUserKeys: %+v, %v", keys, err)
	}
	u := keys.Users[0]
	if u.UserID != "ann" || u.IdentityKey != idPub || len(u.Devices) != 2 || u.Devices[0].Signature != sig || u.Devices[1].Signature != "" {
		t.Errorf("ann's keys = %+v", u)
	}
	if !u.Devices[0].LastSeenAt.IsZero() {
		t.Errorf("cat sees when Ann's device was last used: %+v", u.Devices[0])
	}
	if own, _ := h.svc.GetUserKeys(h.ctx, ann, protocol.GetUserKeysRequest{UserIDs: []string{"ann"}}); own.Users[0].Devices[0].LastSeenAt.IsZero() {
		t.Errorf("Ann does not see when her own device was last used")
	}
	_, err = h.svc.GetUserKeys(h.ctx, ann, protocol.GetUserKeysRequest{})
	wantCode(t, err, chat.Invalid)
	many := make([]string, protocol.MaxUserKeysPerCall+1)
	for i := range many {
		many[i] = fmt.Sprint("u", i)
	}
	_, err = h.svc.GetUserKeys(h.ctx, ann, protocol.GetUserKeysRequest{UserIDs: many})
	wantCode(t, err, chat.Invalid)
}

// TestIdentityReset: the same identity again is a no-op; another needs
// reset; a reset keeps only the caller's device (unsigned), deletes the
// other devices, the backup and its keys, and tells deviceRemoved and
// keysChanged.
func TestIdentityReset(t *testing.T) {
	h := newHarness(t)
	ann := h.connect("ann", "a1")
	phone := h.connect("ann", "a2")
	id, err := kdSetUp(t, h.svc, &ann)
	if err != nil {
		t.Fatal(err)
	}
	phoneDev, phonePub := kdDeviceID("phone"), kdDeviceKey(t)
	kdRegister(h, phone, phoneDev, phonePub)
	if _, err := h.svc.SignDevice(h.ctx, ann, protocol.SignDeviceRequest{DeviceID: phoneDev, Signature: chattest.SignDevice(id, "ann", phoneDev, phonePub)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.SetKeyBackup(h.ctx, ann, kdBackup(5)); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.PutBackupKeys(h.ctx, ann, protocol.PutBackupKeysRequest{Keys: []chat.BackupRoomKey{{RoomID: "r1", Epoch: 1, Key: kdBytes(60, 1)}}}); err != nil {
		t.Fatal(err)
	}
	cur, err := h.store.GetKeyIdentity(h.ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	same, err := h.svc.SetIdentityKey(h.ctx, ann, protocol.SetIdentityKeyRequest{IdentityKey: cur.IdentityKey})
	if err != nil || len(same.Users) != 1 || len(same.Users[0].Devices) != 2 || same.Users[0].IdentityKey != cur.IdentityKey {
		t.Fatalf("the same identity again: %+v, %v", same, err)
	}

	_, fresh := kdIdentity(t)
	_, err = h.svc.SetIdentityKey(h.ctx, ann, protocol.SetIdentityKeyRequest{IdentityKey: fresh})
	wantCode(t, err, chat.Conflict)
	if got, _ := h.store.GetKeyIdentity(h.ctx, "ann"); got.IdentityKey != cur.IdentityKey {
		t.Fatal("a refused identity change changed the key")
	}
	_, err = h.svc.SetIdentityKey(h.ctx, ann, protocol.SetIdentityKeyRequest{IdentityKey: "BAAA", Reset: true})
	wantCode(t, err, chat.Invalid)

	h.fan.Reset()
	ev, err := h.svc.SetIdentityKey(h.ctx, ann, protocol.SetIdentityKeyRequest{IdentityKey: fresh, Reset: true})
	if err != nil {
		t.Fatal(err)
	}
	u := ev.Users[0]
	if u.IdentityKey != fresh || len(u.Devices) != 1 || u.Devices[0].DeviceID != ann.DeviceID || u.Devices[0].Signature != "" {
		t.Errorf("after the reset: %+v", u)
	}
	if _, err := h.store.GetKeyBackup(h.ctx, "ann"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("the backup outlived the reset: %v", err)
	}
	if keys, _, _ := h.store.ListBackupKeys(h.ctx, "ann", "", 10); len(keys) != 0 {
		t.Errorf("backup keys outlived the reset: %v", keys)
	}
	if got := decodeOne[protocol.DeviceRemovedEvent](t, h.fan, "a2", protocol.EventDeviceRemoved); got.DeviceID != phoneDev {
		t.Errorf("deviceRemoved = %+v", got)
	}
	decodeOne[protocol.KeysChangedEvent](t, h.fan, "a2", protocol.EventKeysChanged)
	// The phone's connection is no device of Ann's any more.
	phone, _ = h.svc.Connection(h.ctx, "a2")
	err = h.svc.DeviceMessage(h.ctx, phone, protocol.DeviceMessageRequest{UserID: "ann", DeviceID: ann.DeviceID, Body: json.RawMessage(`{}`)})
	wantCode(t, err, chat.Forbidden)
}

// TestKeyBackupProof: the backup needs an identity; without a proof only
// the KDF comes back; the right proof gives the wrapped key and the
// sealed identity; wrong ones are refused and counted; the tenth locks
// even the right one out until the 24 hours end; a right proof clears the
// count. Replacing a backup needs a signed device; the KDF and sizes are
// checked.
func TestKeyBackupProof(t *testing.T) {
	h := newHarness(t)
	ann := h.connect("ann", "a1")
	_, err := h.svc.SetKeyBackup(h.ctx, ann, kdBackup(5))
	wantCode(t, err, chat.Invalid) // no identity
	if _, err := kdSetUp(t, h.svc, &ann); err != nil {
		t.Fatal(err)
	}
	none, err := h.svc.GetKeyBackup(h.ctx, ann, protocol.GetKeyBackupRequest{})
	if err != nil || none.Exists || none.KDF != nil {
		t.Fatalf("no backup: %+v, %v", none, err)
	}
	for name, mod := range map[string]func(*protocol.SetKeyBackupRequest){
		"n not a power of two": func(r *protocol.SetKeyBackupRequest) { r.KDF.N = 3 << 15 },
		"n 2^13":               func(r *protocol.SetKeyBackupRequest) { r.KDF.N = 1 << 13 },
		"n 2^21":               func(r *protocol.SetKeyBackupRequest) { r.KDF.N = 1 << 21 },
		"r 16":                 func(r *protocol.SetKeyBackupRequest) { r.KDF.R = 16 },
		"p 0":                  func(r *protocol.SetKeyBackupRequest) { r.KDF.P = 0 },
		"p 5":                  func(r *protocol.SetKeyBackupRequest) { r.KDF.P = 5 },
		"argon2":               func(r *protocol.SetKeyBackupRequest) { r.KDF.Alg = "argon2id" },
		"salt 15 bytes":        func(r *protocol.SetKeyBackupRequest) { r.KDF.Salt = kdBytes(15, 1) },
		"proof 31 bytes":       func(r *protocol.SetKeyBackupRequest) { r.Proof = kdBytes(31, 1) },
		"wrapped key 59 bytes": func(r *protocol.SetKeyBackupRequest) { r.WrappedKey = kdBytes(59, 1) },
		"identity 2 KB":        func(r *protocol.SetKeyBackupRequest) { r.Identity = kdBytes(2048, 1) },
		"identity missing":     func(r *protocol.SetKeyBackupRequest) { r.Identity = "" },
	} {
		req := kdBackup(5)
		mod(&req)
		if _, err := h.svc.SetKeyBackup(h.ctx, ann, req); chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	right := kdBackup(5)
	set, err := h.svc.SetKeyBackup(h.ctx, ann, right)
	if err != nil || !set.Exists || set.KDF.N != 1<<17 || set.AttemptsLeft != 10 || set.WrappedKey != "" {
		t.Fatalf("setKeyBackup: %+v, %v", set, err)
	}
	if b, _ := h.store.GetKeyBackup(h.ctx, "ann"); b.ProofHash == "" || strings.Contains(b.ProofHash, right.Proof) || len(b.ProofHash) != 64 {
		t.Errorf("stored proof hash %q", b.ProofHash)
	}

	kdfOnly, err := h.svc.GetKeyBackup(h.ctx, ann, protocol.GetKeyBackupRequest{})
	if err != nil || !kdfOnly.Exists || kdfOnly.KDF == nil || kdfOnly.WrappedKey != "" || kdfOnly.Identity != "" {
		t.Fatalf("without a proof: %+v, %v", kdfOnly, err)
	}
	got, err := h.svc.GetKeyBackup(h.ctx, ann, protocol.GetKeyBackupRequest{Proof: right.Proof})
	if err != nil || got.WrappedKey != right.WrappedKey || got.Identity != right.Identity || got.AttemptsLeft != 10 {
		t.Fatalf("the right proof: %+v, %v", got, err)
	}
	_, err = h.svc.GetKeyBackup(h.ctx, ann, protocol.GetKeyBackupRequest{Proof: "short"})
	wantCode(t, err, chat.Invalid) // not counted

	wrong := kdBytes(32, 6)
	for i := 1; i <= protocol.MaxBackupProofFailures; i++ {
		_, err := h.svc.GetKeyBackup(h.ctx, ann, protocol.GetKeyBackupRequest{Proof: wrong})
		wantCode(t, err, chat.Forbidden)
		if !strings.Contains(err.Error(), "wrong passphrase") {
			t.Fatalf("wrong proof %d: %v", i, err)
		}
		if st, _ := h.svc.GetKeyBackup(h.ctx, ann, protocol.GetKeyBackupRequest{}); st.AttemptsLeft != protocol.MaxBackupProofFailures-i {
			t.Fatalf("after %d wrong proofs: %d attempts left", i, st.AttemptsLeft)
		}
		h.advance(time.Minute)
	}
	_, err = h.svc.GetKeyBackup(h.ctx, ann, protocol.GetKeyBackupRequest{Proof: right.Proof})
	wantCode(t, err, chat.Forbidden)
	if !strings.Contains(err.Error(), "too many") {
		t.Fatalf("locked: %v", err)
	}
	h.advance(24*time.Hour - 10*time.Minute)
	got, err = h.svc.GetKeyBackup(h.ctx, ann, protocol.GetKeyBackupRequest{Proof: right.Proof})
	if err != nil || got.WrappedKey != right.WrappedKey || got.AttemptsLeft != 10 {
		t.Fatalf("the right proof after the window: %+v, %v", got, err)
	}
	_, err = h.svc.GetKeyBackup(h.ctx, ann, protocol.GetKeyBackupRequest{Proof: wrong})
	wantCode(t, err, chat.Forbidden)
	if _, err := h.svc.GetKeyBackup(h.ctx, ann, protocol.GetKeyBackupRequest{Proof: right.Proof}); err != nil {
		t.Fatal(err)
	}
	if st, _ := h.svc.GetKeyBackup(h.ctx, ann, protocol.GetKeyBackupRequest{}); st.AttemptsLeft != 10 {
		t.Errorf("a right proof did not clear the count: %d left", st.AttemptsLeft)
	}

	// Replacing: only from a signed device.
	unsigned := h.connect("ann", "a2")
	kdRegister(h, unsigned, kdDeviceID("new"), kdDeviceKey(t))
	unsigned, _ = h.svc.Connection(h.ctx, "a2")
	_, err = h.svc.SetKeyBackup(h.ctx, unsigned, kdBackup(8))
	wantCode(t, err, chat.Forbidden)
	_, err = h.svc.SetKeyBackup(h.ctx, h.connect("ann", "a3"), kdBackup(8))
	wantCode(t, err, chat.Forbidden)
	if _, err := h.svc.SetKeyBackup(h.ctx, ann, kdBackup(8)); err != nil {
		t.Fatal(err)
	}
	_, err = h.svc.GetKeyBackup(h.ctx, ann, protocol.GetKeyBackupRequest{Proof: right.Proof})
	wantCode(t, err, chat.Forbidden)
}

// TestBackupKeysPaged: up to 100 keys a call, checked; replaced by room
// and epoch; read back a page of 100 at a time.
func TestBackupKeysPaged(t *testing.T) {
	h := newHarness(t)
	ann := h.connect("ann", "a1")
	key := chat.BackupRoomKey{RoomID: "r1", Epoch: 1, Key: kdBytes(60, 1)}
	if _, err := kdSetUp(t, h.svc, &ann); err != nil {
		t.Fatal(err)
	}
	_, err := h.svc.PutBackupKeys(h.ctx, ann, protocol.PutBackupKeysRequest{Keys: []chat.BackupRoomKey{key}})
	wantCode(t, err, chat.Invalid) // no backup yet
	if _, err := h.svc.SetKeyBackup(h.ctx, ann, kdBackup(5)); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]chat.BackupRoomKey{
		"epoch 0":       {RoomID: "r1", Epoch: 0, Key: key.Key},
		"no room":       {Epoch: 1, Key: key.Key},
		"bad room":      {RoomID: "r 1", Epoch: 1, Key: key.Key},
		"short key":     {RoomID: "r1", Epoch: 1, Key: kdBytes(44, 1)},
		"padded base64": {RoomID: "r1", Epoch: 1, Key: kdB64.EncodeToString(make([]byte, 60)) + "=="},
	} {
		if _, err := h.svc.PutBackupKeys(h.ctx, ann, protocol.PutBackupKeysRequest{Keys: []chat.BackupRoomKey{bad}}); chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	var batch []chat.BackupRoomKey
	for i := range 150 {
		batch = append(batch, chat.BackupRoomKey{RoomID: fmt.Sprintf("room%03d", i/3), Epoch: i%3 + 1, Key: kdBytes(60, byte(i))})
	}
	_, err = h.svc.PutBackupKeys(h.ctx, ann, protocol.PutBackupKeysRequest{Keys: batch})
	wantCode(t, err, chat.Invalid) // 150 > 100
	for _, part := range [][]chat.BackupRoomKey{batch[:100], batch[100:], batch[:1]} {
		ev, err := h.svc.PutBackupKeys(h.ctx, ann, protocol.PutBackupKeysRequest{Keys: part})
		if err != nil || ev.Stored != len(part) {
			t.Fatalf("putBackupKeys: %+v, %v", ev, err)
		}
	}
	var all []chat.BackupRoomKey
	cursor, pages := "", 0
	for {
		page, err := h.svc.GetBackupKeys(h.ctx, ann, protocol.GetBackupKeysRequest{Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		all = append(all, page.Keys...)
		if cursor = page.Cursor; cursor == "" {
			break
		}
	}
	if pages != 2 || len(all) != 150 || all[0] != batch[0] || all[149] != batch[149] {
		t.Errorf("%d pages, %d keys", pages, len(all))
	}
	bob := h.connect("bob", "b1")
	if theirs, err := h.svc.GetBackupKeys(h.ctx, bob, protocol.GetBackupKeysRequest{}); err != nil || len(theirs.Keys) != 0 {
		t.Errorf("bob sees %d keys, %v", len(theirs.Keys), err)
	}
}

// TestDeviceMessage: a device message reaches exactly the connections of
// the device it is sent to: one's own other device, or a device of
// someone sharing an encrypted room; not someone sharing only a plain
// room. The sender must be a registered device; the body a JSON object of
// at most 8 KB.
func TestDeviceMessage(t *testing.T) {
	h := newHarness(t)
	kdRoom(h, "secret", true, "ann", "bob")
	kdRoom(h, "plain", false, "ann", "cat")
	laptop := kdRegister(h, h.connect("ann", "a1"), kdDeviceID("laptop"), kdDeviceKey(t))
	phoneDev := kdDeviceID("phone")
	phone1 := kdRegister(h, h.connect("ann", "a2"), phoneDev, kdDeviceKey(t))
	kdRegister(h, h.connect("ann", "a3"), phoneDev, kdKeyOf(h, "ann", phoneDev))
	h.connect("ann", "a4") // no device
	bob := kdRegister(h, h.connect("bob", "b1"), kdDeviceID("bob"), kdDeviceKey(t))
	cat := kdRegister(h, h.connect("cat", "c1"), kdDeviceID("cat"), kdDeviceKey(t))

	body := json.RawMessage(`{"type":"verify.request","txn":"t1","from":"` + laptop.DeviceID + `"}`)
	h.fan.Reset()
	if err := h.svc.DeviceMessage(h.ctx, laptop, protocol.DeviceMessageRequest{UserID: "ann", DeviceID: phoneDev, Body: body}); err != nil {
		t.Fatal(err)
	}
	for _, conn := range []string{"a2", "a3"} {
		got := decodeOne[protocol.DeviceMessageEvent](t, h.fan, conn, protocol.EventDeviceMessage)
		if got.FromUserID != "ann" || got.FromDeviceID != laptop.DeviceID || string(got.Body) != string(body) {
			t.Errorf("%s: %+v", conn, got)
		}
	}
	for _, conn := range []string{"a1", "a4", "b1"} {
		if n := len(h.fan.Deliveries(conn)); n != 0 {
			t.Errorf("%s got %d deliveries", conn, n)
		}
	}

	h.fan.Reset()
	if err := h.svc.DeviceMessage(h.ctx, bob, protocol.DeviceMessageRequest{UserID: "ann", DeviceID: laptop.DeviceID, Body: json.RawMessage(`{"type":"key.request","roomId":"secret","epoch":1}`)}); err != nil {
		t.Fatal(err)
	}
	decodeOne[protocol.DeviceMessageEvent](t, h.fan, "a1", protocol.EventDeviceMessage)

	err := h.svc.DeviceMessage(h.ctx, cat, protocol.DeviceMessageRequest{UserID: "ann", DeviceID: laptop.DeviceID, Body: body})
	wantCode(t, err, chat.Forbidden)
	err = h.svc.DeviceMessage(h.ctx, laptop, protocol.DeviceMessageRequest{UserID: "cat", DeviceID: cat.DeviceID, Body: body})
	wantCode(t, err, chat.Forbidden)
	noDevice, _ := h.svc.Connection(h.ctx, "a4")
	err = h.svc.DeviceMessage(h.ctx, noDevice, protocol.DeviceMessageRequest{UserID: "ann", DeviceID: phoneDev, Body: body})
	wantCode(t, err, chat.Invalid)
	err = h.svc.DeviceMessage(h.ctx, laptop, protocol.DeviceMessageRequest{UserID: "bob", DeviceID: kdDeviceID("unknown"), Body: body})
	wantCode(t, err, chat.NotFound)
	for _, bad := range []string{`[1,2]`, `"text"`, `null`, `{"a":`, ``} {
		err := h.svc.DeviceMessage(h.ctx, laptop, protocol.DeviceMessageRequest{UserID: "ann", DeviceID: phoneDev, Body: json.RawMessage(bad)})
		wantCode(t, err, chat.Invalid)
	}
	big := json.RawMessage(`{"pad":"` + strings.Repeat("x", protocol.MaxDeviceMessageBytes) + `"}`)
	err = h.svc.DeviceMessage(h.ctx, laptop, protocol.DeviceMessageRequest{UserID: "ann", DeviceID: phoneDev, Body: big})
	wantCode(t, err, chat.TooLarge)

	// A removed device can neither send nor be reached.
	if _, err := h.svc.RemoveDevice(h.ctx, laptop, protocol.DeviceRequest{DeviceID: phoneDev}); err != nil {
		t.Fatal(err)
	}
	err = h.svc.DeviceMessage(h.ctx, phone1, protocol.DeviceMessageRequest{UserID: "ann", DeviceID: laptop.DeviceID, Body: body})
	wantCode(t, err, chat.Forbidden)
	err = h.svc.DeviceMessage(h.ctx, laptop, protocol.DeviceMessageRequest{UserID: "ann", DeviceID: phoneDev, Body: body})
	wantCode(t, err, chat.NotFound)
}

// kdKeyOf is the public key a person's device was registered with.
func kdKeyOf(h *harness, userID, deviceID string) string {
	h.t.Helper()
	d, err := h.store.GetDevice(h.ctx, userID, deviceID)
	if err != nil {
		h.t.Fatal(err)
	}
	return d.PublicKey
}
