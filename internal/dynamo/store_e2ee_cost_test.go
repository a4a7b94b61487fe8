package dynamo_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// TestRoomKeysCost measures the table's side of an encrypted DM's key
// paths through the service on DynamoDB Local (docs/ARCHITECTURE.md
// "End-to-end encryption"): a new epoch for two devices (one transaction
// of the room's META and the two keys, which DynamoDB bills at twice what
// DynamoDB Local reports: the log adds the difference), a device fetching
// its keys, an encrypted send and a stale one.
func TestRoomKeysCost(t *testing.T) {
	harness := newCostHarness(t, service.Config{RatePerWindow: 1000})
	svc, s, log := harness.svc, harness.store, harness.log
	client := harness.client
	ctx := context.Background()
	devs := map[string]string{"ann": "dev_" + strings.Repeat("a", 26), "bob": "dev_" + strings.Repeat("b", 26)}
	conns := map[string]chat.Connection{}
	for id, dev := range devs {
		c := harness.connect(t, id, id+"1")
		c.DeviceID = dev
		conns[id] = c
		// The key directory's device item (registerDevice's).
		if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.TableName()), Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "USER#" + id}, "sk": &types.AttributeValueMemberS{Value: "E2EEDEV#" + dev},
			"userId": &types.AttributeValueMemberS{Value: id}, "deviceId": &types.AttributeValueMemberS{Value: dev},
			"publicKey": &types.AttributeValueMemberS{Value: "pk"}, "createdAt": &types.AttributeValueMemberS{Value: time.Now().UTC().Format(time.RFC3339Nano)},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	ann, bob := conns["ann"], conns["bob"]
	room, err := svc.OpenDirect(ctx, ann, protocol.OpenDirectRequest{UserIDs: []string{"bob"}, Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	id := room.Room.Room.ID
	measure := func(what string, txItems, maxRequests int) {
		t.Helper()
		ops, units := log.reset()
		t.Logf("%s: %d requests, %.1f units as DynamoDB Local counts (+%d WCU billed for the transaction's items): %v", what, len(ops), units, txItems, ops)
		if len(ops) > maxRequests {
			t.Errorf("%s: %d requests, want at most %d", what, len(ops), maxRequests)
		}
	}
	wrapped := base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("w", 60)))
	log.reset()
	if _, err := svc.ShareRoomKeys(ctx, ann, protocol.ShareRoomKeysRequest{RoomID: id, Epoch: 1, Keys: []protocol.SharedRoomKey{
		{UserID: "ann", DeviceID: devs["ann"], SenderDevice: devs["ann"], Wrapped: wrapped},
		{UserID: "bob", DeviceID: devs["bob"], SenderDevice: devs["ann"], Wrapped: wrapped},
	}}); err != nil {
		t.Fatal(err)
	}
	measure("shareRoomKeys, a new epoch for 2 devices", 3, 14)
	if _, err := svc.GetRoomKeys(ctx, bob, protocol.GetRoomKeysRequest{RoomID: id, DeviceID: devs["bob"]}); err != nil {
		t.Fatal(err)
	}
	measure("getRoomKeys", 0, 5)
	enc := &chat.EncryptedContent{V: 1, Epoch: 1, Device: devs["ann"], IV: "AAAAAAAAAAAAAAAA", CT: base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("c", 300)))}
	if _, err := svc.SendMessage(ctx, ann, protocol.SendMessageRequest{RoomID: id, ClientID: "m1", Encrypted: enc}); err != nil {
		t.Fatal(err)
	}
	measure("sendMessage, encrypted", 0, 12)
	stale := *enc
	stale.Epoch = 2
	if _, err := svc.SendMessage(ctx, ann, protocol.SendMessageRequest{RoomID: id, ClientID: "m2", Encrypted: &stale}); chat.ErrorCode(err) != chat.StaleKey {
		t.Fatalf("stale send: %v", err)
	}
	measure("sendMessage, stale epoch (refused)", 0, 6)
}
