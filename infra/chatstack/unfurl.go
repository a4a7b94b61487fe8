package chatstack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/backchannel-chat/backchannel/internal/unfurl"
)

// Link previews (issue 14): the stream function's enqueuer puts one job
// per message with links on the unfurl queue; the unfurl function
// (functions/unfurl) fetches the links safely (internal/unfurl), caches
// the previews under linkpreviews/ in the files bucket, stores them on
// the message through the change log and pushes messageUpdated.
const (
	// UnfurlTimeoutSeconds bounds one batch: its jobs run at once, each
	// job's links at once, each fetch bounded by the fetcher's 5 s.
	UnfurlTimeoutSeconds = 30
	// UnfurlQueueVisibilitySeconds is six times the function's timeout,
	// as Lambda asks of a queue it polls.
	UnfurlQueueVisibilitySeconds = 6 * UnfurlTimeoutSeconds
	// UnfurlBatchSize: jobs per invocation.
	UnfurlBatchSize = 5
	// UnfurlMaxReceiveCount is past the worker's own retries
	// (unfurl.MaxAttempts, after which it stores what it has): only a job
	// that cannot be stored reaches the dead-letter queue.
	UnfurlMaxReceiveCount = unfurl.MaxAttempts + 2
	// UnfurlMaxConcurrency caps the worker's invocations, and so how many
	// outside sites it fetches from at once.
	UnfurlMaxConcurrency = 5
	// UnfurlRetentionSeconds: a preview an hour late is not worth it.
	UnfurlRetentionSeconds = 60 * 60
	// UnfurlDLQRetentionDays: given-up jobs wait two weeks for a look.
	UnfurlDLQRetentionDays = 14
	// UnfurlCacheDays: cached previews expire from the bucket (the worker
	// fetches again after unfurl.FreshFor anyway).
	UnfurlCacheDays = 7
)

// unfurlCacheActions are exactly the cache's S3 calls (ReadPrefix's
// ranged GetObject, Put's PutObject), on the cache prefix only. Without
// s3:ListBucket a missing key answers 403, which the cache takes as a
// miss.
var unfurlCacheActions = []string{"s3:GetObject", "s3:PutObject"}

// unfurlQueueConsumeActions are what the SQS event source mapping needs.
var unfurlQueueConsumeActions = []string{"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}

// unfurlResources creates the unfurl queue and its dead-letter queue, and
// the files bucket's expiry of the cache. They come before the functions:
// the stream function's environment names the queue.
func (b *builder) unfurlResources() {
	b.unfurlQueue, b.unfurlDLQ = b.jobQueue("Unfurl",
		awscdk.Duration_Seconds(jsii.Number(UnfurlQueueVisibilitySeconds)),
		awscdk.Duration_Seconds(jsii.Number(UnfurlRetentionSeconds)),
		awscdk.Duration_Days(jsii.Number(UnfurlDLQRetentionDays)), UnfurlMaxReceiveCount)
	b.filesBucket.AddLifecycleRule(&awss3.LifecycleRule{
		Id:         jsii.String("expire-link-previews"),
		Prefix:     jsii.String(unfurl.CachePrefix),
		Expiration: awscdk.Duration_Days(jsii.Number(UnfurlCacheDays)),
	})
}

// unfurlEnv is the worker's environment: the table and the management API
// (through the service), and the bucket of the cache. Nothing lets its
// fetcher reach a private or loopback address.
func (b *builder) unfurlEnv() map[string]*string {
	return map[string]*string{
		"TABLE_NAME":      b.table.TableName(),
		"WS_CALLBACK_URL": b.stage.CallbackUrl(),
		"FILES_BUCKET":    b.filesBucket.BucketName(),
		"LOG_LEVEL":       jsii.String(b.props.LogLevel),
	}
}

// streamUnfurlEnv is what the stream function's enqueuer reads.
func (b *builder) streamUnfurlEnv() map[string]*string {
	return map[string]*string{"UNFURL_QUEUE_URL": b.unfurlQueue.QueueUrl()}
}

// unfurlGrantsAndMapping: the stream function may send to the unfurl
// queue; the worker consumes it, reads and writes the cache prefix,
// posts to connections (messageUpdated) and uses the table as the
// service does (tableDataActions: the message, the change log, the
// previews, the room's connection index, and cleaning up a gone
// connection, as the fan-out worker does).
func (b *builder) unfurlGrantsAndMapping() {
	b.fns["stream"].AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sqs:SendMessage"),
		Resources: jsii.Strings(*b.unfurlQueue.QueueArn()),
	}))
	fn := b.fns["unfurl"]
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(unfurlQueueConsumeActions...),
		Resources: jsii.Strings(*b.unfurlQueue.QueueArn()),
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(unfurlCacheActions...),
		Resources: jsii.Strings(b.filesObjects(unfurl.CachePrefix + "*")),
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("execute-api:ManageConnections"),
		Resources: &[]*string{b.postToConnectionsArn()},
	}))
	b.grantTableData(fn)

	mapping := awslambda.NewCfnEventSourceMapping(b.stack, jsii.String("UnfurlEventSource"), &awslambda.CfnEventSourceMappingProps{
		FunctionName:          fn.FunctionName(),
		EventSourceArn:        b.unfurlQueue.QueueArn(),
		BatchSize:             jsii.Number(UnfurlBatchSize),
		FunctionResponseTypes: jsii.Strings("ReportBatchItemFailures"),
		ScalingConfig: &awslambda.CfnEventSourceMapping_ScalingConfigProperty{
			MaximumConcurrency: jsii.Number(UnfurlMaxConcurrency),
		},
	})
	if policy := fn.Role().Node().TryFindChild(jsii.String("DefaultPolicy")); policy != nil {
		mapping.Node().AddDependency(policy)
	}
	suppress(mapping, "Serverless-LambdaEventSourceMappingDestination",
		"An SQS event source mapping takes no on-failure destination: a job that keeps failing goes to the unfurl queue's dead-letter queue through its redrive policy (alarmed)")
}

// unfurlDeadLetters is the unfurl dead-letter queue's visible messages.
func (b *builder) unfurlDeadLetters() awscloudwatch.Metric {
	return b.unfurlDLQ.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
		Period: period, Statistic: jsii.String("Maximum"),
	})
}

// unfurlSuppressions: the cdk-nag findings of the link-preview parts.
func (b *builder) unfurlSuppressions() {
	suppress(b.unfurlDLQ, "AwsSolutions-SQS3", "This queue is itself the dead-letter queue of the unfurl queue")
	suppress(b.unfurlDLQ, "Serverless-SQSRedrivePolicy",
		"This queue is itself the dead-letter queue of the unfurl queue; an operator inspects it, there is nothing to redrive")
	suppress(b.fns["unfurl"], "Serverless-LambdaDLQ",
		"Invoked by the unfurl queue's event source mapping, whose failed jobs go to the queue's dead-letter queue (redrive policy, alarmed); a function DLQ applies to asynchronous invocations only")
	suppress(b.fns["unfurl"].Role(), "AwsSolutions-IAM5",
		"The worker posts to connection ids known only at run time (POST on this stage's @connections), uses the table's index (gsi1) as the service does, and reads and writes only the link-preview cache prefix of the files bucket",
		b.tableIndexFinding(),
		arnMatching("execute-api", "<"+b.logicalID(b.api)+">/"+b.props.StageName+"/POST/@connections/*"),
		filesObjectsMatching(unfurl.CachePrefix+"*"),
	)
}
