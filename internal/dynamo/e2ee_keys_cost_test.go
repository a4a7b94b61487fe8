package dynamo_test

import (
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// TestKeyDirectoryCost measures the key directory's actions (issue #19)
// on DynamoDB Local through the service, request by request (no
// transactions: the units are what DynamoDB bills), and bounds the
// request counts docs/ARCHITECTURE.md states.
func TestKeyDirectoryCost(t *testing.T) {
	harness := newCostHarness(t, service.Config{})
	svc, log := harness.svc, harness.log
	ctx := context.Background()
	b64 := base64.RawURLEncoding
	connect := func(id, conn string, groups ...string) chat.Connection {
		return harness.connect(t, id, conn, groups...)
	}
	ann := connect("ann", "ann1")
	connect("ann", "ann2")
	measure := func(what string, maxReqs int) {
		t.Helper()
		ops, units := log.reset()
		t.Logf("%s: %d requests, %.1f capacity units: %v", what, len(ops), units, ops)
		if len(ops) > maxReqs {
			t.Errorf("%s: %d requests, want at most %d", what, len(ops), maxReqs)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	devKey, _ := ecdh.P256().GenerateKey(rand.Reader)
	pub := b64.EncodeToString(devKey.PublicKey().Bytes())
	dev := "dev_" + strings.Repeat("k", 26)

	log.reset()
	_, err := svc.RegisterDevice(ctx, ann, protocol.RegisterDeviceRequest{DeviceID: dev, Name: "Laptop", PublicKey: pub})
	must(err)
	// GetItem, Query (devices), PutItem, 2 UpdateItems (connection), and
	// keysChanged: memberships, #general's META, the person's connections.
	measure("registerDevice, a new device", 9)
	_, err = svc.RegisterDevice(ctx, ann, protocol.RegisterDeviceRequest{DeviceID: dev, Name: "Laptop", PublicKey: pub})
	must(err)
	measure("registerDevice, again (every connect)", 4)
	ann, _ = svc.Connection(ctx, "ann1")
	log.reset()

	id, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	idRaw, _ := id.PublicKey.Bytes()
	_, err = svc.SetIdentityKey(ctx, ann, protocol.SetIdentityKeyRequest{IdentityKey: b64.EncodeToString(idRaw)})
	must(err)
	measure("setIdentityKey, the first", 8)
	_, err = svc.SignDevice(ctx, ann, protocol.SignDeviceRequest{DeviceID: dev, Signature: chattest.SignDevice(id, "ann", dev, pub)})
	must(err)
	measure("signDevice", 7)

	var ids []string
	for i := range 20 {
		u := fmt.Sprint("p", i)
		connect(u, u+"c")
		ids = append(ids, u)
	}
	log.reset()
	_, err = svc.GetUserKeys(ctx, ann, protocol.GetUserKeysRequest{UserIDs: append(ids, "ann")})
	must(err)
	measure("getUserKeys, 21 people", 1+21) // BatchGetItem of the profiles, a Query each

	proof := b64.EncodeToString(make([]byte, 32))
	_, err = svc.SetKeyBackup(ctx, ann, protocol.SetKeyBackupRequest{KDF: chat.BackupKDF{Alg: "scrypt", N: 1 << 17, R: 8, P: 1, Salt: b64.EncodeToString(make([]byte, 16))},
		Proof: proof, WrappedKey: b64.EncodeToString(make([]byte, 60)), Identity: b64.EncodeToString(make([]byte, 166))})
	must(err)
	measure("setKeyBackup, the first", 3)
	_, err = svc.GetKeyBackup(ctx, ann, protocol.GetKeyBackupRequest{})
	must(err)
	measure("getKeyBackup without a proof", 1)
	_, err = svc.GetKeyBackup(ctx, ann, protocol.GetKeyBackupRequest{Proof: proof})
	must(err)
	measure("getKeyBackup, the right proof", 3) // GetItem, the counting UpdateItem, the clearing UpdateItem
	_, err = svc.GetKeyBackup(ctx, ann, protocol.GetKeyBackupRequest{Proof: b64.EncodeToString([]byte(strings.Repeat("x", 32)))})
	if chat.ErrorCode(err) != chat.Forbidden {
		t.Fatal(err)
	}
	measure("getKeyBackup, a wrong proof", 2)
	_, err = svc.GetKeyBackup(ctx, ann, protocol.GetKeyBackupRequest{Proof: b64.EncodeToString([]byte(strings.Repeat("x", 32)))})
	if chat.ErrorCode(err) != chat.Forbidden {
		t.Fatal(err)
	}
	measure("getKeyBackup, a second wrong proof (within the window: the first condition fails)", 3)

	var keys []chat.BackupRoomKey
	for i := range 100 {
		keys = append(keys, chat.BackupRoomKey{RoomID: "room" + fmt.Sprint(i), Epoch: 1, Key: b64.EncodeToString(make([]byte, 60))})
	}
	_, err = svc.PutBackupKeys(ctx, ann, protocol.PutBackupKeysRequest{Keys: keys})
	must(err)
	measure("putBackupKeys, 100 keys", 1+4) // GetItem, 4 BatchWriteItems of 25
	_, err = svc.GetBackupKeys(ctx, ann, protocol.GetBackupKeysRequest{})
	must(err)
	measure("getBackupKeys, a page of 100", 1)

	must(svc.DeviceMessage(ctx, ann, protocol.DeviceMessageRequest{UserID: "ann", DeviceID: dev, Body: json.RawMessage(`{"type":"verify.cancel","txn":"t"}`)}))
	measure("deviceMessage to one's own device", 3) // the sender's device, the target's, DeviceConnections
}
