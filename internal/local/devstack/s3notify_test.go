package devstack_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/backchannel-chat/backchannel/internal/local/devstack"
)

// The in-process S3 notifies object creation under rooms/ as S3 notifies
// the thumbnail Lambda in AWS, and stays quiet about other keys.
func TestS3NotifiesObjectsCreatedUnderTheFilesPrefix(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	got := make(chan events.S3Event, 4)
	srv.OnObjectCreated(func(_ context.Context, ev events.S3Event) error {
		got <- ev
		return nil
	})
	c := s3Client(srv.Endpoint)
	if err := devstack.EnsureBucket(ctx, c, "files"); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"thumbs/rooms/r1/u1/f1/thumb.jpg", "rooms/r1/u1/f1/my photo.png"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String("files"), Key: aws.String(key), ContentType: aws.String("image/png"),
			Body: bytes.NewReader([]byte("png bytes")),
		}); err != nil {
			t.Fatal(err)
		}
	}

	select {
	case ev := <-got:
		if len(ev.Records) != 1 {
			t.Fatalf("%d records, want 1", len(ev.Records))
		}
		r := ev.Records[0]
		if r.EventName != "ObjectCreated:Put" || r.S3.Bucket.Name != "files" || r.S3.Object.Key != "rooms/r1/u1/f1/my+photo.png" || r.S3.Object.Size != 9 {
			t.Errorf("record = %s %s %s %d", r.EventName, r.S3.Bucket.Name, r.S3.Object.Key, r.S3.Object.Size)
		}
	case <-time.After(10 * time.Second): // a failure bound, not a timing assertion
		t.Fatal("no notification for an object under rooms/")
	}
	srv.Close() // waits for notifications in flight
	if len(got) != 0 {
		t.Errorf("notified %d more events; the thumbs/ key must not notify", len(got))
	}
}
