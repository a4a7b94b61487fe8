package s3blob_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/s3lifecycle"
	"github.com/backchannel-chat/backchannel/internal/s3blob"
)

const bucket = "files"

// lifecycle is the last fakeS3's lifecycle layer.
var lifecycle *s3lifecycle.Handler

// fakeS3 serves gofakes3 on a loopback port with the bucket created and
// returns an SDK configuration pointing at it.
func fakeS3(t *testing.T) aws.Config {
	t.Helper()
	// gofakes3 keeps no object tags: the local stack's lifecycle layer
	// answers the tagging subresource (internal/local/s3lifecycle).
	backend := s3mem.New()
	lifecycle = s3lifecycle.New(gofakes3.New(backend).Server(), func(b, k string) error {
		_, err := backend.DeleteObject(b, k)
		return err
	}, s3lifecycle.Rule{Key: chat.TagState, Value: chat.TagPending, After: chat.PendingUploadTTL})
	srv := httptest.NewServer(lifecycle)
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint: aws.String(srv.URL),
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	return cfg
}

func newStore(t *testing.T) *s3blob.Store {
	t.Helper()
	s, err := s3blob.New(fakeS3(t), s3blob.Config{Bucket: bucket, UsePathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
