package chatstack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdadestinations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// thumbnailEnv is the thumbnail function's environment: only the bucket.
// The name comes from its expression, not from the bucket resource: the
// bucket's notification must reference the function, so the function must
// not reference the bucket (CloudFormation would see a cycle).
func (b *builder) thumbnailEnv() map[string]*string {
	return map[string]*string{
		"FILES_BUCKET": jsii.String(b.filesName),
		"LOG_LEVEL":    jsii.String(b.props.LogLevel),
	}
}

// thumbnailGrantsAndTrigger lets the thumbnail function read originals and
// write thumbnails, and subscribes it to objects created under rooms/.
//
// The subscription is the bucket's own NotificationConfiguration rather
// than CDK's addEventNotification, which adds a custom-resource Lambda
// allowed s3:PutBucketNotification on every bucket. S3 checks the
// destination when the configuration is written, so the bucket waits for
// the invoke permission, whose source ARN is built from the bucket's name
// expression (again: no cycle).
func (b *builder) thumbnailGrantsAndTrigger() {
	fn := b.fns["thumbnail"]
	// The tags too (issue 15): a thumbnail follows its original's pending
	// tag (internal/thumbnail followOriginal).
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:GetObject", "s3:GetObjectTagging"),
		Resources: jsii.Strings(b.filesObjects(chat.FilesPrefix + "*")),
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObjectTagging"),
		Resources: jsii.Strings(b.filesObjects(chat.ThumbsPrefix + "*")),
	}))

	permission := awslambda.NewCfnPermission(b.stack, jsii.String("ThumbnailInvokeFromFilesBucket"), &awslambda.CfnPermissionProps{
		Action:        jsii.String("lambda:InvokeFunction"),
		FunctionName:  fn.FunctionArn(),
		Principal:     jsii.String("s3.amazonaws.com"),
		SourceArn:     jsii.String(b.filesBucketArn()),
		SourceAccount: awscdk.Aws_ACCOUNT_ID(),
	})
	bucket := b.filesBucket.Node().DefaultChild().(awss3.CfnBucket)
	bucket.SetNotificationConfiguration(&awss3.CfnBucket_NotificationConfigurationProperty{
		LambdaConfigurations: &[]interface{}{&awss3.CfnBucket_LambdaConfigurationProperty{
			Event:    jsii.String("s3:ObjectCreated:*"),
			Function: fn.FunctionArn(),
			Filter: &awss3.CfnBucket_NotificationFilterProperty{
				S3Key: &awss3.CfnBucket_S3KeyFilterProperty{
					Rules: &[]interface{}{&awss3.CfnBucket_FilterRuleProperty{
						Name: jsii.String("prefix"), Value: jsii.String(chat.FilesPrefix),
					}},
				},
			},
		}},
	})
	bucket.AddDependency(permission)
	b.thumbnailFailureDestination()
}

// ThumbnailRetryAttempts is how often Lambda retries a failed thumbnail
// (S3 invokes it asynchronously); ThumbnailFailureRetentionDays how long a
// given-up event waits in the failure queue.
const (
	ThumbnailRetryAttempts        = 2
	ThumbnailFailureRetentionDays = 14
)

// thumbnailFailureDestination: an event the thumbnail function still fails
// after Lambda's retries goes to an encrypted queue (SSL enforced), with an
// alarm on it (monitoring.go), instead of being dropped silently. The
// outgoing webhooks' delivery function sends its failures there too
// (outhooks.go).
func (b *builder) thumbnailFailureDestination() {
	b.thumbnailFailures = awssqs.NewQueue(b.stack, jsii.String("ThumbnailFailureQueue"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(ThumbnailFailureRetentionDays)),
		RemovalPolicy:   b.removal(),
	})
	b.fns["thumbnail"].ConfigureAsyncInvoke(&awslambda.EventInvokeConfigOptions{
		OnFailure:     awslambdadestinations.NewSqsDestination(b.thumbnailFailures),
		RetryAttempts: jsii.Number(ThumbnailRetryAttempts),
		MaxEventAge:   awscdk.Duration_Hours(jsii.Number(6)),
	})
}
