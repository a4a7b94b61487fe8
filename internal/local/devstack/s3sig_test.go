package devstack_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/backchannel-chat/backchannel/internal/local/devstack"
)

// presignPut presigns a PUT of key with the given signed length and type,
// as the chat's upload ticket does.
func presignPut(t *testing.T, client *s3.Client, bucket, key string, length int64, typ string, expires time.Duration) string {
	t.Helper()
	req, err := s3.NewPresignClient(client).PresignPutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), ContentLength: aws.Int64(length), ContentType: aws.String(typ),
	}, s3.WithPresignExpires(expires))
	if err != nil {
		t.Fatal(err)
	}
	return req.URL
}

func put(t *testing.T, url, typ string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", typ)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestS3StandInRefusesWhatS3Refuses: a presigned PUT succeeds only with the
// signed length and type, as on S3 (and LocalStack with signatures checked).
func TestS3StandInRefusesWhatS3Refuses(t *testing.T) {
	srv := startS3(t)
	client := s3Client(srv.Endpoint)
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("files")}); err != nil {
		t.Fatal(err)
	}
	body := []byte("hello, png")
	url := presignPut(t, client, "files", "uploads/a.png", int64(len(body)), "image/png", time.Minute)

	if code, msg := put(t, url, "image/gif", body); code != http.StatusForbidden || !strings.Contains(msg, "SignatureDoesNotMatch") {
		t.Errorf("PUT with another type: %d %s, want 403 SignatureDoesNotMatch", code, msg)
	}
	if code, msg := put(t, url, "image/png", append(body, '!')); code != http.StatusForbidden || !strings.Contains(msg, "SignatureDoesNotMatch") {
		t.Errorf("PUT of another length: %d %s, want 403 SignatureDoesNotMatch", code, msg)
	}
	if code, msg := put(t, strings.Replace(url, "X-Amz-Signature=", "X-Amz-Signature=0", 1), "image/png", body); code != http.StatusForbidden {
		t.Errorf("PUT with a forged signature: %d %s, want 403", code, msg)
	}
	if code, msg := put(t, url, "image/png", body); code != http.StatusOK {
		t.Fatalf("PUT as signed: %d %s, want 200", code, msg)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("files"), Key: aws.String("uploads/a.png")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	if got, _ := io.ReadAll(out.Body); !bytes.Equal(got, body) || aws.ToString(out.ContentType) != "image/png" {
		t.Errorf("object = %q (%s)", got, aws.ToString(out.ContentType))
	}

	// A presigned GET works; the object is not public.
	get, err := s3.NewPresignClient(client).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("files"), Key: aws.String("uploads/a.png")})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := http.Get(get.URL); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("presigned GET: %v %v", resp.StatusCode, err)
	}
	resp, err := http.Get(srv.Endpoint + "/files/uploads/a.png")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "AccessDenied") {
		t.Errorf("unsigned GET: %d %s, want 403 AccessDenied", resp.StatusCode, b)
	}

	// Wrong secret, unknown key.
	wrong := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("local", "not-the-secret", "")})
	if _, err := wrong.ListBuckets(ctx, &s3.ListBucketsInput{}); err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Errorf("wrong secret: %v, want SignatureDoesNotMatch", err)
	}
	unknown := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKIAUNKNOWN", "x", "")})
	if _, err := unknown.ListBuckets(ctx, &s3.ListBucketsInput{}); err == nil || !strings.Contains(err.Error(), "InvalidAccessKeyId") {
		t.Errorf("unknown key: %v, want InvalidAccessKeyId", err)
	}
}

func TestS3VerifierRefusesAnExpiredURLAndABodyThatIsNotTheSignedOne(t *testing.T) {
	var now time.Time
	reached := 0
	v := &devstack.S3Verifier{
		Next:    http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached++ }),
		Secrets: map[string]string{"local": "local"},
		Now:     func() time.Time { return now },
	}
	ts := httptest.NewServer(v)
	defer ts.Close()
	client := s3Client(ts.URL)
	url := presignPut(t, client, "files", "a.txt", 2, "text/plain", time.Hour)

	now = time.Now().Add(59 * time.Minute)
	if code, msg := put(t, url, "text/plain", []byte("hi")); code != http.StatusOK {
		t.Fatalf("within its hour: %d %s", code, msg)
	}
	now = time.Now().Add(61 * time.Minute)
	if code, msg := put(t, url, "text/plain", []byte("hi")); code != http.StatusForbidden || !strings.Contains(msg, "Request has expired") {
		t.Errorf("after its hour: %d %s, want 403 Request has expired", code, msg)
	}

	// A header-signed PUT whose body is not the one hashed.
	now = time.Now()
	sum := sha256.Sum256([]byte("signed body"))
	req, _ := http.NewRequest(http.MethodPut, ts.URL+"/files/b.txt", strings.NewReader("other body!"))
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	creds := aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "s3", "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "XAmzContentSHA256Mismatch") {
		t.Errorf("body not the signed one: %d %s", resp.StatusCode, b)
	}
	// Signed a day ago: too skewed.
	now = time.Now().Add(24 * time.Hour)
	if _, err := client.ListBuckets(context.Background(), &s3.ListBucketsInput{}); err == nil || !strings.Contains(err.Error(), "RequestTimeTooSkewed") {
		t.Errorf("skewed: %v, want RequestTimeTooSkewed", err)
	}
	if reached != 1 {
		t.Errorf("%d requests reached the S3 behind, want 1", reached)
	}
}
