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

	"github.com/backchannel-chat/backchannel/internal/s3blob"
)

const bucket = "files"

// fakeS3 serves gofakes3 on a loopback port with the bucket created and
// returns an SDK configuration pointing at it.
func fakeS3(t *testing.T) aws.Config {
	t.Helper()
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
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
