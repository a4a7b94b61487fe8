package chatstack

import (
	"net/mail"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdadestinations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
)

// Email for what was missed (internal/digest, docs/ARCHITECTURE.md): on
// only when the deployment names a sender (-c mailFrom=… and/or
// -c mailDomain=…). Then the stack adds the SES identity, the digest
// function (EventBridge Scheduler's target), the unsubscribe function
// behind a Lambda function URL, the HMAC key of the links in Secrets
// Manager, the schedule group, the role Scheduler assumes to invoke the
// digest function, the digest's failure queue and its alarms.

// Digest settings.
const (
	DigestRetryAttempts        = 2  // Lambda's retries of an asynchronous invocation (Scheduler invokes asynchronously)
	DigestFailureRetentionDays = 14 // how long a given-up digest invocation waits in the failure queue
	// DigestSendActions and the rest are exactly the calls each part makes.
	digestSendAction = "ses:SendEmail"
)

var domainPattern = regexp.MustCompile(`^(?i)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$`)

// DigestEnabled says whether the deployment sends digests.
func (p ChatStackProps) DigestEnabled() bool { return p.MailFrom != "" || p.MailDomain != "" }

// mailSender is the From of the digests: MailFrom, or noreply@MailDomain.
func (p ChatStackProps) mailSender() string {
	if p.MailFrom != "" {
		return p.MailFrom
	}
	return "Backchannel <noreply@" + p.MailDomain + ">"
}

// mailIdentity is the SES identity: the domain when given (any address of
// it may send), else the address.
func (p ChatStackProps) mailIdentity() string {
	if p.MailDomain != "" {
		return strings.ToLower(p.MailDomain)
	}
	a, err := mail.ParseAddress(p.MailFrom)
	if err != nil {
		return p.MailFrom
	}
	return strings.ToLower(a.Address)
}

// validateMail checks mailFrom and mailDomain.
func (p ChatStackProps) validateMail() []string {
	var problems []string
	if p.MailDomain != "" && !domainPattern.MatchString(p.MailDomain) {
		problems = append(problems, "mailDomain "+p.MailDomain+": not a domain name")
	}
	if p.MailFrom != "" {
		a, err := mail.ParseAddress(p.MailFrom)
		switch {
		case err != nil:
			problems = append(problems, "mailFrom "+p.MailFrom+": not an email address")
		case p.MailDomain != "" && !strings.HasSuffix(strings.ToLower(a.Address), "@"+strings.ToLower(p.MailDomain)):
			problems = append(problems, "mailFrom "+p.MailFrom+" must be an address of mailDomain "+p.MailDomain)
		}
	}
	return problems
}

// digestParts are what digest() creates for the grants and alarms.
type digestParts struct {
	identityArn   string
	group         awsscheduler.CfnScheduleGroup
	schedulerRole awsiam.Role
	key           awssecretsmanager.Secret
	failures      awssqs.Queue
	url           awslambda.FunctionUrl
}

// digestResources run before functions(): the digest and unsubscribe
// functions' environment names the key, the group and the role.
func (b *builder) digestResources() {
	if !b.props.DigestEnabled() {
		return
	}
	d := &digestParts{}
	b.digest = d
	identity := awsses.Identity_Email(jsii.String(b.props.mailIdentity()))
	if b.props.MailDomain != "" {
		identity = awsses.Identity_Domain(jsii.String(b.props.mailIdentity()))
	}
	awsses.NewEmailIdentity(b.stack, jsii.String("MailIdentity"), &awsses.EmailIdentityProps{Identity: identity})
	d.identityArn = *b.stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("ses"), Resource: jsii.String("identity"), ResourceName: jsii.String(b.props.mailIdentity()),
	})
	d.key = awssecretsmanager.NewSecret(b.stack, jsii.String("DigestKey"), &awssecretsmanager.SecretProps{
		Description: jsii.String("HMAC key of the one-click unsubscribe links in digest emails"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			PasswordLength: jsii.Number(64), ExcludePunctuation: jsii.Bool(true), IncludeSpace: jsii.Bool(false),
		},
		RemovalPolicy: b.removal(),
	})
	d.group = awsscheduler.NewCfnScheduleGroup(b.stack, jsii.String("DigestScheduleGroup"), &awsscheduler.CfnScheduleGroupProps{
		Name: jsii.String(*b.stack.StackName() + "-digest"),
	})
	d.schedulerRole = awsiam.NewRole(b.stack, jsii.String("DigestSchedulerRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": b.stack.Account()}},
		}),
		Description: jsii.String("Assumed by EventBridge Scheduler to invoke the digest function (only it)"),
	})
}

