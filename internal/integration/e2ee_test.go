package integration

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/digest"
	"github.com/backchannel-chat/backchannel/internal/notify"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// End-to-end encryption (issue #19) over the real parts: the messages and
// the file are encrypted here with Go's crypto exactly as the contract's
// WRAP, MESSAGE and FILE say (the browser does it with WebCrypto), sent
// through the local gateway, stored in DynamoDB Local and the S3 stand-in;
// then every item and every object is searched for the plaintexts.

var b64 = base64.RawURLEncoding

// e2eeDevice is one test device: an ECDH P-256 key and its id.
type e2eeDevice struct {
	id   string
	priv *ecdh.PrivateKey
	pub  string // b64 of the raw uncompressed point
}

func newE2EEDevice(t *testing.T) e2eeDevice {
	t.Helper()
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	id := make([]byte, 26)
	for i := range id {
		var b [1]byte
		_, _ = rand.Read(b[:])
		id[i] = alphabet[int(b[0])%32]
	}
	return e2eeDevice{id: "dev_" + string(id), priv: priv, pub: b64.EncodeToString(priv.PublicKey().Bytes())}
}

// register registers d for u through registerDevice when the key
// directory answers it, else (the key directory is another helper's part
// and may not be in this build) writes the device item the directory
// keeps (pk USER#<id>, sk E2EEDEV#<deviceId>).
func (d e2eeDevice) register(t *testing.T, s *stack, c *client, u user) {
	t.Helper()
	f := c.send(protocol.ActionRegisterDevice, map[string]any{"deviceId": d.id, "name": u.name + "'s laptop", "publicKey": d.pub})
	if f.typ == protocol.EventDevice {
		return
	}
	_, err := dynamodb.NewFromConfig(s.awsCfg).PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "USER#" + u.id}, "sk": &types.AttributeValueMemberS{Value: "E2EEDEV#" + d.id},
			"userId": &types.AttributeValueMemberS{Value: u.id}, "deviceId": &types.AttributeValueMemberS{Value: d.id},
			"name": &types.AttributeValueMemberS{Value: "laptop"}, "publicKey": &types.AttributeValueMemberS{Value: d.pub},
			"createdAt": &types.AttributeValueMemberS{Value: time.Now().UTC().Format(time.RFC3339Nano)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// wrapInfo is the WRAP's info (and AES-GCM aad).
func wrapInfo(roomID string, epoch int, from, to string) string {
	return "bc-e2ee-v1 wrap\n" + roomID + "\n" + strconv.Itoa(epoch) + "\n" + from + "\n" + to
}

func wrapKey(t *testing.T, sender e2eeDevice, recipientPub string, roomID string, epoch int, toDev string, roomKey []byte) string {
	t.Helper()
	raw, err := b64.DecodeString(recipientPub)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ecdh.P256().NewPublicKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := sender.priv.ECDH(pub)
	if err != nil {
		t.Fatal(err)
	}
	info := wrapInfo(roomID, epoch, sender.id, toDev)
	k, err := hkdf.Key(sha256.New, shared, make([]byte, 32), info, 32)
	if err != nil {
		t.Fatal(err)
	}
	return b64.EncodeToString(seal(t, k, []byte(info), roomKey))
}

func unwrapKey(t *testing.T, recipient e2eeDevice, senderPub string, roomID string, epoch int, fromDev string, wrapped string) []byte {
	t.Helper()
	raw, _ := b64.DecodeString(senderPub)
	pub, err := ecdh.P256().NewPublicKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := recipient.priv.ECDH(pub)
	if err != nil {
		t.Fatal(err)
	}
	info := wrapInfo(roomID, epoch, fromDev, recipient.id)
	k, err := hkdf.Key(sha256.New, shared, make([]byte, 32), info, 32)
	if err != nil {
		t.Fatal(err)
	}
	blob, _ := b64.DecodeString(wrapped)
	return open(t, k, []byte(info), blob)
}

// seal is iv(12) || AES-256-GCM(key, iv, plain, aad).
func seal(t *testing.T, key, aad, plain []byte) []byte {
	t.Helper()
	gcm := newGCM(t, key)
	iv := make([]byte, 12)
	_, _ = rand.Read(iv)
	return append(iv, gcm.Seal(nil, iv, plain, aad)...)
}

func open(t *testing.T, key, aad, blob []byte) []byte {
	t.Helper()
	plain, err := newGCM(t, key).Open(nil, blob[:12], blob[12:], aad)
	if err != nil {
		t.Fatalf("AES-GCM open: %v", err)
	}
	return plain
}

func newGCM(t *testing.T, key []byte) cipher.AEAD {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return gcm
}

// msgAAD is the MESSAGE's aad.
func msgAAD(roomID string, epoch int, senderID, device, clientID string) []byte {
	return []byte("bc-e2ee-v1 msg\n" + roomID + "\n" + strconv.Itoa(epoch) + "\n" + senderID + "\n" + device + "\n" + clientID)
}

// encryptMessage builds the wire's encrypted content of content.
func encryptMessage(t *testing.T, roomKey []byte, roomID string, epoch int, senderID string, dev e2eeDevice, clientID string, content any) map[string]any {
	t.Helper()
	plain, err := json.Marshal(content)
	if err != nil {
		t.Fatal(err)
	}
	blob := seal(t, roomKey, msgAAD(roomID, epoch, senderID, dev.id, clientID), plain)
	return map[string]any{"v": 1, "epoch": epoch, "device": dev.id, "iv": b64.EncodeToString(blob[:12]), "ct": b64.EncodeToString(blob[12:])}
}

func decryptMessage(t *testing.T, roomKey []byte, m chat.Message) map[string]any {
	t.Helper()
	if m.Encrypted == nil {
		t.Fatalf("message %d has no ciphertext: %+v", m.Seq, m)
	}
	iv, _ := b64.DecodeString(m.Encrypted.IV)
	ct, _ := b64.DecodeString(m.Encrypted.CT)
	plain := open(t, roomKey, msgAAD(m.RoomID, m.Encrypted.Epoch, m.SenderID, m.Encrypted.Device, m.ClientID), append(iv, ct...))
	var out map[string]any
	if err := json.Unmarshal(plain, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestE2EEStoresOnlyCiphertext: Ann and Bob open an encrypted DM, Ann
// makes epoch 1 and wraps its key for both devices, sends messages (AES-
// GCM of known texts) and an encrypted file (uploaded through
// requestUpload to the S3 stand-in), edits one; Bob fetches his key,
// unwraps it, decrypts what he got, reacts and reports a message with its
// plaintext. Then the whole table (every item, every attribute, nested)
// and every version of every object are searched for every 8-character
// piece of every plaintext: the ONE allowed place is the report's
// decryptedText (what the reporter chose to show the moderators). The Web
// Push payloads and the email digest say "New encrypted message", no
// preview.
func TestE2EEStoresOnlyCiphertext(t *testing.T) {
	bucket := newFilesBucket(t)
	s, p := newPushStackOn(t, bucket, nil)
	ctx := context.Background()
	ann, bob := s.newUser("ann", "Ann Archer"), s.newUser("bob", "Bob Baker")
	s.verifyEmail(bob)
	a, _ := s.online(ann)
	b, _ := s.online(bob)
	annDev, bobDev := newE2EEDevice(t), newE2EEDevice(t)
	annDev.register(t, s, a, ann)
	bobDev.register(t, s, b, bob)
	sub := p.subscribe(t, b, "Bob's phone")
	setVisible(b, false)

	dm := decode[protocol.RoomEvent](t, a.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{bob.id}, "encrypted": true}, protocol.EventRoom)).Room
	plainDM := decode[protocol.RoomEvent](t, a.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{bob.id}}, protocol.EventRoom)).Room
	if !dm.Encrypted || dm.KeyEpoch != 0 || dm.ID == plainDM.ID || plainDM.Encrypted {
		t.Fatalf("encrypted DM %+v, plain %+v", dm.Room, plainDM.Room)
	}
	// Bob's state lists it as encrypted (the DynamoDB store keeps the flag).
	st := decode[protocol.StateEvent](t, b.call(protocol.ActionGetState, nil, protocol.EventState))
	listed := false
	for _, r := range st.Rooms {
		if r.ID == dm.ID && r.Encrypted {
			listed = true
		}
	}
	if !listed || st.Limits.E2EEMaxMembers != protocol.MaxEncryptedMembers {
		t.Fatalf("state rooms lack the encrypted DM or the limit: %+v", st.Limits)
	}

	// No key yet: a send is stale; Ann makes epoch 1.
	texts := []string{
		"Meet me at the old lighthouse at nine, bring the blueprints.",
		"The vault combination is seven-three-nine-one, do not share it.",
		"Quarterly salaries are attached, strictly confidential please.",
	}
	clientIDs := []string{"e2ee-1", "e2ee-2", "e2ee-3"}
	roomKey := make([]byte, 32)
	_, _ = rand.Read(roomKey)
	a.callError(protocol.ActionSendMessage, map[string]any{"roomId": dm.ID, "clientId": "early",
		"encrypted": encryptMessage(t, roomKey, dm.ID, 1, ann.id, annDev, "early", map[string]any{"text": texts[0]})}, string(chat.StaleKey))
	shared := decode[protocol.RoomKeysSharedEvent](t, a.call(protocol.ActionShareRoomKeys, map[string]any{"roomId": dm.ID, "epoch": 1, "keys": []any{
		map[string]any{"userId": ann.id, "deviceId": annDev.id, "senderDevice": annDev.id, "wrapped": wrapKey(t, annDev, annDev.pub, dm.ID, 1, annDev.id, roomKey)},
		map[string]any{"userId": bob.id, "deviceId": bobDev.id, "senderDevice": annDev.id, "wrapped": wrapKey(t, annDev, bobDev.pub, dm.ID, 1, bobDev.id, roomKey)},
	}}, protocol.EventRoomKeysShared))
	if shared.KeyEpoch != 1 {
		t.Fatalf("roomKeysShared %+v", shared)
	}
	// Skipping an epoch is refused (epochs grow by one).
	a.callError(protocol.ActionShareRoomKeys, map[string]any{"roomId": dm.ID, "epoch": 2 + 1, "keys": []any{
		map[string]any{"userId": bob.id, "deviceId": bobDev.id, "senderDevice": annDev.id, "wrapped": wrapKey(t, annDev, bobDev.pub, dm.ID, 3, bobDev.id, roomKey)},
	}}, string(chat.Conflict))
	b.expectEvent(protocol.EventRoomKeys, func(f frame) bool { return f.fields["roomId"] == dm.ID })

	// Bob fetches and unwraps his key.
	keys := decode[protocol.RoomKeysEvent](t, b.call(protocol.ActionGetRoomKeys, map[string]any{"roomId": dm.ID, "deviceId": bobDev.id}, protocol.EventRoomKeys))
	if len(keys.Keys) != 1 || keys.KeyEpoch != 1 || keys.Keys[0].SenderDevice != annDev.id {
		t.Fatalf("bob's keys %+v", keys)
	}
	bobKey := unwrapKey(t, bobDev, annDev.pub, dm.ID, 1, annDev.id, keys.Keys[0].Wrapped)
	if string(bobKey) != string(roomKey) {
		t.Fatal("bob unwrapped another key")
	}

	// Two messages and one with an encrypted file.
	var seqs []int64
	for i := range 2 {
		ack := decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage, map[string]any{"roomId": dm.ID, "clientId": clientIDs[i],
			"encrypted": encryptMessage(t, roomKey, dm.ID, 1, ann.id, annDev, clientIDs[i], map[string]any{"text": texts[i]}),
			"mentions":  []string{bob.id}}, protocol.EventAck))
		if ack.Message.Text != "" || ack.Message.Encrypted == nil || len(ack.Message.Mentions) != 1 {
			t.Fatalf("ack %+v", ack.Message)
		}
		seqs = append(seqs, ack.Message.Seq)
	}
	fileText := "employee,salary\nAda Lovelace,123456\nCharles Babbage,98765\n"
	fileName := "quarterly-salaries-2026.csv"
	fileKey, fileIV := make([]byte, 32), make([]byte, 12)
	_, _ = rand.Read(fileKey)
	_, _ = rand.Read(fileIV)
	fileCT := newGCM(t, fileKey).Seal(nil, fileIV, []byte(fileText), nil)
	// A plain type in an encrypted room is refused; ciphertext is octet-stream.
	a.callError(protocol.ActionRequestUpload, map[string]any{"roomId": dm.ID, "name": fileName, "size": len(fileText), "type": "text/csv", "sha256": chat.SHA256Base64([]byte(fileText))}, string(chat.Invalid))
	ticket := decode[protocol.UploadTicketEvent](t, a.call(protocol.ActionRequestUpload, map[string]any{"roomId": dm.ID, "name": "encrypted.bin",
		"size": len(fileCT), "type": "application/octet-stream", "sha256": chat.SHA256Base64(fileCT)}, protocol.EventUploadTicket))
	uploadByTicket(t, ticket, fileCT)
	plainSum := sha256.Sum256([]byte(fileText))
	content := map[string]any{"text": texts[2], "files": []any{map[string]any{"key": ticket.Key, "k": b64.EncodeToString(fileKey), "iv": b64.EncodeToString(fileIV),
		"name": fileName, "type": "text/csv", "size": len(fileText), "sha256": b64.EncodeToString(plainSum[:])}}}
	ack := decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage, map[string]any{"roomId": dm.ID, "clientId": clientIDs[2],
		"encrypted":   encryptMessage(t, roomKey, dm.ID, 1, ann.id, annDev, clientIDs[2], content),
		"attachments": []any{map[string]any{"key": ticket.Key, "name": "encrypted.bin", "size": len(fileCT), "type": "application/octet-stream"}}}, protocol.EventAck))
	seqs = append(seqs, ack.Message.Seq)
	if len(ack.Message.Attachments) != 1 || ack.Message.Attachments[0].Type != "application/octet-stream" {
		t.Fatalf("attachments %+v", ack.Message.Attachments)
	}
	// Text in the clear is refused in the encrypted room.
	a.callError(protocol.ActionSendMessage, message(dm.ID, "clear", "this must never be stored anywhere"), string(chat.Invalid))

	// Ann edits the first message: new ciphertext, same clientId.
	edited := "Change of plan: meet at the harbour warehouse at ten."
	texts = append(texts, edited)
	a.call(protocol.ActionEditMessage, map[string]any{"roomId": dm.ID, "seq": seqs[0],
		"encrypted": encryptMessage(t, roomKey, dm.ID, 1, ann.id, annDev, clientIDs[0], map[string]any{"text": edited})}, protocol.EventMessageUpdated)

	// Bob reads the history and decrypts every message with his key.
	hist := decode[protocol.HistoryEvent](t, b.call(protocol.ActionHistory, map[string]any{"roomId": dm.ID}, protocol.EventHistory))
	got := map[int64]string{}
	for _, m := range hist.Messages {
		if m.System == nil {
			got[m.Seq] = decryptMessage(t, bobKey, m)["text"].(string)
		}
	}
	if got[seqs[0]] != edited || got[seqs[1]] != texts[1] || got[seqs[2]] != texts[2] {
		t.Fatalf("bob decrypted %v", got)
	}
	// And downloads and decrypts the file.
	dl := decode[protocol.DownloadURLEvent](t, b.call(protocol.ActionRequestDownload, map[string]any{"roomId": dm.ID, "seq": seqs[2], "key": ticket.Key}, protocol.EventDownloadURL))
	resp, err := http.Get(dl.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if plain, err := newGCM(t, fileKey).Open(nil, fileIV, body, nil); err != nil || string(plain) != fileText {
		t.Fatalf("file: %v %q", err, plain)
	}

	// Bob reacts (emoji are in the clear by design) and reports the
	// second message with what he decrypted.
	b.call(protocol.ActionReact, map[string]any{"roomId": dm.ID, "seq": seqs[1], "emoji": "👍", "on": true}, protocol.EventMessageUpdated)
	b.callError(protocol.ActionReportMessage, map[string]any{"roomId": dm.ID, "seq": seqs[1], "reason": "threat"}, string(chat.Invalid))
	rep := decode[protocol.ReportEvent](t, b.call(protocol.ActionReportMessage, map[string]any{"roomId": dm.ID, "seq": seqs[1], "reason": "leaking secrets", "plaintext": texts[1]}, protocol.EventReport))
	if rep.Report.DecryptedText != texts[1] {
		t.Fatalf("report %+v", rep.Report)
	}

	// Web Push: each message Bob got while hidden says no more than that.
	for i := range 3 {
		pl, raw := p.next(t, sub.Endpoint, i)
		if pl.RoomID != dm.ID || pl.Preview != notify.EncryptedPreview {
			t.Fatalf("push %d: %+v", i, pl)
		}
		if hit := plaintextIn(string(raw.Payload), texts, fileText, fileName); hit != "" {
			t.Fatalf("push %d holds %q: %s", i, hit, raw.Payload)
		}
	}

	// The email digest of a missed encrypted message: no preview.
	rig := newDigestRig(t, s)
	s.offline(bob, b)
	late := "Last one before the ferry leaves, burn this note afterwards."
	texts = append(texts, late)
	lateAck := decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage, map[string]any{"roomId": dm.ID, "clientId": "e2ee-late",
		"encrypted": encryptMessage(t, roomKey, dm.ID, 1, ann.id, annDev, "e2ee-late", map[string]any{"text": late})}, protocol.EventAck))
	if err := rig.app.Digest.Missed(ctx, bob.id, dm.ID, lateAck.Message.Seq, digest.ReasonDM); err != nil {
		t.Fatal(err)
	}
	mail := rig.waitMail(t, 1)[0]
	if !strings.Contains(mail.Text, "New encrypted message") {
		t.Fatalf("digest text:\n%s", mail.Text)
	}
	if hit := plaintextIn(mail.Text+mail.HTML+mail.Subject, texts, fileText, fileName); hit != "" {
		t.Fatalf("the digest holds %q:\n%s", hit, mail.Text)
	}
	p.waitHandled(t, lateAck.Message)

	// Every item, every attribute (nested), every object version.
	hits := 0
	ddb := dynamodb.NewFromConfig(s.awsCfg)
	pages := dynamodb.NewScanPaginator(ddb, &dynamodb.ScanInput{TableName: aws.String(s.table), ConsistentRead: aws.Bool(true)})
	items := 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			items++
			where := fmt.Sprintf("%v|%v", attrString(it["pk"]), attrString(it["sk"]))
			for name, v := range it {
				walkAttr(v, func(s string) {
					hit := plaintextIn(s, texts, fileText, fileName)
					if hit == "" {
						return
					}
					if strings.HasPrefix(where, "REPORT#") && name == "decryptedText" && s == texts[1] {
						hits++ // the one allowed plaintext: what the reporter showed the moderators
						return
					}
					t.Errorf("item %s attribute %s holds %q: %.200s", where, name, hit, s)
				})
			}
		}
	}
	if hits != 1 {
		t.Errorf("the report's decryptedText was found %d times, want 1", hits)
	}
	objects := 0
	s3c := s3.NewFromConfig(s.awsCfg, func(o *s3.Options) { o.UsePathStyle = true })
	var keyMarker, versionMarker *string
	for {
		page, err := s3c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), KeyMarker: keyMarker, VersionIdMarker: versionMarker})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page.Versions {
			objects++
			obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: v.Key, VersionId: v.VersionId})
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(obj.Body)
			obj.Body.Close()
			meta := aws.ToString(v.Key) + aws.ToString(obj.ContentType) + aws.ToString(obj.ContentDisposition)
			for k, m := range obj.Metadata {
				meta += k + m
			}
			if hit := plaintextIn(string(data)+meta, texts, fileText, fileName); hit != "" {
				t.Errorf("object %s holds %q", aws.ToString(v.Key), hit)
			}
		}
		if !aws.ToBool(page.IsTruncated) {
			break
		}
		keyMarker, versionMarker = page.NextKeyMarker, page.NextVersionIdMarker
	}
	if objects == 0 || items < 20 {
		t.Fatalf("searched %d items and %d objects: too few to mean anything", items, objects)
	}
	t.Logf("searched %d items and %d object versions for %d plaintexts", items, objects, len(texts)+2)
}

// plaintextIn answers the first 8-byte piece of a plaintext (texts, the
// file's bytes or its name) found in s, "" when none is.
func plaintextIn(s string, texts []string, file, fileName string) string {
	all := append(append([]string{}, texts...), file, fileName)
	for _, p := range all {
		for i := 0; i+8 <= len(p); i++ {
			if piece := p[i : i+8]; strings.Contains(s, piece) {
				return piece
			}
		}
	}
	return ""
}

// walkAttr calls fn with every string (and binary, as a string) inside v.
func walkAttr(v types.AttributeValue, fn func(string)) {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		fn(x.Value)
	case *types.AttributeValueMemberB:
		fn(string(x.Value))
	case *types.AttributeValueMemberSS:
		for _, s := range x.Value {
			fn(s)
		}
	case *types.AttributeValueMemberBS:
		for _, b := range x.Value {
			fn(string(b))
		}
	case *types.AttributeValueMemberL:
		for _, e := range x.Value {
			walkAttr(e, fn)
		}
	case *types.AttributeValueMemberM:
		for k, e := range x.Value {
			fn(k)
			walkAttr(e, fn)
		}
	}
}

func attrString(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}
