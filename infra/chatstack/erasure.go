package chatstack

import (
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Account deletion (issue 15): deleteAccount and deleteUser (the actions
// function) refuse the account and put a job, the user id alone, on the
// erasure queue; the erasure function (functions/erasure) deletes the pool
// account, closes the connections, cancels the schedules, deletes the
// files and scans the table for every item holding the id, a pass at a
// time, queueing its own continuation (docs/ARCHITECTURE.md, "Account
// deletion"). The workspace's policy for the person's messages is the
// erasurePolicy context (erase, the default, or anonymise).
const (
	// ErasureTimeoutSeconds: a pass scans until a minute before this
	// (erasure.DefaultMargin), then queues its continuation.
	ErasureTimeoutSeconds = 900
	// ErasureQueueVisibilitySeconds is six times the function's timeout,
	// as Lambda asks of a queue it polls.
	ErasureQueueVisibilitySeconds = 6 * ErasureTimeoutSeconds
	// ErasureMaxReceiveCount: a pass is retried (it is idempotent) this
	// many times before the job goes to the dead-letter queue (alarmed).
	ErasureMaxReceiveCount = 5
	// ErasureMaxConcurrency: erasures scan the whole table, so few at once.
	ErasureMaxConcurrency = 2
	// ErasureRetentionDays: a job waits at most this long (it holds only
	// the user id).
	ErasureRetentionDays = 4
	// ErasureDLQRetentionDays: a given-up erasure waits two weeks for an
	// operator, who redrives it (safe: idempotent).
	ErasureDLQRetentionDays = 14
)

// erasureQueueConsumeActions are what the SQS event source mapping needs.
var erasureQueueConsumeActions = []string{"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}

// erasureTableActions: the store's calls (tableDataActions) and the Scan
// of the erasure, on the table itself (the index is never scanned).
var erasureTableActions = []string{"dynamodb:Scan"}

// erasurePoolActions: exactly the pool call of cognitoadmin.DeleteAccount.
var erasurePoolActions = []string{"cognito-idp:AdminDeleteUser"}

// erasureFileActions on the person's files (uploads, thumbnails,
// pictures), found with s3:ListBucket on the bucket.
// A versioned bucket (backup.go) keeps deleted bytes as old versions:
// they are deleted by version id, found with s3:ListBucketVersions.
var erasureFileActions = []string{"s3:DeleteObject", "s3:DeleteObjectVersion"}

// erasureResources creates the queue and its dead-letter queue. They come
// before the functions: the actions function's environment names the
// queue.
func (b *builder) erasureResources() {
	b.erasureQueue, b.erasureDLQ = b.jobQueue("Erasure",
		awscdk.Duration_Seconds(jsii.Number(ErasureQueueVisibilitySeconds)),
		awscdk.Duration_Days(jsii.Number(ErasureRetentionDays)),
		awscdk.Duration_Days(jsii.Number(ErasureDLQRetentionDays)), ErasureMaxReceiveCount)
}

// erasurePolicy is the deployed policy ("" reads as erase).
func (b *builder) erasurePolicy() string {
	if b.props.ErasurePolicy == "" {
		return string(chat.ErasureErase)
	}
	return b.props.ErasurePolicy
}

// actionsErasureEnv is what deleteAccount and deleteUser read.
func (b *builder) actionsErasureEnv() map[string]*string {
	return map[string]*string{
		"ERASURE_QUEUE_URL": b.erasureQueue.QueueUrl(),
		"ERASURE_POLICY":    jsii.String(b.erasurePolicy()),
	}
}

// erasureEnv is the worker's environment: the table, the management API,
// the bucket, the pool, the queue and the policy (the schedule variables
// are added with the actions function's, in scheduledGrants). No GIF or
// fan-out queue variables: it needs neither.
func (b *builder) erasureEnv() map[string]*string {
	env := map[string]*string{
		"TABLE_NAME":      b.table.TableName(),
		"WS_CALLBACK_URL": b.stage.CallbackUrl(),
		"LOG_LEVEL":       jsii.String(b.props.LogLevel),
		"FILES_BUCKET":    b.filesBucket.BucketName(),
		"USER_POOL_ID":    b.pool.UserPoolId(),
	}
	if d := int(b.props.AuditRetentionDays); d > 0 {
		env["AUDIT_RETENTION_DAYS"] = jsii.String(strconv.Itoa(d))
	}
	for k, v := range b.actionsErasureEnv() {
		env[k] = v
	}
	return env
}

// erasureGrantsAndMapping: the actions function may send to the queue;
// the worker consumes it and sends its continuations, scans and writes
// the table, posts signedOut to and deletes connections, deletes the pool
// account, deletes schedules of the group, lists the bucket and deletes
// objects under the three prefixes of people's files.
func (b *builder) erasureGrantsAndMapping() {
	actions, fn := b.fns["actions"], b.fns["erasure"]
	for k, v := range b.actionsErasureEnv() {
		actions.AddEnvironment(jsii.String(k), v, nil)
	}
	actions.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sqs:SendMessage"),
		Resources: jsii.Strings(*b.erasureQueue.QueueArn()),
	}))

	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(append(slicesClone(erasureQueueConsumeActions), "sqs:SendMessage")...),
		Resources: jsii.Strings(*b.erasureQueue.QueueArn()),
	}))
	b.grantTableData(fn)
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(erasureTableActions...),
		Resources: jsii.Strings(*b.table.TableArn()),
	}))
	b.grantManageConnections(fn)
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(erasurePoolActions...),
		Resources: jsii.Strings(*b.pool.UserPoolArn()),
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:ListBucket", "s3:ListBucketVersions"),
		Resources: jsii.Strings(b.filesBucketArn()),
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings(erasureFileActions...),
		Resources: jsii.Strings(b.filesObjects(chat.FilesPrefix+"*"), b.filesObjects(chat.ThumbsPrefix+"*"),
			b.filesObjects(chat.AvatarsPrefix+"*")),
	}))
	// Pending scheduled items' schedules are cancelled (Timer.Cancel: a
	// DeleteSchedule in the group); the Timer is built from the same
	// variables as the actions function's, and never creates one.
	p := b.scheduled
	for k, v := range map[string]*string{
		"SCHEDULED_GROUP":           p.group.Name(),
		"SCHEDULED_ROLE_ARN":        p.schedulerRole.RoleArn(),
		"SCHEDULED_TARGET_ARN":      b.fns["scheduled"].FunctionArn(),
		"SCHEDULED_DEAD_LETTER_ARN": p.deadLetters.QueueArn(),
	} {
		fn.AddEnvironment(jsii.String(k), v, nil)
	}
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("scheduler:DeleteSchedule"),
		Resources: jsii.Strings(b.scheduledSchedules()),
	}))

	mapping := awslambda.NewCfnEventSourceMapping(b.stack, jsii.String("ErasureEventSource"), &awslambda.CfnEventSourceMappingProps{
		FunctionName:          fn.FunctionName(),
		EventSourceArn:        b.erasureQueue.QueueArn(),
		BatchSize:             jsii.Number(1),
		FunctionResponseTypes: jsii.Strings("ReportBatchItemFailures"),
		ScalingConfig: &awslambda.CfnEventSourceMapping_ScalingConfigProperty{
			MaximumConcurrency: jsii.Number(ErasureMaxConcurrency),
		},
	})
	if policy := fn.Role().Node().TryFindChild(jsii.String("DefaultPolicy")); policy != nil {
		mapping.Node().AddDependency(policy)
	}
	suppress(mapping, "Serverless-LambdaEventSourceMappingDestination",
		"An SQS event source mapping takes no on-failure destination: an erasure that keeps failing goes to the erasure queue's dead-letter queue through its redrive policy (alarmed)")
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// erasureDeadLetters is the erasure dead-letter queue's visible messages.
func (b *builder) erasureDeadLetters() awscloudwatch.Metric {
	return b.erasureDLQ.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
		Period: period, Statistic: jsii.String("Maximum"),
	})
}

