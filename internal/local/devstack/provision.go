package devstack

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

// EnsureTable creates the chat's single table unless it exists.
func EnsureTable(ctx context.Context, c *dynamodb.Client, name string) error {
	if err := dynamo.CreateTable(ctx, c, name); err != nil {
		return fmt.Errorf("devstack: table %q: %w", name, err)
	}
	return nil
}

// EnsureBucket creates the bucket unless this account already owns it.
func EnsureBucket(ctx context.Context, c *s3.Client, name string) error {
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)}); err == nil {
		return nil
	}
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if region := c.Options().Region; region != "" && region != "us-east-1" {
		// outside us-east-1 real S3 wants the region named again
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	_, err := c.CreateBucket(ctx, in)
	var owned *s3types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		return fmt.Errorf("devstack: create bucket %q: %w", name, err)
	}
	return nil
}

// EnsureVersioning turns versioning on for the bucket, as the deployed
// files bucket has it: every PUT makes a new version with its own id.
func EnsureVersioning(ctx context.Context, c *s3.Client, bucket string) error {
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket:                  aws.String(bucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled},
	})
	if err != nil {
		return fmt.Errorf("devstack: versioning of bucket %q: %w", bucket, err)
	}
	return nil
}

// EnsureLocalCORS lets pages served from this machine (any port of
// 127.0.0.1 or localhost) upload to and read from the bucket with presigned
// URLs, as the deployed bucket's CORS lets the site (infra/).
func EnsureLocalCORS(ctx context.Context, c *s3.Client, bucket string) error {
	_, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{
		Bucket: aws.String(bucket),
		CORSConfiguration: &s3types.CORSConfiguration{CORSRules: []s3types.CORSRule{{
			AllowedOrigins: []string{"http://127.0.0.1:*", "http://localhost:*"},
			AllowedMethods: []string{"GET", "HEAD", "PUT"},
			AllowedHeaders: []string{"*"},
			ExposeHeaders:  []string{"ETag"},
			MaxAgeSeconds:  aws.Int32(300),
		}}},
	})
	if err != nil {
		return fmt.Errorf("devstack: CORS of bucket %q: %w", bucket, err)
	}
	return nil
}
