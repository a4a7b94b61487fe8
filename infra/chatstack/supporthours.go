package chatstack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdadestinations"
	"github.com/aws/jsii-runtime-go"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/eventbus"
	"github.com/backchannel-chat/backchannel/internal/supportbot"
)

// Customer support's bot first, hours and mail (issue #17,
// docs/ARCHITECTURE.md "Bot first, hours and email"):
//   - the FAQ bot (functions/supportbot): a rule on the chat bus's
//     message.created events whose sender is a visitor (detail.senderId
//     prefix "vis_") invokes it asynchronously, like the outgoing webhooks;
//     it answers through the chat service (the table, POST on
//     @connections). Failures: Lambda's two retries, then the asynchronous
//     functions' failure queue. Nothing polls: no idle cost.
//   - support's mail runs in the stream function, with mail on: SendEmail
//     through the digest's identity and the digest's key (the reopen
//     links' key is derived from it with HKDF). No new secret.
const (
	SupportBotTimeoutSeconds  = 15
	SupportBotRetryAttempts   = 2
	SupportBotMaxEventAgeHour = 1 // an answer later than that is no answer
)

// supportBotEnv: the connection function's variables the service reads.
func (b *builder) supportBotEnv() map[string]*string {
	env := map[string]*string{
		"TABLE_NAME":      b.table.TableName(),
		"WS_CALLBACK_URL": b.stage.CallbackUrl(),
		"LOG_LEVEL":       jsii.String(b.props.LogLevel),
	}
	for k, v := range b.retentionEnv() { // the bot's messages expire with the room's retention
		env[k] = v
	}
	return env
}

// supportBotGrantsAndRule: the function uses the table as the service does
// and posts to connections; the rule invokes it; its failures go to the
// asynchronous functions' failure queue.
func (b *builder) supportBotGrantsAndRule() {
	fn := b.fns["supportbot"]
	b.grantTableData(fn)
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("execute-api:ManageConnections"),
		Resources: &[]*string{b.postToConnectionsArn()},
	}))
	dlq := b.thumbnailFailures
	fn.ConfigureAsyncInvoke(&awslambda.EventInvokeConfigOptions{
		OnFailure:     awslambdadestinations.NewSqsDestination(dlq),
		RetryAttempts: jsii.Number(SupportBotRetryAttempts),
		MaxEventAge:   awscdk.Duration_Hours(jsii.Number(SupportBotMaxEventAgeHour)),
	})
	detail := supportbot.SenderPattern
	awsevents.NewRule(b.stack, jsii.String("SupportBotRule"), &awsevents.RuleProps{
		EventBus:    b.bus,
		Description: jsii.String("Customer support's FAQ bot: visitors' new messages"),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings(eventbus.Source),
			DetailType: jsii.Strings(string(chat.EventMessageCreated)),
			Detail:     &detail,
		},
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
			DeadLetterQueue: dlq,
			RetryAttempts:   jsii.Number(SupportBotRetryAttempts),
			MaxEventAge:     awscdk.Duration_Hours(jsii.Number(SupportBotMaxEventAgeHour)),
		})},
	})
}

// supportMailGrants: with mail on, the stream function mails for support.
func (b *builder) supportMailGrants() {
	if b.digest == nil {
		return
	}
	fn := b.fns["stream"]
	fn.AddEnvironment(jsii.String("DIGEST_FROM"), jsii.String(b.props.mailSender()), nil)
	fn.AddEnvironment(jsii.String("DIGEST_KEY_SECRET_ARN"), b.digest.key.SecretArn(), nil)
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(digestSendAction),
		Resources: jsii.Strings(b.digest.identityArn),
	}))
	b.digest.key.GrantRead(fn, nil)
}

// supportBotSuppressions: the cdk-nag findings of the bot.
func (b *builder) supportBotSuppressions() {
	suppress(b.fns["supportbot"], "Serverless-LambdaDLQ",
		"EventBridge invokes it asynchronously and its failures go to an on-failure destination (ThumbnailFailureQueue, alarmed), which records the error with the event; a DeadLetterConfig on top would duplicate it")
	suppress(b.fns["supportbot"].Role(), "AwsSolutions-IAM5",
		"The FAQ bot posts its answers through the chat service: to connection ids known only at run time (POST on this stage's @connections), using the table's index (gsi1) as the service does",
		b.tableIndexFinding(),
		arnMatching("execute-api", "<"+b.logicalID(b.api)+">/"+b.props.StageName+"/POST/@connections/*"),
	)
}
