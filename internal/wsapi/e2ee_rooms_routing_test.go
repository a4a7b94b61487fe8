package wsapi

import (
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// The room-key actions' routing cases: an encrypted direct room e1 of
// alice and u2 at epoch 1, each with a registered device.

var (
	routingDevA    = "dev_" + strings.Repeat("a", 26)
	routingDevB    = "dev_" + strings.Repeat("b", 26)
	routingWrapped = strings.Repeat("w", 80)
)

func seedE2EERoom(t *testing.T, c *testChat, alice chat.Connection) chat.Connection {
	t.Helper()
	now := c.clock()
	if err := c.store.CreateRoom(c.ctx, chat.Room{ID: "e1", Kind: chat.KindDirect, CreatedBy: testUserID, CreatedAt: now, MemberCount: 2,
		MemberIDs: []string{testUserID, "u2"}, Encrypted: true, KeyEpoch: 1},
		[]chat.Member{{RoomID: "e1", UserID: testUserID, Role: chat.RoleMember, JoinedAt: now}, {RoomID: "e1", UserID: "u2", Role: chat.RoleMember, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	c.store.SeedDevice(chat.Device{UserID: testUserID, DeviceID: routingDevA, PublicKey: "pk", CreatedAt: now})
	c.store.SeedDevice(chat.Device{UserID: "u2", DeviceID: routingDevB, PublicKey: "pk", CreatedAt: now})
	return alice
}

func init() {
	routingSeeds["ShareRoomKeys"] = seedE2EERoom
	routingSeeds["GetRoomKeys"] = seedE2EERoom
	callRoutingCases = append(callRoutingCases,
		callRoutingCase{`{"action":"shareRoomKeys","requestId":"q","roomId":"e1","epoch":1,"keys":[{"userId":"u2","deviceId":"` + routingDevB + `","senderDevice":"` + routingDevA + `","wrapped":"` + routingWrapped + `"}]}`,
			"ShareRoomKeys", protocol.ShareRoomKeysRequest{RoomID: "e1", Epoch: 1, Keys: []protocol.SharedRoomKey{{UserID: "u2", DeviceID: routingDevB, SenderDevice: routingDevA, Wrapped: routingWrapped}}},
			protocol.EventRoomKeysShared},
		callRoutingCase{`{"action":"getRoomKeys","requestId":"q","roomId":"e1","deviceId":"` + routingDevA + `","sinceEpoch":1}`,
			"GetRoomKeys", protocol.GetRoomKeysRequest{RoomID: "e1", DeviceID: routingDevA, SinceEpoch: 1}, protocol.EventRoomKeys},
	)
}
