package testenv

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/backchannel-chat/backchannel/internal/local/devstack"
)

// EnvEndpointS3 is set by scripts/testenv when S3 is external (LocalStack,
// with `make test-localstack`).
const EnvEndpointS3 = "AWS_ENDPOINT_URL_S3"

// ExternalS3 is the S3 endpoint scripts/testenv was given, or "".
func ExternalS3() string {
	if !Enabled() {
		return ""
	}
	return os.Getenv(EnvEndpointS3)
}

// NewS3 returns the endpoint of an S3 for the test: the external one
// scripts/testenv was given (LocalStack), else an empty in-memory S3
// (gofakes3, behind the signature check of devstack.StartS3) served on a
// free loopback port until the test ends. Use path-style addressing
// (s3.Options.UsePathStyle) and a bucket of NewBucket, whose name is the
// test's own.
func NewS3(t testing.TB) (endpoint string) {
	t.Helper()
	if ep := ExternalS3(); ep != "" {
		return ep
	}
	srv, err := devstack.StartS3()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("stop S3: %v", err)
		}
	})
	return srv.Endpoint
}

// NewBucket creates a bucket, uniquely named after the test, at endpoint,
// and empties and deletes it when the test ends.
func NewBucket(t testing.TB, cfg aws.Config, endpoint string) string {
	t.Helper()
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
	})
	name := strings.NewReplacer("_", "-", ".", "-").Replace(strings.ToLower(uniqueName(t, "t-", 63)))
	ctx := setupContext(t)
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(name)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return // the in-process S3 may be gone already: nothing to clean
			}
			var ids []types.ObjectIdentifier
			for _, o := range page.Contents {
				ids = append(ids, types.ObjectIdentifier{Key: o.Key})
			}
			if len(ids) > 0 {
				_, _ = client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(name), Delete: &types.Delete{Objects: ids}})
			}
		}
		_, _ = client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)})
	})
	return name
}
