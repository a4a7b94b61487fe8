package service_test

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// The key directory's actions in the authorization matrix (issue #19):
// every signed-in person's own (the deactivated persona's connection is
// gone); each case does what the action needs first with the persona's
// own connection, so a refused first step changes nothing. Visitors
// (TestVisitorAcrossTheMatrix) and bots (TestKeyDirectoryRefusesBots) may
// use none of them.

var kdB64 = base64.RawURLEncoding

// kdDeviceID is a valid device id derived from seed.
func kdDeviceID(seed string) string {
	h := sha256.Sum256([]byte(seed))
	return "dev_" + strings.ToLower(base32.StdEncoding.EncodeToString(h[:]))[:26]
}

// kdDeviceKey is a fresh ECDH P-256 public key, raw point b64.
func kdDeviceKey(t testing.TB) string {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return kdB64.EncodeToString(k.PublicKey().Bytes())
}

// kdIdentity is a fresh ECDSA P-256 identity key and its public raw point b64.
func kdIdentity(t testing.TB) (*ecdsa.PrivateKey, string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := k.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return k, kdB64.EncodeToString(raw)
}

func kdBytes(n int, fill byte) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = fill
	}
	return kdB64.EncodeToString(b)
}

// kdBackup is a well-formed setKeyBackup request with proof made of fill.
func kdBackup(fill byte) protocol.SetKeyBackupRequest {
	return protocol.SetKeyBackupRequest{
		KDF:        chat.BackupKDF{Alg: "scrypt", N: 1 << 17, R: 8, P: 1, Salt: kdBytes(16, 7)},
		Proof:      kdBytes(32, fill),
		WrappedKey: kdBytes(60, 1),
		Identity:   kdBytes(12+138+16, 2),
	}
}

// kdSetUp registers c's device (marking c), sets an identity and signs the
// device: what a person's first device does.
func kdSetUp(t testing.TB, svc *service.Chat, c *chat.Connection) (*ecdsa.PrivateKey, error) {
	t.Helper()
	ctx := t.Context()
	dev := kdDeviceID(c.UserID + "/" + c.ID)
	pub := kdDeviceKey(t)
	if _, err := svc.RegisterDevice(ctx, *c, protocol.RegisterDeviceRequest{DeviceID: dev, Name: "Firefox on Linux", PublicKey: pub}); err != nil {
		return nil, err
	}
	c.DeviceID = dev
	id, idPub := kdIdentity(t)
	if _, err := svc.SetIdentityKey(ctx, *c, protocol.SetIdentityKeyRequest{IdentityKey: idPub}); err != nil {
		return nil, err
	}
	_, err := svc.SignDevice(ctx, *c, protocol.SignDeviceRequest{DeviceID: dev, Signature: chattest.SignDevice(id, c.UserID, dev, pub)})
	return id, err
}

