package devstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/s3notify"
)

// QueueSubscription feeds an external S3's object-created notifications to
// a local target through an SQS queue: S3 notifies the queue, this polls it.
type QueueSubscription struct {
	stop func()
	done chan struct{}
}

// Close stops polling (the queue and the bucket's notification stay).
func (q *QueueSubscription) Close() error {
	if q == nil {
		return nil
	}
	q.stop()
	<-q.done
	return nil
}

// SubscribeObjectCreated makes the external S3 (LocalStack's) notify an SQS
// queue at sqsEndpoint of every object created under chat.FilesPrefix, and
// polls the queue, passing each notification to t as S3 would pass it to the
// thumbnail Lambda. It replaces the bucket's notification configuration, so
// it refuses an S3 that is not on this machine. Errors from t are logged to
// logw and the message is retried after its visibility timeout.
func (s *Stack) SubscribeObjectCreated(ctx context.Context, sqsEndpoint string, t s3notify.Target, logw io.Writer) (*QueueSubscription, error) {
	if !s.S3.External || !isLoopback(s.S3.URL) {
		return nil, errors.New("devstack: S3 notifications through SQS are set up only on an S3 on this machine (LocalStack)")
	}
	bucket := s.Resources.Bucket
	q := sqs.NewFromConfig(s.AWS, func(o *sqs.Options) { o.BaseEndpoint = aws.String(sqsEndpoint) })
	queue, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(bucket + "-created")})
	if err != nil {
		return nil, fmt.Errorf("devstack: queue for %s's notifications: %w", bucket, err)
	}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: queue.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return nil, fmt.Errorf("devstack: queue ARN: %w", err)
	}
	_, err = s.S3Client().PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			QueueArn: aws.String(attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]),
			Events:   []s3types.Event{s3types.EventS3ObjectCreated},
			Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{{
				Name: s3types.FilterRuleNamePrefix, Value: aws.String(chat.FilesPrefix),
			}}}},
		}}},
	})
	if err != nil {
		return nil, fmt.Errorf("devstack: notifications of bucket %s: %w", bucket, err)
	}
	pollCtx, stop := context.WithCancel(context.Background())
	sub := &QueueSubscription{stop: stop, done: make(chan struct{})}
	go func() {
		defer close(sub.done)
		for pollCtx.Err() == nil {
			out, err := q.ReceiveMessage(pollCtx, &sqs.ReceiveMessageInput{
				QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 5, VisibilityTimeout: 30,
			})
			if err != nil {
				if pollCtx.Err() == nil {
					fmt.Fprintf(logw, "dev: polling %s: %v\n", aws.ToString(queue.QueueUrl), err)
					time.Sleep(time.Second)
				}
				continue
			}
			for _, m := range out.Messages {
				var ev events.S3Event
				if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err == nil && len(ev.Records) > 0 {
					if err := t(pollCtx, ev); err != nil {
						fmt.Fprintf(logw, "dev: object-created handler: %v\n", err)
						continue // retried after the visibility timeout
					}
				} // else s3:TestEvent, sent when the configuration is set
				_, _ = q.DeleteMessage(pollCtx, &sqs.DeleteMessageInput{QueueUrl: queue.QueueUrl, ReceiptHandle: m.ReceiptHandle})
			}
		}
	}()
	return sub, nil
}
