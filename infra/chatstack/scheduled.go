package chatstack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdadestinations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
)

// Scheduled messages and reminders (internal/service/scheduled.go,
// docs/ARCHITECTURE.md "Scheduled messages and reminders"): the actions
// function creates one one-time EventBridge Scheduler schedule per item in
// the group below; Scheduler invokes the scheduled function through its
// own role at the item's time (asynchronously: Lambda retries twice);
// what neither could deliver lands in the dead-letter queue, alarmed.
const (
	ScheduledRetryAttempts        = 2  // Lambda's retries of the asynchronous invocation
	ScheduledDeadLetterRetainDays = 14 // how long a given-up delivery waits in the queue
)

// scheduledParts are what scheduledResources creates for the grants.
type scheduledParts struct {
	group         awsscheduler.CfnScheduleGroup
	schedulerRole awsiam.Role
	deadLetters   awssqs.Queue
}

// scheduledResources run before functions(): the actions function's
// environment names the group, the role and the queue.
func (b *builder) scheduledResources() {
	p := &scheduledParts{}
	b.scheduled = p
	p.group = awsscheduler.NewCfnScheduleGroup(b.stack, jsii.String("ScheduledScheduleGroup"), &awsscheduler.CfnScheduleGroupProps{
		Name: jsii.String(*b.stack.StackName() + "-scheduled"),
	})
	p.schedulerRole = awsiam.NewRole(b.stack, jsii.String("ScheduledSchedulerRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": b.stack.Account()}},
		}),
		Description: jsii.String("Assumed by EventBridge Scheduler to invoke the scheduled function (only it) and dead-letter what it cannot deliver"),
	})
	p.deadLetters = awssqs.NewQueue(b.stack, jsii.String("ScheduledDeadLetterQueue"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(ScheduledDeadLetterRetainDays)),
		RemovalPolicy:   b.removal(),
	})
}

// scheduledSchedules is the ARN of every schedule in the group.
func (b *builder) scheduledSchedules() string {
	return *b.stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("scheduler"), Resource: jsii.String("schedule"),
		ResourceName: jsii.String(*b.scheduled.group.Name() + "/*"),
	})
}

// scheduledEnv: the scheduled function sends through the same service as
// the actions function (the table, the management API, the fan-out queue)
// and puts fired reminders on the push queue.
func (b *builder) scheduledEnv() map[string]*string {
	env := b.connectionEnv()
	for k, v := range b.streamPushEnv() {
		env[k] = v
	}
	return env
}

// scheduledGrants: each part gets exactly the calls its code makes.
func (b *builder) scheduledGrants() {
	p := b.scheduled
	fn := b.fns["scheduled"]

	// Scheduler invokes the scheduled function through this role, which
	// may invoke that function and nothing else, and send what it could
	// not deliver to the dead-letter queue.
	p.schedulerRole.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("lambda:InvokeFunction"),
		Resources: jsii.Strings(*fn.FunctionArn()),
	}))
	p.schedulerRole.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sqs:SendMessage"),
		Resources: jsii.Strings(*p.deadLetters.QueueArn()),
	}))

	// The actions function, and the HTTP API's (a bot's scheduleMessage),
	// create and delete the items' schedules in the group, passing only
	// that role, only to Scheduler.
	for _, sender := range []string{"actions", "httpapi"} {
		sender := b.fns[sender]
		for k, v := range map[string]*string{
			"SCHEDULED_GROUP":           p.group.Name(),
			"SCHEDULED_ROLE_ARN":        p.schedulerRole.RoleArn(),
			"SCHEDULED_TARGET_ARN":      fn.FunctionArn(),
			"SCHEDULED_DEAD_LETTER_ARN": p.deadLetters.QueueArn(),
		} {
			sender.AddEnvironment(jsii.String(k), v, nil)
		}
		sender.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("scheduler:CreateSchedule", "scheduler:DeleteSchedule"),
			Resources: jsii.Strings(b.scheduledSchedules()),
		}))
		sender.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:    jsii.Strings("iam:PassRole"),
			Resources:  jsii.Strings(*p.schedulerRole.RoleArn()),
			Conditions: &map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "scheduler.amazonaws.com"}},
		}))
	}

	// The scheduled function: the table, posting to connections (and
	// deleting gone ones), the fan-out queue for big rooms, the push queue.
	b.grantTableData(fn)
	b.grantManageConnections(fn)
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sqs:SendMessage"),
		Resources: jsii.Strings(*b.fanoutQueue.QueueArn(), *b.pushQueue.QueueArn()),
	}))
	// Lambda retries a failed delivery twice, then the event goes to the
	// same dead-letter queue (the delivery is idempotent, so an operator
	// may replay it).
	fn.ConfigureAsyncInvoke(&awslambda.EventInvokeConfigOptions{
		OnFailure:     awslambdadestinations.NewSqsDestination(p.deadLetters),
		RetryAttempts: jsii.Number(ScheduledRetryAttempts),
		MaxEventAge:   awscdk.Duration_Hours(jsii.Number(1)),
	})
}

// scheduledAlarms: one alarm metric (0.10 USD a month, idle budget): the
// dead-letter queue, what still failed after Scheduler's and Lambda's
// retries, as the thumbnail function is watched through its failure
// destination. A failed attempt that a retry then delivered is late, not
// lost, and needs no page.
func (b *builder) scheduledAlarms(add func(id string, metric awscloudwatch.IMetric, threshold float64, description string)) {
	add("ScheduledDeadLetterAlarm", b.scheduled.deadLetters.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
		Period: period, Statistic: jsii.String("Maximum"),
	}), 1, "scheduled dead-letter queue: scheduled messages or reminders given up on (the event is in the queue; replaying it is safe)")
}

// scheduledSuppressions: the findings the design accepts.
func (b *builder) scheduledSuppressions() {
	for _, sender := range []string{"actions", "httpapi"} {
		suppress(b.fns[sender].Role(), "AwsSolutions-IAM5",
			"Scheduled messages' and reminders' one-time schedules are named per item and time at run time, all in their own schedule group",
			arnMatching("scheduler", "schedule/"+*b.scheduled.group.Name()+"/*"))
	}
	suppress(b.scheduled.deadLetters, "AwsSolutions-SQS3",
		"This queue is itself a dead-letter queue: of EventBridge Scheduler's undeliverable events and the scheduled function's failed invocations")
	suppress(b.scheduled.deadLetters, "Serverless-SQSRedrivePolicy",
		"This queue is itself the dead-letter queue; an operator inspects or replays it (deliveries are idempotent)")
	suppress(b.fns["scheduled"], "Serverless-LambdaDLQ",
		"Scheduler invokes it asynchronously and its failures go to an on-failure destination (ScheduledDeadLetterQueue, alarmed)")
}