// digestGroupName is the schedule group's name.
func (b *builder) digestGroupName() *string { return b.digest.group.Name() }

// digestSchedules is the ARN of every schedule in the digest's group.
func (b *builder) digestSchedules() string {
	return *b.stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("scheduler"), Resource: jsii.String("schedule"),
		ResourceName: jsii.String(*b.digestGroupName() + "/*"),
	})
}

// digestEnv: the digest function, EventBridge Scheduler's target. Its own
// ARN (to reschedule itself) comes from the invocation context.
func (b *builder) digestEnv() map[string]*string {
	return map[string]*string{
		"TABLE_NAME":                b.table.TableName(),
		"USER_POOL_ID":              b.pool.UserPoolId(),
		"DIGEST_SITE_URL":           jsii.String(b.siteOrigin),
		"DIGEST_FROM":               jsii.String(b.props.mailSender()),
		"DIGEST_KEY_SECRET_ARN":     b.digest.key.SecretArn(),
		"DIGEST_SCHEDULE_GROUP":     b.digestGroupName(),
		"DIGEST_SCHEDULER_ROLE_ARN": b.digest.schedulerRole.RoleArn(),
		"LOG_LEVEL":                 jsii.String(b.props.LogLevel),
		// DIGEST_UNSUBSCRIBE_URL is added once the unsubscribe function's
		// URL exists (digestGrants).
	}
}

// unsubscribeEnv: the unsubscribe endpoint.
func (b *builder) unsubscribeEnv() map[string]*string {
	return map[string]*string{
		"TABLE_NAME":            b.table.TableName(),
		"DIGEST_SITE_URL":       jsii.String(b.siteOrigin),
		"DIGEST_KEY_SECRET_ARN": b.digest.key.SecretArn(),
		"DIGEST_SCHEDULE_GROUP": b.digestGroupName(),
		"LOG_LEVEL":             jsii.String(b.props.LogLevel),
	}
}

// DigestSchedulingEnv is what the function calling digest.Missed (the
// stream's notification consumer) reads besides TABLE_NAME; the lead
// merges it into the stream function's environment with
// grantDigestScheduling.
func (b *builder) digestSchedulingEnv() map[string]*string {
	return map[string]*string{
		"DIGEST_SCHEDULE_GROUP":     b.digestGroupName(),
		"DIGEST_SCHEDULER_ROLE_ARN": b.digest.schedulerRole.RoleArn(),
		"DIGEST_TARGET_ARN":         b.fns["digest"].FunctionArn(),
	}
}

// grantDigestScheduling lets fn create the digest's one-time schedules
// (and delete a stale one), passing only the scheduler role, only to
// EventBridge Scheduler.
func (b *builder) grantDigestScheduling(fn awslambda.Function, actions ...string) {
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: jsii.Strings(b.digestSchedules()),
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:    jsii.Strings("iam:PassRole"),
		Resources:  jsii.Strings(*b.digest.schedulerRole.RoleArn()),
		Conditions: &map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "scheduler.amazonaws.com"}},
	}))
}

// digestGrants: each part gets exactly the calls its code makes.
func (b *builder) digestGrants() {
	if b.digest == nil {
		return
	}
	d := b.digest
	digestFn, unsub, stream := b.fns["digest"], b.fns["unsubscribe"], b.fns["stream"]

	// The unsubscribe endpoint: a Lambda function URL, public (AuthType
	// NONE): mail clients POST to it without credentials (RFC 8058); the
	// HMAC-signed token in the link is the authorization, and it can only
	// turn its own person's email off.
	d.url = unsub.AddFunctionUrl(&awslambda.FunctionUrlOptions{AuthType: awslambda.FunctionUrlAuthType_NONE})
	digestFn.AddEnvironment(jsii.String("DIGEST_UNSUBSCRIBE_URL"), d.url.Url(), nil)

	// Scheduler invokes the digest function through this role, which may
	// invoke that function and nothing else.
	d.schedulerRole.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("lambda:InvokeFunction"),
		Resources: jsii.Strings(*digestFn.FunctionArn()),
	}))

	// The digest function: reads the chat and its own items, sends through
	// the identity only, finds the address in the pool, reads the key,
	// reschedules itself (do-not-disturb, the hourly limit).
	b.grantTableData(digestFn)
	digestFn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(digestSendAction),
		Resources: jsii.Strings(d.identityArn),
	}))
	digestFn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("cognito-idp:AdminGetUser"),
		Resources: jsii.Strings(*b.pool.UserPoolArn()),
	}))
	d.key.GrantRead(digestFn, nil)
	b.grantDigestScheduling(digestFn, "scheduler:CreateSchedule")

	// The unsubscribe function: turns email off (the preferences item),
	// drops the pending digest and deletes its schedule.
	b.grantTableData(unsub)
	d.key.GrantRead(unsub, nil)
	unsub.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("scheduler:DeleteSchedule"),
		Resources: jsii.Strings(b.digestSchedules()),
	}))

	// Where digest.Missed runs (the stream's notification consumer, wired
	// at merge): creates the first schedule of a digest, deletes a stale
	// one. The table writes are the room purger's actions it has already.
	for k, v := range b.digestSchedulingEnv() {
		stream.AddEnvironment(jsii.String(k), v, nil)
	}
	b.grantDigestScheduling(stream, "scheduler:CreateSchedule", "scheduler:DeleteSchedule")
	stream.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("dynamodb:PutItem"), // the missed item (the rest is in the room purger's statement)
		Resources: jsii.Strings(*b.table.TableArn()),
	}))

	// Scheduler invokes asynchronously: Lambda retries a failed digest,
	// then puts the event in an encrypted queue, alarmed.
	d.failures = awssqs.NewQueue(b.stack, jsii.String("DigestFailureQueue"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(DigestFailureRetentionDays)),
		RemovalPolicy:   b.removal(),
	})
	digestFn.ConfigureAsyncInvoke(&awslambda.EventInvokeConfigOptions{
		OnFailure:     awslambdadestinations.NewSqsDestination(d.failures),
		RetryAttempts: jsii.Number(DigestRetryAttempts),
		MaxEventAge:   awscdk.Duration_Hours(jsii.Number(1)),
	})
}

