package s3blob

import (
	"context"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// PutFile stores size bytes of body at key, streamed (the export worker
// uploads its archive from disk: seekable, so it signs over plain http
// too). One PutObject: up to 5 GB.
func (s *Store) PutFile(ctx context.Context, key, contentType string, body io.ReadSeeker, size int64) error {
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(key),
		ContentType:   aws.String(contentType),
		ContentLength: aws.Int64(size),
		Body:          body,
	})
	if err != nil {
		return objectErr(err, "put object")
	}
	return nil
}
