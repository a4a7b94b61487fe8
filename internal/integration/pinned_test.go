package integration

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/local/devstack"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// newVersionedFilesBucket is newFilesBucket with versioning on, as the
// deployed files bucket has it; every version is removed at the end.
func newVersionedFilesBucket(t *testing.T) string {
	t.Helper()
	bucket := newFilesBucket(t)
	cfg := testenv.AWSConfig(t)
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	if err := devstack.EnsureVersioning(ctx, client, bucket); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // runs before newFilesBucket's cleanup deletes the bucket
		out, err := client.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
		if err != nil {
			return
		}
		var ids []types.ObjectIdentifier
		for _, v := range out.Versions {
			ids = append(ids, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
		for _, m := range out.DeleteMarkers {
			ids = append(ids, types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
		}
		if len(ids) > 0 {
			_, _ = client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids}})
		}
	})
	return bucket
}

// replay PUTs body to the ticket's URL with the ticket's headers, as the
// uploader's browser could for five minutes, and returns the status and
// the answer.
func replay(t *testing.T, ticket protocol.UploadTicketEvent, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(ticket.Method, ticket.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range ticket.Headers {
		if k != "Content-Length" {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestPinnedUploadCannotBeSwapped: the uploader replays the presigned PUT
// with other bytes of the same size and type, before and after sending
// the message: storage refuses both (BadDigest), the message records the
// checksum and version checked at send, and the receiver downloads the
// original bytes by that version.
func TestPinnedUploadCannotBeSwapped(t *testing.T) {
	bucket := newVersionedFilesBucket(t)
	tr := newTrioWithFiles(t, generousLimits, bucket)
	dm := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{tr.bob.id}}, protocol.EventRoom)).Room.ID
	orig := []byte("invoice: pay 100 EUR to DE89 3704 0044 0532 0130 00")
	swap := []byte("invoice: pay 900 EUR to GB29 NWBK 6016 1331 9268 19")
	if len(orig) != len(swap) {
		t.Fatal("the swap must have the original's size")
	}
	// Without the checksum there is no ticket.
	tr.a.callError(protocol.ActionRequestUpload, map[string]any{"roomId": dm, "name": "invoice.txt", "size": len(orig), "type": "text/plain"}, "invalid")

	ticket := decode[protocol.UploadTicketEvent](t, tr.a.call(protocol.ActionRequestUpload,
		map[string]any{"roomId": dm, "name": "invoice.txt", "size": len(orig), "type": "text/plain", "sha256": chat.SHA256Base64(orig)}, protocol.EventUploadTicket))
	if code, body := replay(t, ticket, swap); code != http.StatusBadRequest || !strings.Contains(body, "BadDigest") {
		t.Fatalf("PUT of other bytes before the upload = %d %s, want 400 BadDigest", code, body)
	}
	uploadByTicket(t, ticket, orig)
	if code, body := replay(t, ticket, swap); code != http.StatusBadRequest || !strings.Contains(body, "BadDigest") {
		t.Fatalf("replay with other bytes before the send = %d %s, want 400 BadDigest", code, body)
	}

	att := map[string]any{"key": ticket.Key, "name": "invoice.txt", "size": len(orig), "type": "text/plain", "sha256": chat.SHA256Base64(orig)}
	ack := decode[protocol.AckEvent](t, tr.a.call(protocol.ActionSendMessage,
		map[string]any{"roomId": dm, "clientId": "invoice", "text": "", "attachments": []any{att}}, protocol.EventAck))
	sent := ack.Message.Attachments[0]
	if sent.SHA256 != chat.SHA256Base64(orig) || sent.VersionID == "" {
		t.Fatalf("recorded attachment %+v, want the checksum and a version id", sent)
	}
	got := decode[protocol.MessageEvent](t, tr.b.expectEvent(protocol.EventMessage, isMessage(t, dm, ack.Message.Seq)))
	if a := got.Message.Attachments[0]; a.VersionID != sent.VersionID || a.SHA256 != sent.SHA256 {
		t.Fatalf("bob received %+v, want %+v", a, sent)
	}

	// After the send: refused again, and no new version appears.
	if code, body := replay(t, ticket, swap); code != http.StatusBadRequest || !strings.Contains(body, "BadDigest") {
		t.Fatalf("replay with other bytes after the send = %d %s, want 400 BadDigest", code, body)
	}
	// A replay of the same bytes is harmless: the same content, a new version.
	uploadByTicket(t, ticket, orig)

	dl := decode[protocol.DownloadURLEvent](t, tr.b.call(protocol.ActionRequestDownload,
		map[string]any{"roomId": dm, "seq": ack.Message.Seq, "key": sent.Key, "versionId": sent.VersionID}, protocol.EventDownloadURL))
	resp, err := http.Get(dl.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, orig) {
		t.Errorf("bob downloaded %s %q, want the original %q", resp.Status, body, orig)
	}
	if !strings.Contains(dl.URL, "versionId=") {
		t.Errorf("download URL %s does not name the version", dl.URL)
	}
}

// TestPinnedAvatarCannotBeSwapped: a profile picture is pinned like a
// message's file: requestAvatarUpload needs the picture's checksum, the
// storage refuses a replay of the ticket with other bytes of the same size
// and type before and after the picture is set, the version checked when
// it was set is recorded on the profile, and requestAvatarUrl serves that
// version, the original bytes, whatever was written to the key since.
func TestPinnedAvatarCannotBeSwapped(t *testing.T) {
	bucket := newVersionedFilesBucket(t)
	tr := newTrioWithFiles(t, generousLimits, bucket)
	orig := pngBytes(t, 16, 16)
	swap := bytes.Clone(orig)
	swap[len(swap)/2] ^= 0xff // same size and type, other bytes
	tr.a.callError(protocol.ActionRequestAvatarUpload, map[string]any{"size": len(orig), "type": "image/png"}, "invalid")
	ticket := decode[protocol.UploadTicketEvent](t, tr.a.call(protocol.ActionRequestAvatarUpload,
		map[string]any{"size": len(orig), "type": "image/png", "sha256": chat.SHA256Base64(orig)}, protocol.EventUploadTicket))
	if code, body := replay(t, ticket, swap); code != http.StatusBadRequest || !strings.Contains(body, "BadDigest") {
		t.Fatalf("PUT of other bytes = %d %s, want 400 BadDigest", code, body)
	}
	uploadByTicket(t, ticket, orig)
	if code, body := replay(t, ticket, swap); code != http.StatusBadRequest || !strings.Contains(body, "BadDigest") {
		t.Fatalf("replay with other bytes before setting it = %d %s, want 400 BadDigest", code, body)
	}
	tr.a.call(protocol.ActionUpdateProfile, map[string]any{"avatarKey": ticket.Key}, protocol.EventProfile)
	if code, body := replay(t, ticket, swap); code != http.StatusBadRequest || !strings.Contains(body, "BadDigest") {
		t.Fatalf("replay with other bytes after setting it = %d %s, want 400 BadDigest", code, body)
	}
	uploadByTicket(t, ticket, orig) // the same bytes again: a new, identical version

	store, err := dynamo.New(dynamodb.NewFromConfig(tr.s.awsCfg), tr.s.table)
	if err != nil {
		t.Fatal(err)
	}
	p, err := store.GetProfile(context.Background(), tr.ann.id)
	if err != nil || p.AvatarKey != ticket.Key || p.AvatarVersion == "" || p.AvatarVersionKey != ticket.Key {
		t.Fatalf("profile %+v, %v: want the checked version recorded", p, err)
	}
	url := decode[protocol.AvatarURLEvent](t, tr.b.call(protocol.ActionRequestAvatarURL, map[string]any{"userId": tr.ann.id}, protocol.EventAvatarURL)).URL
	if !strings.Contains(url, "versionId=") {
		t.Errorf("the picture's URL names no version: %s", url)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, orig) {
		t.Errorf("Bob got %s, %d bytes: want the picture as it was checked", resp.Status, len(got))
	}
}
