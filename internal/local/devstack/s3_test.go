package devstack_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/backchannel-chat/backchannel/internal/local/devstack"
)

func s3Client(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

func startS3(t *testing.T) *devstack.S3Server {
	t.Helper()
	srv, err := devstack.StartS3()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func TestS3SnapshotRestoresBucketsObjectsAndContentTypes(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "s3")
	keys := map[string]string{
		"uploads/room-1/01J/photo.png":       "image/png",
		"odd key/with spaces & ümlauts?.txt": "text/plain",
	}

	first := startS3(t)
	c := s3Client(first.Endpoint)
	for _, bucket := range []string{"files", "empty"} {
		if err := devstack.EnsureBucket(ctx, c, bucket); err != nil {
			t.Fatal(err)
		}
	}
	for key, contentType := range keys {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String("files"), Key: aws.String(key), ContentType: aws.String(contentType),
			Body: bytes.NewReader([]byte("body of " + key)),
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := first.SaveSnapshot(dir); err != nil {
		t.Fatal(err)
	}
	// Saving again replaces the snapshot rather than failing or merging.
	if err := first.SaveSnapshot(dir); err != nil {
		t.Fatalf("second save: %v", err)
	}

	second := startS3(t)
	if err := second.LoadSnapshot(dir); err != nil {
		t.Fatal(err)
	}
	c = s3Client(second.Endpoint)
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("empty")}); err != nil {
		t.Errorf("empty bucket not restored: %v", err)
	}
	for key, contentType := range keys {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("files"), Key: aws.String(key)})
		if err != nil {
			t.Errorf("%s: %v", key, err)
			continue
		}
		body, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(body) != "body of "+key || aws.ToString(out.ContentType) != contentType {
			t.Errorf("%s = %q (%s), want %q (%s)", key, body, aws.ToString(out.ContentType), "body of "+key, contentType)
		}
	}
}

func TestS3SnapshotLoadWithoutSnapshotIsEmpty(t *testing.T) {
	srv := startS3(t)
	if err := srv.LoadSnapshot(filepath.Join(t.TempDir(), "none")); err != nil {
		t.Fatal(err)
	}
	out, err := s3Client(srv.Endpoint).ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Buckets) != 0 {
		t.Errorf("buckets = %v, want none", out.Buckets)
	}
}

func TestEnsureBucketOutsideUSEast1(t *testing.T) {
	srv := startS3(t)
	c := s3.New(s3.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(srv.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	for range 2 {
		if err := devstack.EnsureBucket(context.Background(), c, "files"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: aws.String("files")}); err != nil {
		t.Fatal(err)
	}
}
