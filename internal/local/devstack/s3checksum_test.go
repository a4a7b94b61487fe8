package devstack_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/devstack"
	"github.com/backchannel-chat/backchannel/internal/s3blob"
)

// pinnedStore is the files bucket of a fresh in-process S3, versioned as in
// AWS, through the real s3blob store.
func pinnedStore(t *testing.T) *s3blob.Store {
	t.Helper()
	srv := startS3(t)
	ctx := context.Background()
	c := s3Client(srv.Endpoint)
	if err := devstack.EnsureBucket(ctx, c, "files"); err != nil {
		t.Fatal(err)
	}
	if err := devstack.EnsureVersioning(ctx, c, "files"); err != nil {
		t.Fatal(err)
	}
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(devstack.StandInAccessKey, devstack.StandInSecretKey, "")}
	s, err := s3blob.New(cfg, s3blob.Config{Bucket: "files", UsePathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// send makes the presigned request with body, as a browser does: every
// signed header but Content-Length (set from the body).
func send(t *testing.T, req chat.PresignedRequest, body []byte) (int, string) {
	t.Helper()
	r, err := http.NewRequest(req.Method, req.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range req.Header {
		if k != "Content-Length" {
			r.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestPinnedUploadRefusesOtherBytesOfTheSameSizeAndType: a PUT signed with
// x-amz-checksum-sha256 stores exactly the hashed bytes; replaying the URL
// with other bytes of the same size and type is refused (BadDigest), and
// so is dropping or changing the checksum header (it is signed). HeadObject
// reports the checksum and the version; a GET of that version serves the
// original even after another version was written.
func TestPinnedUploadRefusesOtherBytesOfTheSameSizeAndType(t *testing.T) {
	s := pinnedStore(t)
	ctx := context.Background()
	key := "rooms/general/alice/0123/report.txt"
	orig := []byte("the report, as checked")
	swap := []byte("the report, but forged")
	if len(orig) != len(swap) {
		t.Fatal("the swap must be the same size")
	}
	sum := chat.SHA256Base64(orig)
	req, err := s.PresignUpload(ctx, key, "text/plain", int64(len(orig)), sum, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	// The SDK signs x-amz-checksum-sha256 (it leaves out
	// x-amz-sdk-checksum-algorithm when the checksum itself is given).
	if req.Header["X-Amz-Checksum-Sha256"] != sum {
		t.Fatalf("headers to send = %v, want the checksum", req.Header)
	}
	if code, body := send(t, req, swap); code != http.StatusBadRequest || !strings.Contains(body, "BadDigest") {
		t.Fatalf("PUT of other bytes = %d %s, want 400 BadDigest", code, body)
	}
	if code, body := send(t, req, orig); code != http.StatusOK {
		t.Fatalf("PUT of the hashed bytes = %d %s", code, body)
	}
	info, err := s.Stat(ctx, key)
	if err != nil || info.SHA256 != sum || info.VersionID == "" || info.Size != int64(len(orig)) {
		t.Fatalf("Stat = %+v, %v; want the checksum %s and a version", info, err, sum)
	}

	// The replay after the check, with other bytes: refused.
	if code, body := send(t, req, swap); code != http.StatusBadRequest || !strings.Contains(body, "BadDigest") {
		t.Errorf("replayed PUT of other bytes = %d %s, want 400 BadDigest", code, body)
	}
	// ... with the checksum of the other bytes: the signature no longer matches.
	forged := req
	forged.Header = map[string]string{}
	for k, v := range req.Header {
		forged.Header[k] = v
	}
	forged.Header["X-Amz-Checksum-Sha256"] = chat.SHA256Base64(swap)
	if code, body := send(t, forged, swap); code != http.StatusForbidden || !strings.Contains(body, "SignatureDoesNotMatch") {
		t.Errorf("PUT with a forged checksum = %d %s, want 403 SignatureDoesNotMatch", code, body)
	}
	// ... without the checksum header: the signature no longer matches.
	delete(forged.Header, "X-Amz-Checksum-Sha256")
	if code, body := send(t, forged, swap); code != http.StatusForbidden || !strings.Contains(body, "SignatureDoesNotMatch") {
		t.Errorf("PUT without the checksum = %d %s, want 403 SignatureDoesNotMatch", code, body)
	}

	// Even a write by other means (the bucket's owner) leaves the version
	// checked at send served by its id.
	if err := s.Put(ctx, key, "text/plain", swap); err != nil {
		t.Fatal(err)
	}
	if cur, err := s.Stat(ctx, key); err != nil || cur.VersionID == info.VersionID || cur.SHA256 != "" {
		rc, _, _ := s.Open(ctx, key)
		b, _ := io.ReadAll(rc)
		t.Fatalf("after an overwrite Stat = %+v, %v: want a new version without a checksum (was %+v; body %q)", cur, err, info, b)
	}
	old, err := s.StatVersion(ctx, key, info.VersionID)
	if err != nil || old.SHA256 != sum || old.VersionID != info.VersionID {
		t.Fatalf("StatVersion(%s) = %+v, %v", info.VersionID, old, err)
	}
	down, err := s.PresignDownload(ctx, key, info.VersionID, chat.ResponseHeaders{ContentType: "text/plain"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := send(t, down, nil); code != http.StatusOK || body != string(orig) {
		t.Errorf("GET of the version checked = %d %q, want %q", code, body, orig)
	}
}

// TestPinnedUploadUnversioned: the checksum is reported in a bucket
// without versioning too.
func TestPinnedUploadUnversioned(t *testing.T) {
	srv := startS3(t)
	ctx := context.Background()
	c := s3Client(srv.Endpoint)
	if err := devstack.EnsureBucket(ctx, c, "files"); err != nil {
		t.Fatal(err)
	}
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(devstack.StandInAccessKey, devstack.StandInSecretKey, "")}
	s, err := s3blob.New(cfg, s3blob.Config{Bucket: "files", UsePathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("hello")
	req, err := s.PresignUpload(ctx, "rooms/a/b/c/d.txt", "text/plain", 5, chat.SHA256Base64(body), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if code, b := send(t, req, body); code != 200 {
		t.Fatal(code, b)
	}
	info, err := s.Stat(ctx, "rooms/a/b/c/d.txt")
	if err != nil || info.SHA256 != chat.SHA256Base64(body) {
		t.Fatalf("Stat = %+v, %v", info, err)
	}
}
