package wsapi

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// The key directory's routing cases (issue #19): keys made once per run;
// the seeds store alice's identity key, a device and a backup where the
// action needs them.
var (
	routingDevice                              = "dev_" + strings.Repeat("a", 26)
	routingDevPub, routingIDPub, routingDevSig string
	keyRoutingCases                            []callRoutingCase
)

func init() {
	b64 := base64.RawURLEncoding
	dev, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	id, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	idRaw, _ := id.PublicKey.Bytes()
	routingDevPub, routingIDPub = b64.EncodeToString(dev.PublicKey().Bytes()), b64.EncodeToString(idRaw)
	routingDevSig = chattest.SignDevice(id, testUserID, routingDevice, routingDevPub)

	salt, proof, wrapped, sealed := b64.EncodeToString(make([]byte, 16)), b64.EncodeToString(make([]byte, 32)),
		b64.EncodeToString(make([]byte, 60)), b64.EncodeToString(make([]byte, 166))
	backup := protocol.SetKeyBackupRequest{KDF: chat.BackupKDF{Alg: "scrypt", N: 1 << 17, R: 8, P: 1, Salt: salt}, Proof: proof, WrappedKey: wrapped, Identity: sealed}
	backupJSON, _ := json.Marshal(backup)
	bkey := chat.BackupRoomKey{RoomID: "r1", Epoch: 1, Key: wrapped}
	q := func(action, fields string) string {
		if fields == "" {
			return `{"action":"` + action + `","requestId":"q"}`
		}
		return `{"action":"` + action + `","requestId":"q",` + fields + `}`
	}
	keyRoutingCases = []callRoutingCase{
		{q("registerDevice", `"deviceId":"`+routingDevice+`","name":"Laptop","publicKey":"`+routingDevPub+`"`), "RegisterDevice",
			protocol.RegisterDeviceRequest{DeviceID: routingDevice, Name: "Laptop", PublicKey: routingDevPub}, protocol.EventDevice},
		{q("setIdentityKey", `"identityKey":"`+routingIDPub+`"`), "SetIdentityKey", protocol.SetIdentityKeyRequest{IdentityKey: routingIDPub}, protocol.EventUserKeys},
		{q("signDevice", `"deviceId":"`+routingDevice+`","signature":"`+routingDevSig+`"`), "SignDevice",
			protocol.SignDeviceRequest{DeviceID: routingDevice, Signature: routingDevSig}, protocol.EventDevice},
		{q("listDevices", ""), "ListDevices", nil, protocol.EventDevices},
		{q("removeDevice", `"deviceId":"`+routingDevice+`"`), "RemoveDevice", protocol.DeviceRequest{DeviceID: routingDevice}, protocol.EventDevices},
		{q("getUserKeys", `"userIds":["u2"]`), "GetUserKeys", protocol.GetUserKeysRequest{UserIDs: []string{"u2"}}, protocol.EventUserKeys},
		{q("setKeyBackup", string(backupJSON[1:len(backupJSON)-1])), "SetKeyBackup", backup, protocol.EventKeyBackup},
		{q("getKeyBackup", `"proof":"`+proof+`"`), "GetKeyBackup", protocol.GetKeyBackupRequest{Proof: proof}, protocol.EventKeyBackup},
		{q("putBackupKeys", `"keys":[{"roomId":"r1","epoch":1,"key":"`+wrapped+`"}]`), "PutBackupKeys",
			protocol.PutBackupKeysRequest{Keys: []chat.BackupRoomKey{bkey}}, protocol.EventBackupKeys},
		{q("getBackupKeys", `"cursor":""`), "GetBackupKeys", protocol.GetBackupKeysRequest{}, protocol.EventBackupKeys},
		{q("deviceMessage", `"userId":"`+testUserID+`","deviceId":"`+routingDevice+`","body":{"type":"verify.cancel","txn":"t"}`), "DeviceMessage",
			protocol.DeviceMessageRequest{UserID: testUserID, DeviceID: routingDevice, Body: json.RawMessage(`{"type":"verify.cancel","txn":"t"}`)}, ""},
	}
	routingSeeds["SignDevice"] = seedKeyDirectory(true, true, false)
	routingSeeds["RemoveDevice"] = seedKeyDirectory(false, true, false)
	routingSeeds["SetKeyBackup"] = seedKeyDirectory(true, false, false)
	routingSeeds["GetKeyBackup"] = seedKeyDirectory(true, false, true)
	routingSeeds["PutBackupKeys"] = seedKeyDirectory(true, false, true)
	routingSeeds["DeviceMessage"] = func(t *testing.T, c *testChat, alice chat.Connection) chat.Connection {
		if _, err := c.svc.RegisterDevice(c.ctx, alice, protocol.RegisterDeviceRequest{DeviceID: routingDevice, Name: "Laptop", PublicKey: routingDevPub}); err != nil {
			t.Fatal(err)
		}
		got, err := c.store.GetConnection(c.ctx, alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
}

// seedKeyDirectory stores alice's identity key, her device and a backup (proof of
// 32 zero bytes), as asked.
func seedKeyDirectory(identity, device, backup bool) func(*testing.T, *testChat, chat.Connection) chat.Connection {
	return func(t *testing.T, c *testChat, alice chat.Connection) chat.Connection {
		t.Helper()
		now := c.clock()
		if identity {
			if err := c.store.SetKeyIdentity(c.ctx, chat.KeyIdentity{UserID: testUserID, IdentityKey: routingIDPub, CreatedAt: now}, ""); err != nil {
				t.Fatal(err)
			}
		}
		if device {
			if err := c.store.CreateDevice(c.ctx, chat.Device{UserID: testUserID, DeviceID: routingDevice, Name: "Laptop", PublicKey: routingDevPub, CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
		}
		if backup {
			hash, _ := chat.BackupProofHash(base64.RawURLEncoding.EncodeToString(make([]byte, 32)))
			b := chat.KeyBackup{UserID: testUserID, KDF: chat.BackupKDF{Alg: "scrypt", N: 1 << 17, R: 8, P: 1, Salt: base64.RawURLEncoding.EncodeToString(make([]byte, 16))},
				ProofHash: hash, WrappedKey: base64.RawURLEncoding.EncodeToString(make([]byte, 60)), Identity: base64.RawURLEncoding.EncodeToString(make([]byte, 166)), UpdatedAt: now}
			if err := c.store.PutKeyBackup(c.ctx, b, false); err != nil {
				t.Fatal(err)
			}
		}
		return alice
	}
}