func init() {
	kd := func(name string, do func(w *modWorld, c chat.Connection) error) modCase {
		return modCase{name: name, want: everyone, do: func(w *modWorld, _ string, c chat.Connection) error { return do(w, c) }}
	}
	workspaceCases = append(workspaceCases,
		kd("registerDevice", func(w *modWorld, c chat.Connection) error {
			_, err := w.svc.RegisterDevice(w.ctx, c, protocol.RegisterDeviceRequest{DeviceID: kdDeviceID(c.ID), Name: "Phone", PublicKey: kdDeviceKey(w.t)})
			return err
		}),
		kd("setIdentityKey", func(w *modWorld, c chat.Connection) error {
			_, pub := kdIdentity(w.t)
			_, err := w.svc.SetIdentityKey(w.ctx, c, protocol.SetIdentityKeyRequest{IdentityKey: pub})
			return err
		}),
		kd("signDevice", func(w *modWorld, c chat.Connection) error {
			_, err := kdSetUp(w.t, w.svc, &c)
			return err
		}),
		kd("listDevices", func(w *modWorld, c chat.Connection) error {
			_, err := w.svc.ListDevices(w.ctx, c)
			return err
		}),
		kd("removeDevice", func(w *modWorld, c chat.Connection) error {
			dev := kdDeviceID(c.ID)
			if _, err := w.svc.RegisterDevice(w.ctx, c, protocol.RegisterDeviceRequest{DeviceID: dev, Name: "Phone", PublicKey: kdDeviceKey(w.t)}); err != nil {
				return err
			}
			_, err := w.svc.RemoveDevice(w.ctx, c, protocol.DeviceRequest{DeviceID: dev})
			return err
		}),
		kd("getUserKeys", func(w *modWorld, c chat.Connection) error {
			_, err := w.svc.GetUserKeys(w.ctx, c, protocol.GetUserKeysRequest{UserIDs: []string{"tgt", c.UserID}})
			return err
		}),
		kd("setKeyBackup", func(w *modWorld, c chat.Connection) error {
			_, pub := kdIdentity(w.t)
			if _, err := w.svc.SetIdentityKey(w.ctx, c, protocol.SetIdentityKeyRequest{IdentityKey: pub}); err != nil {
				return err
			}
			_, err := w.svc.SetKeyBackup(w.ctx, c, kdBackup(9))
			return err
		}),
		kd("getKeyBackup", func(w *modWorld, c chat.Connection) error {
			_, err := w.svc.GetKeyBackup(w.ctx, c, protocol.GetKeyBackupRequest{})
			return err
		}),
		kd("putBackupKeys", func(w *modWorld, c chat.Connection) error {
			_, pub := kdIdentity(w.t)
			if _, err := w.svc.SetIdentityKey(w.ctx, c, protocol.SetIdentityKeyRequest{IdentityKey: pub}); err != nil {
				return err
			}
			if _, err := w.svc.SetKeyBackup(w.ctx, c, kdBackup(9)); err != nil {
				return err
			}
			_, err := w.svc.PutBackupKeys(w.ctx, c, protocol.PutBackupKeysRequest{Keys: []chat.BackupRoomKey{{RoomID: w.room.ID, Epoch: 1, Key: kdBytes(60, 3)}}})
			return err
		}),
		kd("getBackupKeys", func(w *modWorld, c chat.Connection) error {
			_, err := w.svc.GetBackupKeys(w.ctx, c, protocol.GetBackupKeysRequest{})
			return err
		}),
		kd("deviceMessage", func(w *modWorld, c chat.Connection) error {
			dev := kdDeviceID(c.ID)
			if _, err := w.svc.RegisterDevice(w.ctx, c, protocol.RegisterDeviceRequest{DeviceID: dev, Name: "Phone", PublicKey: kdDeviceKey(w.t)}); err != nil {
				return err
			}
			c.DeviceID = dev
			return w.svc.DeviceMessage(w.ctx, c, protocol.DeviceMessageRequest{UserID: c.UserID, DeviceID: dev, Body: json.RawMessage(`{"type":"verify.cancel","txn":"t1","reason":"test"}`)})
		}),
	)
}

// TestKeyDirectoryRefusesBots: a bot may use none of the key directory's
// actions, and a refusal stores and pushes nothing.
func TestKeyDirectoryRefusesBots(t *testing.T) {
	w := newModWorld(t)
	_, hash := chat.NewBotToken()
	now := w.clock()
	if err := w.store.CreateBot(w.ctx, chat.Bot{ID: "bot_kd", Name: "Keys", CreatedBy: "alice", CreatedAt: now, TokenIssuedAt: now, TokenHash: hash},
		chat.Profile{UserID: "bot_kd", Username: "bot_kd", DisplayName: "Keys", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	bot := w.connectWithGroups("bot_kd", "kdb1", chat.GroupBots)
	for _, name := range kdActions {
		var mc *modCase
		for i := range workspaceCases {
			if workspaceCases[i].name == name {
				mc = &workspaceCases[i]
			}
		}
		if mc == nil {
			t.Fatalf("no matrix case %s", name)
		}
		before := w.state()
		w.fan.Reset()
		err := mc.do(w, "bot", bot)
		if chat.ErrorCode(err) != chat.Forbidden {
			t.Errorf("%s by a bot: %v, want forbidden", name, err)
		}
		if w.state() != before || len(w.fan.Sends()) > 0 {
			t.Errorf("%s by a bot was refused but changed or pushed something", name)
		}
	}
}

// kdActions are the key directory's actions.
var kdActions = []string{"registerDevice", "setIdentityKey", "signDevice", "listDevices", "removeDevice", "getUserKeys",
	"setKeyBackup", "getKeyBackup", "putBackupKeys", "getBackupKeys", "deviceMessage"}
