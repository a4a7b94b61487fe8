package chatstack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/export"
)

// Export my data (issue 15): the actions function puts one job per
// requested export on the export queue; the export function
// (functions/export) writes the archive (internal/export) under exports/
// in the files bucket, marks the record ready and tells the person (a
// WebSocket event, or the ready email through the digest's SES identity
// when mail is configured). The bucket's lifecycle rule expires archives
// after ExportArchiveDays; the actions function hands out short presigned
// GETs of them while the record is valid.
const (
	// ExportTimeoutSeconds: one export may take the function's maximum.
	ExportTimeoutSeconds = 900
	// ExportMemoryMB: the archive is streamed through /tmp, not memory.
	ExportMemoryMB = 512
	// ExportEphemeralStorageMB: /tmp holds the spooled lists and the zip
	// (the files' sizes are the bound: a person with more than this in
	// files gets a failed export, reported).
	ExportEphemeralStorageMB = 10240
	// ExportQueueVisibilitySeconds is past the function's timeout.
	ExportQueueVisibilitySeconds = ExportTimeoutSeconds + 60
	// ExportMaxReceiveCount: the worker records a failure after
	// export.MaxAttempts receives; the queue gives up one after that.
	ExportMaxReceiveCount = export.MaxAttempts + 1
	// ExportMaxConcurrency caps the exports running at once (the table's
	// reads they cause).
	ExportMaxConcurrency = 2
	// ExportRetentionSeconds: a job not started within an hour is stale
	// (chat.ExportStaleAfter lets the person ask again).
	ExportRetentionSeconds = 60 * 60
	// ExportDLQRetentionDays: given-up jobs wait two weeks for a look.
	ExportDLQRetentionDays = 14
	// ExportArchiveDays: archives expire from the bucket after a day.
	ExportArchiveDays = 1
)

