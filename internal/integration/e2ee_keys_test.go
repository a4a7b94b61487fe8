package integration

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

var e2eeB64 = base64.RawURLEncoding

func e2eeDeviceKey(t *testing.T) string {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return e2eeB64.EncodeToString(k.PublicKey().Bytes())
}

// e2eeRandomIdentity is a fresh identity public key (raw point b64).
func e2eeRandomIdentity(t *testing.T) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := k.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return e2eeB64.EncodeToString(raw)
}

func e2eeRandom(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return e2eeB64.EncodeToString(b)
}

// e2eeDeviceMessage sends a deviceMessage frame (no reply on success) and
// fails on an error frame by the next ping.
func e2eeDeviceMessage(t *testing.T, c *client, userID, deviceID string, body map[string]any) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"action": protocol.ActionDeviceMessage, "userId": userID, "deviceId": deviceID, "body": body})
	if err != nil {
		t.Fatal(err)
	}
	c.sendRaw(websocket.MessageText, b)
	c.expectNoEvent(protocol.EventError, nil)
}

// TestE2EEKeysOverTheGateway: over real sockets through the local gateway
// and on DynamoDB Local, Ann's laptop and phone (two connections) register
// devices; the laptop publishes her identity key and signs both devices
// (the server refuses a bad signature), her phone is told keysChanged; Bob
// reads her keys and they verify; the laptop sets up the key backup, the
// phone recovers it with the proof (a wrong proof is refused and counted)
// and backs up room keys that page back; a device message from the laptop
// reaches exactly the phone's connection, Bob (sharing no encrypted room)
// cannot send one; removing the phone tells its connection deviceRemoved.
func TestE2EEKeysOverTheGateway(t *testing.T) {
	s := newStack(t, generousLimits)
	ann, bob := s.newUser("ann", "Ann Archer"), s.newUser("bob", "Bob Baker")
	laptop, _ := s.online(ann)
	phone, _ := s.online(ann)
	other, _ := s.online(ann) // a third tab: no device registered
	b, _ := s.online(bob)
	for _, c := range []*client{laptop, phone, other, b} {
		c.drain()
	}

	laptopDev, laptopPub := "dev_"+strings.Repeat("l", 26), e2eeDeviceKey(t)
	phoneDev, phonePub := "dev_"+strings.Repeat("p", 26), e2eeDeviceKey(t)
	reg := decode[protocol.DeviceEvent](t, laptop.call(protocol.ActionRegisterDevice, map[string]any{"deviceId": laptopDev, "name": "Laptop", "publicKey": laptopPub}, protocol.EventDevice))
	if reg.Device.UserID != ann.id || reg.Device.Signature != "" {
		t.Fatalf("registered: %+v", reg.Device)
	}
	phone.call(protocol.ActionRegisterDevice, map[string]any{"deviceId": phoneDev, "name": "Phone", "publicKey": phonePub}, protocol.EventDevice)
	phone.callError(protocol.ActionRegisterDevice, map[string]any{"deviceId": phoneDev, "name": "Phone", "publicKey": e2eeDeviceKey(t)}, "conflict")

	id, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	idRaw, _ := id.PublicKey.Bytes()
	idPub := e2eeB64.EncodeToString(idRaw)
	own := decode[protocol.UserKeysEvent](t, laptop.call(protocol.ActionSetIdentityKey, map[string]any{"identityKey": idPub}, protocol.EventUserKeys))
	if len(own.Users) != 1 || own.Users[0].IdentityKey != idPub || len(own.Users[0].Devices) != 2 {
		t.Fatalf("setIdentityKey: %+v", own)
	}
	phone.expectEvent(protocol.EventKeysChanged, func(f frame) bool { return decode[protocol.KeysChangedEvent](t, f).UserID == ann.id })

	laptop.callError(protocol.ActionSignDevice, map[string]any{"deviceId": laptopDev, "signature": chattest.SignDevice(id, ann.id, phoneDev, phonePub)}, "invalid")
	for dev, pub := range map[string]string{laptopDev: laptopPub, phoneDev: phonePub} {
		got := decode[protocol.DeviceEvent](t, laptop.call(protocol.ActionSignDevice, map[string]any{"deviceId": dev, "signature": chattest.SignDevice(id, ann.id, dev, pub)}, protocol.EventDevice))
		if got.Device.Signature == "" {
			t.Fatalf("signed: %+v", got.Device)
		}
	}
	keys := decode[protocol.UserKeysEvent](t, b.call(protocol.ActionGetUserKeys, map[string]any{"userIds": []string{ann.id, bob.id}}, protocol.EventUserKeys))
	if len(keys.Users) != 2 || keys.Users[0].UserID != ann.id || keys.Users[0].IdentityKey != idPub || len(keys.Users[0].Devices) != 2 || len(keys.Users[1].Devices) != 0 {
		t.Fatalf("getUserKeys: %+v", keys)
	}
	for _, d := range keys.Users[0].Devices {
		if err := chat.VerifyDeviceSignature(idPub, ann.id, d.DeviceID, d.PublicKey, d.Signature); err != nil {
			t.Errorf("%s: %v", d.DeviceID, err)
		}
	}

	// The backup: set on the laptop, recovered on the phone.
	proof := e2eeRandom(32)
	backup := map[string]any{"kdf": map[string]any{"alg": "scrypt", "n": 1 << 17, "r": 8, "p": 1, "salt": e2eeRandom(16)},
		"proof": proof, "wrappedKey": e2eeRandom(60), "identity": e2eeRandom(166)}
	laptop.call(protocol.ActionSetKeyBackup, backup, protocol.EventKeyBackup)
	kdf := decode[protocol.KeyBackupEvent](t, phone.call(protocol.ActionGetKeyBackup, nil, protocol.EventKeyBackup))
	if !kdf.Exists || kdf.KDF == nil || kdf.KDF.N != 1<<17 || kdf.WrappedKey != "" || kdf.AttemptsLeft != 10 {
		t.Fatalf("getKeyBackup without a proof: %+v", kdf)
	}
	phone.callError(protocol.ActionGetKeyBackup, map[string]any{"proof": e2eeRandom(32)}, "forbidden")
	if left := decode[protocol.KeyBackupEvent](t, phone.call(protocol.ActionGetKeyBackup, nil, protocol.EventKeyBackup)).AttemptsLeft; left != 9 {
		t.Errorf("after a wrong proof: %d attempts left", left)
	}
	rec := decode[protocol.KeyBackupEvent](t, phone.call(protocol.ActionGetKeyBackup, map[string]any{"proof": proof}, protocol.EventKeyBackup))
	if rec.WrappedKey != backup["wrappedKey"] || rec.Identity != backup["identity"] || rec.AttemptsLeft != 10 {
		t.Fatalf("recovered: %+v", rec)
	}
	var bkeys []map[string]any
	for i := range 120 {
		bkeys = append(bkeys, map[string]any{"roomId": "general", "epoch": i + 1, "key": e2eeRandom(60)})
	}
	phone.call(protocol.ActionPutBackupKeys, map[string]any{"keys": bkeys[:100]}, protocol.EventBackupKeys)
	phone.call(protocol.ActionPutBackupKeys, map[string]any{"keys": bkeys[100:]}, protocol.EventBackupKeys)
	page := decode[protocol.BackupKeysEvent](t, laptop.call(protocol.ActionGetBackupKeys, nil, protocol.EventBackupKeys))
	rest := decode[protocol.BackupKeysEvent](t, laptop.call(protocol.ActionGetBackupKeys, map[string]any{"cursor": page.Cursor}, protocol.EventBackupKeys))
	if len(page.Keys) != 100 || page.Cursor == "" || len(rest.Keys) != 20 || rest.Cursor != "" || rest.Keys[19].Epoch != 120 || rest.Keys[19].Key != bkeys[119]["key"] {
		t.Fatalf("backup keys: %d + %d (cursor %q)", len(page.Keys), len(rest.Keys), rest.Cursor)
	}

	// A device message reaches exactly the phone's connection.
	for _, c := range []*client{laptop, phone, other} {
		c.drain()
	}
	body := map[string]any{"type": "verify.request", "txn": "t1", "from": laptopDev}
	e2eeDeviceMessage(t, laptop, ann.id, phoneDev, body)
	got := decode[protocol.DeviceMessageEvent](t, phone.expectEvent(protocol.EventDeviceMessage, nil))
	var gotBody map[string]any
	if err := json.Unmarshal(got.Body, &gotBody); err != nil || got.FromUserID != ann.id || got.FromDeviceID != laptopDev || gotBody["txn"] != "t1" {
		t.Errorf("deviceMessage: %+v %v", got, err)
	}
	other.expectNoEvent(protocol.EventDeviceMessage, nil)
	laptop.expectNoEvent(protocol.EventDeviceMessage, nil)
	bobDev := "dev_" + strings.Repeat("b", 26)
	b.call(protocol.ActionRegisterDevice, map[string]any{"deviceId": bobDev, "name": "Bob's", "publicKey": e2eeDeviceKey(t)}, protocol.EventDevice)
	b.callError(protocol.ActionDeviceMessage, map[string]any{"userId": ann.id, "deviceId": phoneDev, "body": body}, "forbidden")
	other.callError(protocol.ActionDeviceMessage, map[string]any{"userId": ann.id, "deviceId": phoneDev, "body": body}, "invalid")

	// Removing the phone.
	left := decode[protocol.DevicesEvent](t, laptop.call(protocol.ActionRemoveDevice, map[string]any{"deviceId": phoneDev}, protocol.EventDevices))
	if len(left.Devices) != 1 || left.Devices[0].DeviceID != laptopDev {
		t.Fatalf("devices left: %+v", left.Devices)
	}
	phone.expectEvent(protocol.EventDeviceRemoved, func(f frame) bool { return decode[protocol.DeviceRemovedEvent](t, f).DeviceID == phoneDev })
	phone.expectEvent(protocol.EventKeysChanged, nil)
	phone.callError(protocol.ActionDeviceMessage, map[string]any{"userId": ann.id, "deviceId": laptopDev, "body": body}, "forbidden")
}
