package s3blob

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// The pending-upload rule (issue 15): uploads are signed with the tag
// state=pending (PresignUpload); the bucket's lifecycle rule expires
// objects so tagged after a day (infra/chatstack/storage.go; locally
// devstack's lifecycle sweep). Keep removes the tag when a file is sent or
// becomes a profile picture; Discard puts it back on a replaced picture.

var _ chat.BlobLifecycle = (*Store)(nil)

// Keep is one DeleteObjectTagging per key; a missing key is skipped.
func (s *Store) Keep(ctx context.Context, keys []string) error {
	for _, k := range keys {
		_, err := s.client.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String(s.bucket), Key: aws.String(k)})
		if err != nil && chat.ErrorCode(objectErr(err, "")) != chat.NotFound {
			return objectErr(err, "keep object")
		}
	}
	return nil
}

// Discard is one PutObjectTagging (state=pending) per key; a missing key
// is skipped.
func (s *Store) Discard(ctx context.Context, keys []string) error {
	for _, k := range keys {
		_, err := s.client.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{
			Bucket: aws.String(s.bucket), Key: aws.String(k),
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String(chat.TagState), Value: aws.String(chat.TagPending)}}},
		})
		if err != nil && chat.ErrorCode(objectErr(err, "")) != chat.NotFound {
			return objectErr(err, "discard object")
		}
	}
	return nil
}

// Pending is one GetObjectTagging.
func (s *Store) Pending(ctx context.Context, key string) (bool, error) {
	out, err := s.client.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		return false, objectErr(err, "read object tags")
	}
	for _, t := range out.TagSet {
		if aws.ToString(t.Key) == chat.TagState && aws.ToString(t.Value) == chat.TagPending {
			return true, nil
		}
	}
	return false, nil
}
