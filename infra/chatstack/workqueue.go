package chatstack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
)

// jobQueue is a worker's SQS queue (construct id name+"Queue") with its
// dead-letter queue (name+"DeadLetterQueue"): SQS-managed encryption,
// TLS only, a job moved to the dead-letter queue after maxReceives
// receives. The fan-out, push, unfurl, export and erasure workers share it.
func (b *builder) jobQueue(name string, visibility, retention, deadLetterRetention awscdk.Duration, maxReceives float64) (queue, deadLetters awssqs.Queue) {
	deadLetters = awssqs.NewQueue(b.stack, jsii.String(name+"DeadLetterQueue"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: deadLetterRetention,
		RemovalPolicy:   b.removal(),
	})
	queue = awssqs.NewQueue(b.stack, jsii.String(name+"Queue"), &awssqs.QueueProps{
		Encryption:        awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		VisibilityTimeout: visibility,
		RetentionPeriod:   retention,
		DeadLetterQueue:   &awssqs.DeadLetterQueue{Queue: deadLetters, MaxReceiveCount: jsii.Number(maxReceives)},
		RemovalPolicy:     b.removal(),
	})
	return queue, deadLetters
}