// erasureSuppressions: the cdk-nag findings of the erasure parts.
func (b *builder) erasureSuppressions() {
	suppress(b.erasureDLQ, "AwsSolutions-SQS3", "This queue is itself the dead-letter queue of the erasure queue")
	suppress(b.erasureDLQ, "Serverless-SQSRedrivePolicy",
		"This queue is itself the dead-letter queue of the erasure queue; an operator redrives a given-up erasure after fixing its cause")
	suppress(b.fns["erasure"], "Serverless-LambdaDLQ",
		"Invoked by the erasure queue's event source mapping, whose failed jobs go to the queue's dead-letter queue (redrive policy, alarmed); a function DLQ applies to asynchronous invocations only")
	suppress(b.fns["erasure"].Role(), "AwsSolutions-IAM5",
		"The erasure deletes a person's connections (ids known only at run time, on this stage's @connections), uses the table's index as the service does, deletes the person's files under the three prefixes of people's files (keys known only at run time) and the schedules of the scheduled-messages group",
		b.tableIndexFinding(),
		arnMatching("execute-api", "<"+b.logicalID(b.api)+">/"+b.props.StageName+"/POST/@connections/*"),
		arnMatching("execute-api", "<"+b.logicalID(b.api)+">/"+b.props.StageName+"/DELETE/@connections/*"),
		arnMatching("scheduler", "schedule/"+*b.scheduled.group.Name()+"/*"),
		filesObjectsMatching(chat.FilesPrefix+"*"), filesObjectsMatching(chat.ThumbsPrefix+"*"), filesObjectsMatching(chat.AvatarsPrefix+"*"),
	)
}
