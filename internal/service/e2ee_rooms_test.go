package service_test

import (
	"context"
	"encoding/base64"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// testDevice is a valid device id, one per n (< 32).
func testDevice(n int) string {
	return "dev_" + strings.Repeat("a", 25) + string("abcdefghijklmnopqrstuvwxyz234567"[n])
}

// testWrapped is opaque wrapped-key bytes (60 bytes: iv, key, tag): the
// server cannot tell them from a real wrap.
var testWrapped = base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("w", 60)))

// deviceStore is the in-memory store with registered devices (the key
// directory's, another helper's part) that shareRoomKeys and getRoomKeys
// check.
type deviceStore struct {
	*chattest.Store
	mu      sync.Mutex
	devices map[string]chat.Device // user|device
}

func (d *deviceStore) GetDevice(_ context.Context, userID, deviceID string) (chat.Device, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	dev, ok := d.devices[userID+"|"+deviceID]
	if !ok {
		return chat.Device{}, chat.Errorf(chat.NotFound, "no such device")
	}
	return dev, nil
}

func (d *deviceStore) add(userID, deviceID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.devices[userID+"|"+deviceID] = chat.Device{UserID: userID, DeviceID: deviceID, Name: "test", PublicKey: "pk"}
}

// e2eeHarness: a harness whose store knows devices, and people with one
// device each (connection deviceIds set as registerDevice would).
type e2eeHarness struct {
	*harness
	dev *deviceStore
}

func newE2EEHarness(t *testing.T, tweak ...func(*service.Config)) *e2eeHarness {
	var dev *deviceStore
	h := newHarness(t, append([]func(*service.Config){withSystemLines, func(c *service.Config) {
		dev = &deviceStore{Store: c.Store.(*chattest.Store), devices: map[string]chat.Device{}}
		c.Store = dev
	}}, tweak...)...)
	return &e2eeHarness{harness: h, dev: dev}
}

// person connects userID on connection connID with device n registered.
func (h *e2eeHarness) person(userID, connID string, n int) chat.Connection {
	c := h.connect(userID, connID)
	h.dev.add(userID, testDevice(n))
	c.DeviceID = testDevice(n)
	return c
}

func encDirect(h *harness, c chat.Connection, others ...string) chat.Room {
	h.t.Helper()
	ev, err := h.svc.OpenDirect(h.ctx, c, protocol.OpenDirectRequest{UserIDs: others, Encrypted: true})
	if err != nil {
		h.t.Fatalf("OpenDirect encrypted: %v", err)
	}
	return ev.Room.Room
}

// share shares epoch for the given (user, device n) pairs from c.
func (h *e2eeHarness) share(c chat.Connection, roomID string, epoch int, to map[string]int) (protocol.RoomKeysSharedEvent, error) {
	var keys []protocol.SharedRoomKey
	for uid, n := range to {
		keys = append(keys, protocol.SharedRoomKey{UserID: uid, DeviceID: testDevice(n), SenderDevice: c.DeviceID, Wrapped: testWrapped})
	}
	return h.svc.ShareRoomKeys(h.ctx, c, protocol.ShareRoomKeysRequest{RoomID: roomID, Epoch: epoch, Keys: keys})
}

// encryptedChannelInviting: ada's new encrypted private channel "secret"
// with a key of epoch 1 for her device 1, and invitee invited.
func (h *e2eeHarness) encryptedChannelInviting(ada chat.Connection, invitee string) string {
	h.t.Helper()
	ev, err := h.svc.CreateChannel(h.ctx, ada, protocol.CreateChannelRequest{Name: "secret", Private: true, Encrypted: true})
	if err != nil {
		h.t.Fatal(err)
	}
	id := ev.Room.Room.ID
	if _, err := h.share(ada, id, 1, map[string]int{"ada": 1}); err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.svc.InviteToChannel(h.ctx, ada, protocol.InviteRequest{RoomID: id, UserIDs: []string{invitee}}); err != nil {
		h.t.Fatal(err)
	}
	return id
}

func ciphertext(epoch int, device string) *chat.EncryptedContent {
	return &chat.EncryptedContent{V: 1, Epoch: epoch, Device: device,
		IV: base64.RawURLEncoding.EncodeToString(make([]byte, 12)), CT: base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("c", 40)))}
}

