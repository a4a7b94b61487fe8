package chatstack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
)

// Web Push (issue #13): the stream function's notifier queues one job per
// person to notify on the push queue; the push sender (functions/
// pushsender) sends each to the person's devices, signed with the VAPID
// key pair that functions/vapidkeys generates into a secret at deploy
// time (a custom resource), whose public key the actions function hands
// to clients.
const (
	// PushSenderTimeoutSeconds bounds one batch: its jobs run at once, each
	// push bounded by the sender's 10 s HTTP timeout.
	PushSenderTimeoutSeconds = 30
	// PushQueueVisibilitySeconds is six times the sender's timeout, as
	// Lambda asks of a queue it polls.
	PushQueueVisibilitySeconds = 6 * PushSenderTimeoutSeconds
	// PushBatchSize: up to ten jobs per invocation, sent concurrently.
	PushBatchSize = 10
	// PushMaxReceiveCount: a job whose push service stays unavailable
	// (429, 5xx) reaches the dead-letter queue after this many receives.
	PushMaxReceiveCount = 5
	// PushSenderMaxConcurrency caps the sender's invocations: 5 × 10
	// concurrent pushes is plenty for a team chat, and bounds what a storm
	// of mentions can cost.
	PushSenderMaxConcurrency = 5
	// PushRetentionSeconds: a notification an hour late is noise (the
	// person has likely opened the chat); the push service's TTL (a day)
	// covers a phone that is off.
	PushRetentionSeconds = 60 * 60
	// PushDLQRetentionDays: given-up jobs wait two weeks for a look.
	PushDLQRetentionDays = 14
)

// pushSenderTableActions are exactly the sender's table calls: the
// person's subscriptions (Query) and deleting a gone one (DeleteItem), on
// USER# partitions only (dynamodb:LeadingKeys).
var pushSenderTableActions = []string{"dynamodb:DeleteItem", "dynamodb:Query"}