// digestAlarms: errors of the two functions, the failure queue, and SES's
// bounce rate (SES pauses an account's sending above 10 %).
func (b *builder) digestAlarms(add func(id string, metric awscloudwatch.IMetric, threshold float64, description string)) {
	if b.digest == nil {
		return
	}
	sum := &awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("Sum")}
	add("DigestErrorsAlarm", b.fns["digest"].MetricErrors(sum), 3, "digest function: 3 or more errors in 5 minutes (emails about missed messages are late or lost)")
	add("UnsubscribeErrorsAlarm", b.fns["unsubscribe"].MetricErrors(sum), 1, "unsubscribe function: an error (someone could not turn digest emails off)")
	add("DigestFailureQueueAlarm", b.digest.failures.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
		Period: period, Statistic: jsii.String("Maximum"),
	}), 1, "digest failure queue: digests given up on after Lambda's retries (the event is in the queue)")
	add("MailBounceRateAlarm", awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String("AWS/SES"), MetricName: jsii.String("Reputation.BounceRate"), Statistic: jsii.String("Maximum"), Period: period,
	}), 0.05, "SES: the account's bounce rate reached 5 % (SES reviews accounts above 5 % and may pause sending at 10 %)")
}

// digestSuppressions: the findings the digest's design accepts.
func (b *builder) digestSuppressions() {
	if b.digest == nil {
		return
	}
	suppress(b.digest.key, "AwsSolutions-SMG4",
		"The unsubscribe links' HMAC key: rotating it would invalidate the one-click links in every email already sent (RFC 8058 asks for lasting links); rotate deliberately by replacing the secret")
	suppress(b.fns["digest"].Role(), "AwsSolutions-IAM5",
		"The digest's one-time schedules are named per person and due time at run time, all in the digest's own schedule group",
		arnMatching("scheduler", "schedule/"+*b.digestGroupName()+"/*"))
	suppress(b.fns["unsubscribe"].Role(), "AwsSolutions-IAM5",
		"Deletes the pending digest's one-time schedule, named per person and due time at run time, in the digest's own schedule group",
		arnMatching("scheduler", "schedule/"+*b.digestGroupName()+"/*"))
	suppress(b.fns["stream"].Role(), "AwsSolutions-IAM5",
		"Creates (and deletes a stale) digest schedule, named per person and due time at run time, in the digest's own schedule group",
		arnMatching("scheduler", "schedule/"+*b.digestGroupName()+"/*"))
	suppress(b.fns["unsubscribe"], "Serverless-LambdaDLQ",
		"Invoked synchronously through its function URL: the caller (a mail client or the person) gets the error")
	suppress(b.digest.failures, "AwsSolutions-SQS3",
		"This queue is itself a dead-letter queue: the on-failure destination of the digest function's asynchronous invocations")
	suppress(b.digest.failures, "Serverless-SQSRedrivePolicy",
		"This queue is itself the failure destination; an operator inspects it (the next missed message schedules a new digest anyway)")
	suppress(b.fns["digest"], "Serverless-LambdaDLQ",
		"Scheduler invokes it asynchronously and its failures go to an on-failure destination (DigestFailureQueue, alarmed)")
}