func TestEncryptedDirectIsItsOwnRoom(t *testing.T) {
	h := newE2EEHarness(t)
	ada := h.person("ada", "a1", 1)
	h.person("bo", "b1", 2)
	plain := h.direct(ada, "bo")
	enc := encDirect(h.harness, ada, "bo")
	if enc.ID == plain.ID || !strings.HasPrefix(enc.ID, "d_") {
		t.Fatalf("encrypted DM id %q, plain %q: want a different d_ room", enc.ID, plain.ID)
	}
	if !enc.Encrypted || enc.KeyEpoch != 0 || enc.RotateKey || plain.Encrypted {
		t.Fatalf("encrypted %+v plain %+v", enc, plain)
	}
	// Opening it again finds the same room, encrypted.
	again := encDirect(h.harness, ada, "bo")
	if again.ID != enc.ID || !again.Encrypted {
		t.Fatalf("reopened %+v", again)
	}
	stored, _ := h.store.GetRoom(h.ctx, enc.ID)
	if !stored.Encrypted {
		t.Fatal("stored room is not encrypted")
	}
}

func TestEncryptedChannelIsPrivateForGood(t *testing.T) {
	h := newE2EEHarness(t)
	ada := h.person("ada", "a1", 1)
	_, err := h.svc.CreateChannel(h.ctx, ada, protocol.CreateChannelRequest{Name: "secret", Encrypted: true})
	wantCode(t, err, chat.Invalid)
	ev, err := h.svc.CreateChannel(h.ctx, ada, protocol.CreateChannelRequest{Name: "secret", Private: true, Encrypted: true})
	if err != nil || !ev.Room.Room.Encrypted || ev.Room.Room.Kind != chat.KindPrivate {
		t.Fatalf("create: %+v %v", ev.Room.Room, err)
	}
	public := false
	_, err = h.svc.UpdateChannel(h.ctx, ada, protocol.UpdateChannelRequest{RoomID: ev.Room.Room.ID, Private: &public})
	wantCode(t, err, chat.Invalid)
	if r, _ := h.store.GetRoom(h.ctx, ev.Room.Room.ID); r.Kind != chat.KindPrivate || !r.Encrypted {
		t.Fatalf("after refused update: %+v", r)
	}
}