// pushQueueConsumeActions are what the SQS event source mapping needs of
// the sender's role.
var pushQueueConsumeActions = []string{"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}

// notifierTableActions: the notifier's reads beyond the room purger's
// (GetItem and Query on the table are in roomPurgeActions): the
// candidates' profiles (GetProfiles, BatchGetItem).
var notifierTableActions = []string{"dynamodb:BatchGetItem"}

// pushResources creates the push queue, its dead-letter queue and the
// VAPID secret (a placeholder value until the generator replaces it).
// They come before the functions: their environments name them.
func (b *builder) pushResources() {
	b.pushQueue, b.pushDLQ = b.jobQueue("Push",
		awscdk.Duration_Seconds(jsii.Number(PushQueueVisibilitySeconds)),
		awscdk.Duration_Seconds(jsii.Number(PushRetentionSeconds)),
		awscdk.Duration_Days(jsii.Number(PushDLQRetentionDays)), PushMaxReceiveCount)
	// The key pair must outlive a redeploy: every browser subscription is
	// bound to its public key. Retained unless destroyData.
	b.vapidSecret = awssecretsmanager.NewSecret(b.stack, jsii.String("VapidKeys"), &awssecretsmanager.SecretProps{
		Description: jsii.String("Web Push VAPID key pair (JSON publicKey, privateKey), generated at deploy time by the vapidkeys function"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			SecretStringTemplate: jsii.String(`{"placeholder":true}`),
			GenerateStringKey:    jsii.String("unused"),
		},
		RemovalPolicy: b.removal(),
	})
}

// pushSenderEnv is the sender's environment.
func (b *builder) pushSenderEnv() map[string]*string {
	return map[string]*string{
		"TABLE_NAME":       b.table.TableName(),
		"VAPID_SECRET_ARN": b.vapidSecret.SecretArn(),
		"VAPID_SUBJECT":    jsii.String(b.pushContact()),
		"LOG_LEVEL":        jsii.String(b.props.LogLevel),
	}
}

// pushContact is the VAPID JWT's sub: the web client's origin, where
// push services can find who runs the deployment.
func (b *builder) pushContact() string { return b.siteOrigin }

// vapidKeysEnv: the generator reads only its log level (the secret comes
// as a resource property).
func (b *builder) vapidKeysEnv() map[string]*string {
	return map[string]*string{"LOG_LEVEL": jsii.String(b.props.LogLevel)}
}

// streamPushEnv is what the stream function's notifier reads.
func (b *builder) streamPushEnv() map[string]*string {
	previews := "true"
	if b.props.PushNoPreviews {
		previews = "false"
	}
	return map[string]*string{
		"PUSH_QUEUE_URL": b.pushQueue.QueueUrl(),
		"PUSH_PREVIEWS":  jsii.String(previews),
	}
}

// pushGrantsAndMapping: the stream function may send to the push queue
// (and batch-read profiles); the sender consumes the queue, reads the
// secret, and queries and deletes subscriptions; the generator reads and
// writes the secret, and its custom resource's PublicKey becomes the
// actions function's VAPID_PUBLIC_KEY.
func (b *builder) pushGrantsAndMapping() {
	stream := b.fns["stream"]
	stream.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sqs:SendMessage"),
		Resources: jsii.Strings(*b.pushQueue.QueueArn()),
	}))
	stream.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(notifierTableActions...),
		Resources: jsii.Strings(*b.table.TableArn()),
	}))

	sender := b.fns["pushsender"]
	sender.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(pushQueueConsumeActions...),
		Resources: jsii.Strings(*b.pushQueue.QueueArn()),
	}))
	sender.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(pushSenderTableActions...),
		Resources: jsii.Strings(*b.table.TableArn()),
		Conditions: &map[string]any{
			"ForAllValues:StringLike": map[string]any{"dynamodb:LeadingKeys": []string{"USER#*"}},
		},
	}))
	sender.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: jsii.Strings(*b.vapidSecret.SecretArn()),
	}))
	mapping := awslambda.NewCfnEventSourceMapping(b.stack, jsii.String("PushEventSource"), &awslambda.CfnEventSourceMappingProps{
		FunctionName:          sender.FunctionName(),
		EventSourceArn:        b.pushQueue.QueueArn(),
		BatchSize:             jsii.Number(PushBatchSize),
		FunctionResponseTypes: jsii.Strings("ReportBatchItemFailures"),
		ScalingConfig: &awslambda.CfnEventSourceMapping_ScalingConfigProperty{
			MaximumConcurrency: jsii.Number(PushSenderMaxConcurrency),
		},
	})
	if policy := sender.Role().Node().TryFindChild(jsii.String("DefaultPolicy")); policy != nil {
		mapping.Node().AddDependency(policy)
	}
	suppress(mapping, "Serverless-LambdaEventSourceMappingDestination",
		"An SQS event source mapping takes no on-failure destination: a job that keeps failing goes to the push queue's dead-letter queue through its redrive policy (after 5 receives, alarmed)")

	gen := b.fns["vapidkeys"]
	gen.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"),
		Resources: jsii.Strings(*b.vapidSecret.SecretArn()),
	}))
	keys := awscdk.NewCustomResource(b.stack, jsii.String("VapidKeyPair"), &awscdk.CustomResourceProps{
		ServiceToken: gen.FunctionArn(),
		ResourceType: jsii.String("Custom::VapidKeyPair"),
		Properties:   &map[string]any{"SecretArn": b.vapidSecret.SecretArn()},
	})
	if policy := gen.Role().Node().TryFindChild(jsii.String("DefaultPolicy")); policy != nil {
		keys.Node().AddDependency(policy)
	}
	b.fns["actions"].AddEnvironment(jsii.String("VAPID_PUBLIC_KEY"), keys.GetAttString(jsii.String("PublicKey")), nil)
}

// pushDeadLetters is the push dead-letter queue's visible messages.
func (b *builder) pushDeadLetters() awscloudwatch.Metric {
	return b.pushDLQ.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
		Period: period, Statistic: jsii.String("Maximum"),
	})
}

// pushSuppressions: the cdk-nag findings of the push parts.
func (b *builder) pushSuppressions() {
	suppress(b.pushDLQ, "AwsSolutions-SQS3", "This queue is itself the dead-letter queue of the push queue")
	suppress(b.pushDLQ, "Serverless-SQSRedrivePolicy",
		"This queue is itself the dead-letter queue of the push queue; an operator inspects it, there is nothing to redrive")
	suppress(b.fns["pushsender"], "Serverless-LambdaDLQ",
		"Invoked by the push queue's event source mapping, whose failed jobs go to the queue's dead-letter queue (redrive policy, alarmed); a function DLQ applies to asynchronous invocations only")
	suppress(b.fns["vapidkeys"], "Serverless-LambdaDLQ",
		"Invoked synchronously by CloudFormation (a custom resource); a failure fails the deployment, there is nothing to dead-letter")
	suppress(b.vapidSecret, "AwsSolutions-SMG4",
		"The VAPID key pair cannot rotate on a schedule: every browser's push subscription is bound to its public key, so a new pair silently ends every subscription")
}
