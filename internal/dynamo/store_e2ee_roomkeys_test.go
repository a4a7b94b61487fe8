package dynamo_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// TestErasureLeavesNoRoomKeys: erasing a person deletes every room key
// wrapped for their devices, unlinks the keys they wrapped for others
// (the recipients keep them for the history) and drops the decrypted text
// of a report of their message; afterwards no room key item and no report
// holds their id or that text.
func TestErasureLeavesNoRoomKeys(t *testing.T) {
	s, client := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	ann, bob := "ann-e2ee", "bob-e2ee"
	room := chat.Room{ID: "d_e2eeerase", Kind: chat.KindDirect, CreatedBy: ann, CreatedAt: now, MemberCount: 2, MemberIDs: []string{ann, bob}, Encrypted: true}
	if err := s.CreateRoom(ctx, room, []chat.Member{{RoomID: room.ID, UserID: ann, Role: chat.RoleMember, JoinedAt: now}, {RoomID: room.ID, UserID: bob, Role: chat.RoleMember, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	devA, devB := "dev_"+strings.Repeat("a", 26), "dev_"+strings.Repeat("b", 26)
	keys := []chat.WrappedRoomKey{
		{RoomID: room.ID, Epoch: 1, UserID: ann, DeviceID: devA, SenderUserID: ann, SenderDevice: devA, Wrapped: "wA", CreatedAt: now},
		{RoomID: room.ID, Epoch: 1, UserID: bob, DeviceID: devB, SenderUserID: ann, SenderDevice: devA, Wrapped: "wB", CreatedAt: now},
	}
	if _, err := s.ShareRoomKeys(ctx, room.ID, 1, true, keys); err != nil {
		t.Fatal(err)
	}
	ct := &chat.EncryptedContent{V: 1, Epoch: 1, Device: devA, IV: "AAAAAAAAAAAAAAAA", CT: "Y2lwaGVydGV4dA"}
	m, _, err := s.AppendMessage(ctx, chat.Message{RoomID: room.ID, ClientID: "c1", SenderID: ann, SenderName: "Ann", CreatedAt: now, Encrypted: ct})
	if err != nil {
		t.Fatal(err)
	}
	secret := "the secret plan, as decrypted by bob"
	if err := s.PutReport(ctx, chat.Report{ID: "rep_e2ee", RoomID: room.ID, Seq: m.Seq, ReporterID: bob, CreatedAt: now, Message: m, DecryptedText: secret}); err != nil {
		t.Fatal(err)
	}
	if rep, err := s.GetReport(ctx, "rep_e2ee"); err != nil || rep.DecryptedText != secret || rep.Message.Encrypted == nil {
		t.Fatalf("report %+v %v", rep, err)
	}

	for cursor := ""; ; {
		res, err := s.EraseUserItems(ctx, ann, chat.ErasureErase, cursor, nil)
		if err != nil {
			t.Fatal(err)
		}
		if cursor = res.Cursor; cursor == "" {
			break
		}
	}

	if ks, _ := s.RoomKeys(ctx, room.ID, devA, 0); len(ks) != 0 {
		t.Fatalf("ann's keys left: %+v", ks)
	}
	ks, err := s.RoomKeys(ctx, room.ID, devB, 0)
	if err != nil || len(ks) != 1 || ks[0].SenderUserID != chat.DeletedActor || ks[0].Wrapped != "wB" {
		t.Fatalf("bob's key %+v %v", ks, err)
	}
	if r, err := s.GetRoom(ctx, room.ID); err != nil || !r.RotateKey {
		t.Fatalf("the room after ann's erasure: %+v %v (want rotateKey)", r, err)
	}
	if rep, err := s.GetReport(ctx, "rep_e2ee"); err != nil || rep.DecryptedText != "" {
		t.Fatalf("report after erasure %+v %v", rep, err)
	}
	// No room key item and no report names ann or holds the text.
	out, err := client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(s.TableName()), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range out.Items {
		var m map[string]any
		if err := gdynamo.UnmarshalItem(it, &m); err != nil {
			t.Fatal(err)
		}
		sk, _ := m["sk"].(string)
		pk, _ := m["pk"].(string)
		b, _ := json.Marshal(m)
		if strings.Contains(string(b), secret) {
			t.Errorf("item %s|%s holds the decrypted text", pk, sk)
		}
		if strings.HasPrefix(sk, "RKEY#") && strings.Contains(string(b), ann) {
			t.Errorf("room key item %s|%s still names ann: %s", pk, sk, b)
		}
	}
}