func TestEncryptedChannelMemberCap(t *testing.T) {
	h := newE2EEHarness(t, func(c *service.Config) { c.E2EEMaxMembers = 3 })
	ada := h.person("ada", "a1", 1)
	bo := h.person("bo", "b1", 2)
	cy := h.person("cy", "c1", 3)
	h.person("di", "d1", 4)
	st, err := h.svc.GetState(h.ctx, ada)
	if err != nil || st.Limits.E2EEMaxMembers != 3 {
		t.Fatalf("state limits: %+v %v", st.Limits, err)
	}
	room, err := h.svc.CreateChannel(h.ctx, ada, protocol.CreateChannelRequest{Name: "small", Private: true, Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	id := room.Room.Room.ID
	_, err = h.svc.InviteToChannel(h.ctx, ada, protocol.InviteRequest{RoomID: id, UserIDs: []string{"bo", "cy", "di"}})
	wantCode(t, err, chat.Invalid)
	if _, err := h.svc.InviteToChannel(h.ctx, ada, protocol.InviteRequest{RoomID: id, UserIDs: []string{"bo", "cy"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.AcceptInvite(h.ctx, bo, protocol.RoomRequest{RoomID: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.AcceptInvite(h.ctx, cy, protocol.RoomRequest{RoomID: id}); err != nil {
		t.Fatal(err)
	}
	// Full: a fourth invitation is refused; so would be its acceptance.
	_, err = h.svc.InviteToChannel(h.ctx, ada, protocol.InviteRequest{RoomID: id, UserIDs: []string{"di"}})
	wantCode(t, err, chat.Invalid)
	if err := h.store.PutInvite(h.ctx, chat.Invite{RoomID: id, UserID: "di", InvitedBy: "ada", InvitedAt: h.clock()}); err != nil {
		t.Fatal(err)
	}
	di, _ := h.svc.Connection(h.ctx, "d1")
	_, err = h.svc.AcceptInvite(h.ctx, di, protocol.RoomRequest{RoomID: id})
	wantCode(t, err, chat.Invalid)
	// An encrypted group conversation has the same cap; a plain one not.
	_, err = h.svc.OpenDirect(h.ctx, ada, protocol.OpenDirectRequest{UserIDs: []string{"bo", "cy", "di"}, Encrypted: true})
	wantCode(t, err, chat.Invalid)
	if _, err := h.svc.OpenDirect(h.ctx, ada, protocol.OpenDirectRequest{UserIDs: []string{"bo", "cy", "di"}}); err != nil {
		t.Fatal(err)
	}
}

func TestEncryptedSendRules(t *testing.T) {
	h := newE2EEHarness(t)
	ada := h.person("ada", "a1", 1)
	bo := h.person("bo", "b1", 2)
	room := encDirect(h.harness, ada, "bo")
	send := func(r protocol.SendMessageRequest) (protocol.AckEvent, error) {
		h.sent++
		r.RoomID, r.ClientID = room.ID, "e"+string(rune('a'+h.sent))
		return h.svc.SendMessage(h.ctx, ada, r)
	}
	// No key yet: stale_key, the client makes epoch 1.
	_, err := send(protocol.SendMessageRequest{Encrypted: ciphertext(1, ada.DeviceID)})
	wantCode(t, err, chat.StaleKey)
	if ev, err := h.share(ada, room.ID, 1, map[string]int{"ada": 1, "bo": 2}); err != nil || ev.KeyEpoch != 1 {
		t.Fatalf("share epoch 1: %+v %v", ev, err)
	}
	// Text, a GIF, no ciphertext: refused.
	_, err = send(protocol.SendMessageRequest{Text: "hello in the clear", Encrypted: ciphertext(1, ada.DeviceID)})
	wantCode(t, err, chat.Invalid)
	_, err = send(protocol.SendMessageRequest{Text: "hello in the clear"})
	wantCode(t, err, chat.Invalid)
	_, err = send(protocol.SendMessageRequest{Gif: &chat.Gif{URL: "https://media.example/g.gif", Width: 10, Height: 10}, Encrypted: ciphertext(1, ada.DeviceID)})
	if chat.ErrorCode(err) == "" {
		t.Fatal("a GIF in an encrypted room was accepted")
	}
	// A wrong epoch: stale_key.
	_, err = send(protocol.SendMessageRequest{Encrypted: ciphertext(2, ada.DeviceID)})
	wantCode(t, err, chat.StaleKey)
	// Malformed ciphertext: invalid.
	bad := ciphertext(1, ada.DeviceID)
	bad.IV = "short"
	_, err = send(protocol.SendMessageRequest{Encrypted: bad})
	wantCode(t, err, chat.Invalid)
	bad = ciphertext(1, "laptop")
	_, err = send(protocol.SendMessageRequest{Encrypted: bad})
	wantCode(t, err, chat.Invalid)
	bad = ciphertext(1, ada.DeviceID)
	bad.V = 2
	_, err = send(protocol.SendMessageRequest{Encrypted: bad})
	wantCode(t, err, chat.Invalid)
	bad = ciphertext(1, ada.DeviceID)
	bad.CT = strings.Repeat("A", 100_000)
	_, err = send(protocol.SendMessageRequest{Encrypted: bad})
	wantCode(t, err, chat.TooLarge)
	// The right one, with explicit mentions: members only, never oneself.
	ack, err := send(protocol.SendMessageRequest{Encrypted: ciphertext(1, ada.DeviceID), Mentions: []string{"bo", "ada", "zed"}})
	if err != nil {
		t.Fatal(err)
	}
	if ack.Message.Text != "" || ack.Message.Encrypted == nil || ack.Message.Encrypted.Epoch != 1 {
		t.Fatalf("stored %+v", ack.Message)
	}
	if len(ack.Message.Mentions) != 1 || ack.Message.Mentions[0] != "bo" {
		t.Fatalf("mentions %v, want [bo]", ack.Message.Mentions)
	}
	// Bo's history carries the ciphertext.
	hist, err := h.svc.History(h.ctx, bo, protocol.HistoryRequest{RoomID: room.ID})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range hist.Messages {
		if m.Seq == ack.Message.Seq && m.Encrypted != nil && m.Encrypted.CT == ack.Message.Encrypted.CT {
			found = true
		}
	}
	if !found {
		t.Fatalf("history lacks the ciphertext: %+v", hist.Messages)
	}
	// A plain room takes no ciphertext, and ignores mentions by id.
	plain := h.direct(ada, "bo")
	_, err = h.svc.SendMessage(h.ctx, ada, protocol.SendMessageRequest{RoomID: plain.ID, ClientID: "p1", Encrypted: ciphertext(1, ada.DeviceID)})
	wantCode(t, err, chat.Invalid)
	ack, err = h.svc.SendMessage(h.ctx, ada, protocol.SendMessageRequest{RoomID: plain.ID, ClientID: "p2", Text: "hi", Mentions: []string{"bo"}})
	if err != nil || len(ack.Message.Mentions) != 0 {
		t.Fatalf("plain send with ids: %+v %v", ack.Message, err)
	}
}

func TestEncryptedEditKeepsTheOldCiphertext(t *testing.T) {
	h := newE2EEHarness(t)
	ada := h.person("ada", "a1", 1)
	h.person("bo", "b1", 2)
	room := encDirect(h.harness, ada, "bo")
	if _, err := h.share(ada, room.ID, 1, map[string]int{"ada": 1, "bo": 2}); err != nil {
		t.Fatal(err)
	}
	first := ciphertext(1, ada.DeviceID)
	ack, err := h.svc.SendMessage(h.ctx, ada, protocol.SendMessageRequest{RoomID: room.ID, ClientID: "c1", Encrypted: first})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.svc.EditMessage(h.ctx, ada, protocol.EditMessageRequest{RoomID: room.ID, Seq: ack.Message.Seq, Text: "clear"})
	wantCode(t, err, chat.Invalid)
	second := ciphertext(1, ada.DeviceID)
	second.CT = base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("d", 40)))
	ev, err := h.svc.EditMessage(h.ctx, ada, protocol.EditMessageRequest{RoomID: room.ID, Seq: ack.Message.Seq, Encrypted: second})
	if err != nil || ev.Message.Encrypted.CT != second.CT || ev.Message.EditedAt.IsZero() {
		t.Fatalf("edit: %+v %v", ev.Message, err)
	}
	vers, err := h.store.MessageVersions(h.ctx, room.ID, ack.Message.Seq)
	if err != nil || len(vers) != 1 || vers[0].Encrypted == nil || vers[0].Encrypted.CT != first.CT || vers[0].Text != "" {
		t.Fatalf("versions %+v %v", vers, err)
	}
	// After a rotation an edit with the old epoch is stale.
	if _, err := h.store.SetRotateKey(h.ctx, room.ID); err != nil {
		t.Fatal(err)
	}
	_, err = h.svc.EditMessage(h.ctx, ada, protocol.EditMessageRequest{RoomID: room.ID, Seq: ack.Message.Seq, Encrypted: second})
	wantCode(t, err, chat.StaleKey)
	// A plain room's edit takes no ciphertext.
	plain := h.direct(ada, "bo")
	m := h.send(ada, plain.ID, "plain words")
	_, err = h.svc.EditMessage(h.ctx, ada, protocol.EditMessageRequest{RoomID: plain.ID, Seq: m.Seq, Encrypted: second})
	wantCode(t, err, chat.Invalid)
}

// Two devices make epoch 1 at once: exactly one wins; the other is told
// conflict and writes nothing.
func TestRoomKeyEpochRace(t *testing.T) {
	h := newE2EEHarness(t)
	ada := h.person("ada", "a1", 1)
	bo := h.person("bo", "b1", 2)
	room := encDirect(h.harness, ada, "bo")
	to := map[string]int{"ada": 1, "bo": 2}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, c := range []chat.Connection{ada, bo} {
		wg.Go(func() { _, errs[i] = h.share(c, room.ID, 1, to) })
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch chat.ErrorCode(err) {
		case "":
			wins++
		case chat.Conflict:
		default:
			t.Fatalf("share: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d winners (%v), want 1", wins, errs)
	}
	r, _ := h.store.GetRoom(h.ctx, room.ID)
	if r.KeyEpoch != 1 || r.RotateKey {
		t.Fatalf("room %+v", r)
	}
	keys, err := h.svc.GetRoomKeys(h.ctx, bo, protocol.GetRoomKeysRequest{RoomID: room.ID, DeviceID: bo.DeviceID})
	if err != nil || len(keys.Keys) != 1 || keys.KeyEpoch != 1 {
		t.Fatalf("bo's keys %+v %v", keys, err)
	}
	// Skipping an epoch is refused; re-sharing epoch 1 (a device that
	// missed it) is fine and leaves the epoch alone.
	_, err = h.share(ada, room.ID, 3, to)
	wantCode(t, err, chat.Conflict)
	h.dev.add("bo", testDevice(5))
	if ev, err := h.share(ada, room.ID, 1, map[string]int{"bo": 5}); err != nil || ev.KeyEpoch != 1 {
		t.Fatalf("share to a late device: %+v %v", ev, err)
	}
	bo2 := bo
	bo2.ID, bo2.DeviceID = "b1", testDevice(5)
	keys, err = h.svc.GetRoomKeys(h.ctx, bo2, protocol.GetRoomKeysRequest{RoomID: room.ID, DeviceID: testDevice(5)})
	if err != nil || len(keys.Keys) != 1 || keys.Keys[0].Epoch != 1 || keys.Keys[0].SenderUserID != "ada" {
		t.Fatalf("late device's keys %+v %v", keys, err)
	}
}

func TestRoomKeysGoToMembersDevicesOnly(t *testing.T) {
	h := newE2EEHarness(t)
	ada := h.person("ada", "a1", 1)
	bo := h.person("bo", "b1", 2)
	h.person("eve", "e1", 3)
	room := encDirect(h.harness, ada, "bo")
	// Eve is no member: no key for her.
	_, err := h.share(ada, room.ID, 1, map[string]int{"ada": 1, "eve": 3})
	wantCode(t, err, chat.Forbidden)
	// A device Bo never registered.
	_, err = h.share(ada, room.ID, 1, map[string]int{"ada": 1, "bo": 9})
	wantCode(t, err, chat.Invalid)
	// A sender device that is not this connection's.
	other := ada
	other.DeviceID = testDevice(7)
	_, err = h.share(other, room.ID, 1, map[string]int{"bo": 2})
	wantCode(t, err, chat.Forbidden)
	// Bo cannot read keys of Ada's device.
	_, err = h.svc.GetRoomKeys(h.ctx, bo, protocol.GetRoomKeysRequest{RoomID: room.ID, DeviceID: ada.DeviceID})
	wantCode(t, err, chat.Forbidden)
	h.fan.Reset()
	if _, err := h.share(ada, room.ID, 1, map[string]int{"ada": 1, "bo": 2}); err != nil {
		t.Fatal(err)
	}
	ev := decodeOne[protocol.RoomKeysEvent](t, h.fan, "b1", protocol.EventRoomKeys)
	if ev.RoomID != room.ID || ev.Epoch != 1 || ev.KeyEpoch != 1 || len(ev.Keys) != 0 {
		t.Fatalf("pushed %+v", ev)
	}
	upd := decodeOne[protocol.RoomEvent](t, h.fan, "b1", protocol.EventRoomUpdated)
	if upd.Room.Room.KeyEpoch != 1 {
		t.Fatalf("roomUpdated %+v", upd.Room.Room)
	}
}

// A join and a leave set rotateKey; the next sender must make a new epoch.
func TestMembershipChangesRotateTheKey(t *testing.T) {
	h := newE2EEHarness(t)
	ada := h.person("ada", "a1", 1)
	bo := h.person("bo", "b1", 2)
	id := h.encryptedChannelInviting(ada, "bo")
	joined, err := h.svc.AcceptInvite(h.ctx, bo, protocol.RoomRequest{RoomID: id})
	if err != nil || !joined.Room.Room.RotateKey {
		t.Fatalf("accept: %+v %v", joined.Room.Room, err)
	}
	_, err = h.svc.SendMessage(h.ctx, ada, protocol.SendMessageRequest{RoomID: id, ClientID: "x1", Encrypted: ciphertext(1, ada.DeviceID)})
	wantCode(t, err, chat.StaleKey)
	if _, err := h.share(ada, id, 2, map[string]int{"ada": 1, "bo": 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.SendMessage(h.ctx, ada, protocol.SendMessageRequest{RoomID: id, ClientID: "x2", Encrypted: ciphertext(2, ada.DeviceID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.LeaveChannel(h.ctx, bo, protocol.RoomRequest{RoomID: id}); err != nil {
		t.Fatal(err)
	}
	if r, _ := h.store.GetRoom(h.ctx, id); !r.RotateKey || r.KeyEpoch != 2 {
		t.Fatalf("after leave: %+v", r)
	}
	// Bo, gone, gets no key of epoch 3.
	_, err = h.share(ada, id, 3, map[string]int{"ada": 1, "bo": 2})
	wantCode(t, err, chat.Forbidden)
}

// TestLaterMemberGetsNoEarlierEpoch: a newcomer holds keys from their
// join's epoch on. No member's device may hand them an older epoch's key
// (a key request answered carelessly), and getRoomKeys answers none
// older even if one were stored for their device.
func TestLaterMemberGetsNoEarlierEpoch(t *testing.T) {
	h := newE2EEHarness(t)
	ada := h.person("ada", "a1", 1)
	bo := h.person("bo", "b1", 2)
	id := h.encryptedChannelInviting(ada, "bo")
	if _, err := h.svc.AcceptInvite(h.ctx, bo, protocol.RoomRequest{RoomID: id}); err != nil {
		t.Fatal(err)
	}
	if m, err := h.store.GetMember(h.ctx, id, "bo"); err != nil || m.KeyEpochFrom != 2 {
		t.Fatalf("bo's membership = %+v, %v: want keyEpochFrom 2", m, err)
	}
	_, err := h.share(ada, id, 1, map[string]int{"bo": 2})
	wantCode(t, err, chat.Forbidden)
	if _, err := h.share(ada, id, 2, map[string]int{"ada": 1, "bo": 2}); err != nil {
		t.Fatal(err)
	}
	// An epoch-1 key for bo's device slipped into the store is still not his.
	if _, err := h.store.ShareRoomKeys(h.ctx, id, 1, false, []chat.WrappedRoomKey{{RoomID: id, Epoch: 1, UserID: "bo", DeviceID: testDevice(2), SenderUserID: "ada", SenderDevice: testDevice(1), Wrapped: testWrapped}}); err != nil {
		t.Fatal(err)
	}
	got, err := h.svc.GetRoomKeys(h.ctx, bo, protocol.GetRoomKeysRequest{RoomID: id, DeviceID: testDevice(2)})
	if err != nil || len(got.Keys) != 1 || got.Keys[0].Epoch != 2 {
		t.Fatalf("bo's room keys = %+v, %v: want epoch 2 only", got.Keys, err)
	}
	// The room's first members hold every epoch.
	mine, err := h.svc.GetRoomKeys(h.ctx, ada, protocol.GetRoomKeysRequest{RoomID: id, DeviceID: testDevice(1)})
	if err != nil || len(mine.Keys) != 2 {
		t.Fatalf("ada's room keys = %+v, %v: want epochs 1 and 2", mine.Keys, err)
	}
}

// What an encrypted room switches off, and reports carrying the
// reporter's plaintext.
func TestEncryptedRoomsSwitchOff(t *testing.T) {
	h := newE2EEHarness(t, func(c *service.Config) { c.Timer = noTimer{}; c.Hooks = testHooks; c.Gifs = &chattest.Gifs{} })
	ada := h.person("ada", "a1", 1)
	bo := h.person("bo", "b1", 2)
	ch, err := h.svc.CreateChannel(h.ctx, ada, protocol.CreateChannelRequest{Name: "vault", Private: true, Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	id := ch.Room.Room.ID
	if _, err := h.share(ada, id, 1, map[string]int{"ada": 1}); err != nil {
		t.Fatal(err)
	}
	off := map[string]error{}
	_, off["poll"] = h.svc.CreatePoll(h.ctx, ada, protocol.CreatePollRequest{RoomID: id, ClientID: "p1", Question: "Lunch?", Options: []string{"a", "b"}})
	_, off["scheduled message"] = h.svc.ScheduleMessage(h.ctx, ada, protocol.ScheduleMessageRequest{RoomID: id, ClientID: "s1", Text: "later", At: h.clock().Add(time.Hour)})
	_, off["incoming webhook"] = h.svc.CreateWebhook(h.ctx, ada, protocol.CreateWebhookRequest{RoomID: id, Name: "CI"})
	_, off["outgoing webhook"] = h.svc.RegisterOutgoingWebhook(h.ctx, ada, protocol.RegisterOutgoingWebhookRequest{RoomID: id, URL: "https://example.com/out", AllMessages: true})
	_, off["slash command"] = h.svc.RunCommand(h.ctx, ada, protocol.RunCommandRequest{RoomID: id, Command: "build", ClientID: "c1", Text: "secret"})
	_, off["bot"] = h.svc.AddBotToRoom(h.ctx, ada, protocol.RoomBotRequest{RoomID: id, BotID: "bot_x"})
	_, off["upload in the clear"] = h.svc.RequestUpload(h.ctx, ada, protocol.RequestUploadRequest{RoomID: id, Name: "a.txt", Size: 3, Type: "text/plain"})
	for what, err := range off {
		if code := chat.ErrorCode(err); code != chat.Invalid && code != chat.Internal {
			t.Errorf("%s in an encrypted room: %v, want refused", what, err)
		} else if code == chat.Internal && what != "upload in the clear" {
			t.Errorf("%s: %v, want invalid", what, err)
		}
	}

	// A reminder on an encrypted message: no note (it would wait in the clear).
	dm := encDirect(h.harness, ada, "bo")
	if _, err := h.share(ada, dm.ID, 1, map[string]int{"ada": 1, "bo": 2}); err != nil {
		t.Fatal(err)
	}
	ack, err := h.svc.SendMessage(h.ctx, ada, protocol.SendMessageRequest{RoomID: dm.ID, ClientID: "r1", Encrypted: ciphertext(1, ada.DeviceID)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.svc.RemindMe(h.ctx, bo, protocol.RemindMeRequest{RoomID: dm.ID, Seq: ack.Message.Seq, Note: "pay the ransom", At: h.clock().Add(time.Hour)})
	wantCode(t, err, chat.Invalid)

	// Reporting it needs the plaintext, which moderators then see.
	_, err = h.svc.ReportMessage(h.ctx, bo, protocol.ReportMessageRequest{RoomID: dm.ID, Seq: ack.Message.Seq, Reason: "threat"})
	wantCode(t, err, chat.Invalid)
	rep, err := h.svc.ReportMessage(h.ctx, bo, protocol.ReportMessageRequest{RoomID: dm.ID, Seq: ack.Message.Seq, Reason: "threat", Plaintext: "  you will regret this  "})
	if err != nil || rep.Report.DecryptedText != "you will regret this" || rep.Report.Message.Encrypted == nil {
		t.Fatalf("report %+v %v", rep.Report, err)
	}
	mod := h.connectWithGroups("mo", "m1", chat.GroupAdmins)
	list, err := h.svc.ListReports(h.ctx, mod, protocol.ListReportsRequest{})
	if err != nil || len(list.Reports) != 1 || list.Reports[0].DecryptedText != "you will regret this" {
		t.Fatalf("listReports %+v %v", list.Reports, err)
	}
	// A plain room's report keeps no plaintext field.
	plain := h.direct(ada, "bo")
	m := h.send(ada, plain.ID, "hello there")
	rep, err = h.svc.ReportMessage(h.ctx, bo, protocol.ReportMessageRequest{RoomID: plain.ID, Seq: m.Seq, Plaintext: "made up"})
	if err != nil || rep.Report.DecryptedText != "" {
		t.Fatalf("plain report %+v %v", rep.Report, err)
	}
}
