package s3blob_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/s3blob"
)

// The adapter and the fake keep the same contract.
func TestBlobStoreContract(t *testing.T) {
	chattest.RunBlobContract(t, func(t *testing.T) chat.BlobStore { return newStore(t) })
}

// put sends body to a presigned request over real HTTP, with the signed
// headers, as a browser does.
func put(t *testing.T, req chat.PresignedRequest, body []byte, override map[string]string) *http.Response {
	t.Helper()
	httpReq, err := http.NewRequest(req.Method, req.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range req.Header {
		if k != "Content-Length" { // net/http sets it from the body, as browsers do
			httpReq.Header.Set(k, v)
		}
	}
	for k, v := range override {
		httpReq.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(httpReq)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestPresignedUploadSignsTypeAndLengthAndExpiresSoon(t *testing.T) {
	s := newStore(t)
	key := "rooms/general/alice/0123/Q3 report é.pdf"
	req, err := s.PresignUpload(context.Background(), key, "application/pdf", 1234, "", 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	signed := strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
	if !slices.Contains(signed, "content-type") || !slices.Contains(signed, "content-length") {
		t.Errorf("signed headers %v lack content-type or content-length", signed)
	}
	if exp, _ := strconv.Atoi(q.Get("X-Amz-Expires")); exp <= 0 || exp > 300 {
		t.Errorf("X-Amz-Expires = %q, want 1..300", q.Get("X-Amz-Expires"))
	}
	if req.Method != http.MethodPut || u.Path != "/"+bucket+"/"+key || q.Get("X-Amz-Signature") == "" {
		t.Errorf("request %s %s", req.Method, req.URL)
	}
	// The pending tag (issue 15: an upload never sent expires after a day)
	// is signed too, so an upload cannot drop it.
	if !slices.Contains(signed, "x-amz-tagging") || req.Header["X-Amz-Tagging"] != chat.PendingTagging {
		t.Errorf("the pending tag is not a signed header: %v, %v", signed, req.Header)
	}
	if req.Header["Content-Type"] != "application/pdf" || req.Header["Content-Length"] != "1234" || len(req.Header) != 3 {
		t.Errorf("headers to send = %v", req.Header)
	}
	// Nothing that would break a browser's upload (a checksum of an
	// empty body, an ACL making the file public) is signed in.
	for k := range q {
		if strings.Contains(strings.ToLower(k), "checksum") || strings.Contains(strings.ToLower(k), "acl") {
			t.Errorf("unexpected signed parameter %s", k)
		}
	}
}

func TestUploadThroughThePresignedURLOverHTTP(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	key := "rooms/general/alice/0123/hello world.txt"
	body := []byte("hello, presigned world")
	req, err := s.PresignUpload(ctx, key, "text/plain", int64(len(body)), "", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if resp := put(t, req, body, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT: %s", resp.Status)
	}
	info, err := s.Stat(ctx, key)
	if err != nil || info.Size != int64(len(body)) || info.ContentType != "text/plain" {
		t.Errorf("stored %+v, %v", info, err)
	}
	head, err := s.ReadPrefix(ctx, key, 5)
	if err != nil || string(head) != "hello" {
		t.Errorf("prefix %q, %v", head, err)
	}
}

func TestPresignedDownloadServesTheFileAsAnAttachment(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	key := "rooms/general/alice/0123/page.html"
	html := []byte("<html><script>alert(document.domain)</script></html>")
	if err := s.Put(ctx, key, "text/html", html); err != nil {
		t.Fatal(err)
	}
	disposition := `attachment; filename="page.html"; filename*=UTF-8''page.html`
	req, err := s.PresignDownload(ctx, key, "", chat.ResponseHeaders{ContentType: "text/html", ContentDisposition: disposition}, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(req.URL)
	q := u.Query()
	if q.Get("response-content-disposition") != disposition || q.Get("response-content-type") != "text/html" {
		t.Errorf("query %v", q)
	}
	if exp, _ := strconv.Atoi(q.Get("X-Amz-Expires")); exp <= 0 || exp > 600 {
		t.Errorf("X-Amz-Expires = %q, want 1..600", q.Get("X-Amz-Expires"))
	}
	resp, err := http.Get(req.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, html) {
		t.Fatalf("GET: %s %q", resp.Status, got)
	}
	// gofakes3 honours the response-* overrides as S3 does.
	if cd := resp.Header.Get("Content-Disposition"); cd != disposition {
		t.Errorf("Content-Disposition = %q, want %q", cd, disposition)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestMissingObjectsAreNotFound(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	_, err := s.Stat(ctx, "rooms/none")
	if chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("Stat: %v", err)
	}
	if _, err := s.ReadPrefix(ctx, "rooms/none", 10); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("ReadPrefix: %v", err)
	}
	if _, _, err := s.Open(ctx, "rooms/none"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("Open: %v", err)
	}
}

func TestNewNeedsABucket(t *testing.T) {
	if _, err := s3blob.New(aws.Config{Region: "us-east-1"}, s3blob.Config{}); err == nil {
		t.Error("no bucket accepted")
	}
}

// The endpoint comes from the SDK's own variables, as in every adapter.
func TestHonoursAWSEndpointURLS3(t *testing.T) {
	fake := fakeS3(t)
	t.Setenv("AWS_ENDPOINT_URL_S3", *fake.BaseEndpoint)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "local")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s, err := s3blob.New(cfg, s3blob.Config{Bucket: bucket, UsePathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Put(ctx, "rooms/a", "text/plain", []byte("x")); err != nil {
		t.Fatalf("Put through AWS_ENDPOINT_URL_S3: %v", err)
	}
	req, err := s.PresignUpload(ctx, "rooms/b", "text/plain", 1, "", time.Minute)
	if err != nil || !strings.HasPrefix(req.URL, *fake.BaseEndpoint+"/"+bucket+"/") {
		t.Errorf("presigned URL %q does not use the endpoint (%v)", req.URL, err)
	}
}

// TestPendingUploadExpiresUnlessKept (issue 15): an upload through the
// presigned URL is tagged pending; the lifecycle rule (locally the
// stand-in's sweep, a day later) removes it unless Keep took the tag off;
// Discard puts it back (a replaced profile picture).
func TestPendingUploadExpiresUnlessKept(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	upload := func(key string) {
		req, err := s.PresignUpload(ctx, key, "text/plain", 2, "", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if resp := put(t, req, []byte("hi"), nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT %s: %s", key, resp.Status)
		}
	}
	upload("rooms/r/u/1/never-sent.txt")
	upload("rooms/r/u/2/sent.txt")
	upload("avatars/u/old.png")
	if got := lifecycle.Tags(bucket, "rooms/r/u/1/never-sent.txt"); got[chat.TagState] != chat.TagPending {
		t.Fatalf("tags after upload = %v, want state=pending", got)
	}
	if err := s.Keep(ctx, []string{"rooms/r/u/2/sent.txt", "avatars/u/old.png", "rooms/r/u/9/missing.txt"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Discard(ctx, []string{"avatars/u/old.png", "avatars/u/missing.png"}); err != nil {
		t.Fatal(err)
	}
	// Within the day nothing goes; after it, the pending ones do.
	if gone, err := lifecycle.Sweep(time.Now().Add(time.Hour)); err != nil || len(gone) != 0 {
		t.Fatalf("sweep within the day: %v, %v", gone, err)
	}
	if _, err := lifecycle.Sweep(time.Now().Add(chat.PendingUploadTTL + time.Minute)); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]chat.Code{"rooms/r/u/1/never-sent.txt": chat.NotFound, "avatars/u/old.png": chat.NotFound, "rooms/r/u/2/sent.txt": ""} {
		if _, err := s.Stat(ctx, key); chat.ErrorCode(err) != want {
			t.Errorf("%s after the sweep: %v, want %q", key, err, want)
		}
	}
}