// exportQueueConsumeActions are what the SQS event source mapping needs.
var exportQueueConsumeActions = []string{"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}

// exportResources creates the export queue and its dead-letter queue and
// the archives' expiry. They come before the functions: the actions
// function's environment names the queue.
func (b *builder) exportResources() {
	b.exportQueue, b.exportDLQ = b.jobQueue("Export",
		awscdk.Duration_Seconds(jsii.Number(ExportQueueVisibilitySeconds)),
		awscdk.Duration_Seconds(jsii.Number(ExportRetentionSeconds)),
		awscdk.Duration_Days(jsii.Number(ExportDLQRetentionDays)), ExportMaxReceiveCount)
	b.filesBucket.AddLifecycleRule(&awss3.LifecycleRule{
		Id:         jsii.String("expire-data-exports"),
		Prefix:     jsii.String(chat.ExportPrefix),
		Expiration: awscdk.Duration_Days(jsii.Number(ExportArchiveDays)),
	})
}

// exportEnv is the worker's environment: the table and the management API
// (through the service), the files bucket, the pool (the person's email
// address) and, with mail configured, the digest's sender and site.
func (b *builder) exportEnv() map[string]*string {
	env := map[string]*string{
		"TABLE_NAME":      b.table.TableName(),
		"WS_CALLBACK_URL": b.stage.CallbackUrl(),
		"FILES_BUCKET":    b.filesBucket.BucketName(),
		"USER_POOL_ID":    b.pool.UserPoolId(),
		"LOG_LEVEL":       jsii.String(b.props.LogLevel),
	}
	if b.props.DigestEnabled() {
		env["DIGEST_FROM"] = jsii.String(b.props.mailSender())
		env["DIGEST_SITE_URL"] = jsii.String(b.siteOrigin)
	}
	return env
}

// exportGrantsAndMapping: the actions function may send to the export
// queue and presign GETs of archives; the worker consumes the queue, reads
// the person's files and profile picture, writes archives, posts to
// connections, uses the table as the service does, finds the address in
// the pool and (with mail) sends through the digest's identity.
func (b *builder) exportGrantsAndMapping() {
	actions, fn := b.fns["actions"], b.fns["export"]
	actions.AddEnvironment(jsii.String("EXPORT_QUEUE_URL"), b.exportQueue.QueueUrl(), nil)
	actions.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sqs:SendMessage"),
		Resources: jsii.Strings(*b.exportQueue.QueueArn()),
	}))
	actions.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:GetObject"),
		Resources: jsii.Strings(b.filesObjects(chat.ExportPrefix + "*")),
	}))
	// The worker's ephemeral storage holds the archive being written.
	fn.Node().DefaultChild().(awslambda.CfnFunction).SetEphemeralStorage(&awslambda.CfnFunction_EphemeralStorageProperty{
		Size: jsii.Number(ExportEphemeralStorageMB),
	})
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(exportQueueConsumeActions...),
		Resources: jsii.Strings(*b.exportQueue.QueueArn()),
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:GetObject"),
		Resources: jsii.Strings(b.filesObjects(chat.FilesPrefix+"*"), b.filesObjects(chat.AvatarsPrefix+"*")),
	}))
	// Without ListBucket, GetObject of a file deleted meanwhile answers 403
	// instead of 404 (the archive lists it without its bytes).
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:ListBucket"),
		Resources: jsii.Strings(b.filesBucketArn()),
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:PutObject"),
		Resources: jsii.Strings(b.filesObjects(chat.ExportPrefix + "*")),
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("execute-api:ManageConnections"),
		Resources: &[]*string{b.postToConnectionsArn()},
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("cognito-idp:AdminGetUser"),
		Resources: jsii.Strings(*b.pool.UserPoolArn()),
	}))
	if b.digest != nil {
		fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings(digestSendAction),
			Resources: jsii.Strings(b.digest.identityArn),
		}))
	}
	b.grantTableData(fn)

	mapping := awslambda.NewCfnEventSourceMapping(b.stack, jsii.String("ExportEventSource"), &awslambda.CfnEventSourceMappingProps{
		FunctionName:          fn.FunctionName(),
		EventSourceArn:        b.exportQueue.QueueArn(),
		BatchSize:             jsii.Number(1),
		FunctionResponseTypes: jsii.Strings("ReportBatchItemFailures"),
		ScalingConfig: &awslambda.CfnEventSourceMapping_ScalingConfigProperty{
			MaximumConcurrency: jsii.Number(ExportMaxConcurrency),
		},
	})
	if policy := fn.Role().Node().TryFindChild(jsii.String("DefaultPolicy")); policy != nil {
		mapping.Node().AddDependency(policy)
	}
	suppress(mapping, "Serverless-LambdaEventSourceMappingDestination",
		"An SQS event source mapping takes no on-failure destination: a job that keeps failing goes to the export queue's dead-letter queue through its redrive policy (alarmed)")
}

// exportDeadLetters is the export dead-letter queue's visible messages.
func (b *builder) exportDeadLetters() awscloudwatch.Metric {
	return b.exportDLQ.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
		Period: period, Statistic: jsii.String("Maximum"),
	})
}

// exportSuppressions: the cdk-nag findings of the export parts.
func (b *builder) exportSuppressions() {
	suppress(b.exportDLQ, "AwsSolutions-SQS3", "This queue is itself the dead-letter queue of the export queue")
	suppress(b.exportDLQ, "Serverless-SQSRedrivePolicy",
		"This queue is itself the dead-letter queue of the export queue; an operator inspects it, there is nothing to redrive")
	suppress(b.fns["export"], "Serverless-LambdaDLQ",
		"Invoked by the export queue's event source mapping, whose failed jobs go to the queue's dead-letter queue (redrive policy, alarmed); a function DLQ applies to asynchronous invocations only")
	suppress(b.fns["export"].Role(), "AwsSolutions-IAM5",
		"The worker posts to connection ids known only at run time (POST on this stage's @connections), uses the table's index (gsi1) as the service does, reads a person's files and picture (keys known at run time) and writes archives under exports/ only",
		b.tableIndexFinding(),
		arnMatching("execute-api", "<"+b.logicalID(b.api)+">/"+b.props.StageName+"/POST/@connections/*"),
		filesObjectsMatching(chat.FilesPrefix+"*"), filesObjectsMatching(chat.AvatarsPrefix+"*"), filesObjectsMatching(chat.ExportPrefix+"*"),
	)
	suppress(b.fns["actions"].Role(), "AwsSolutions-IAM5",
		"The actions function presigns short GETs of data-export archives under exports/ for their owner (keys known at run time)",
		filesObjectsMatching(chat.ExportPrefix+"*"))
}
