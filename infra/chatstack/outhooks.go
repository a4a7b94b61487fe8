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
)

// Outgoing webhooks (issue 16): a rule on the chat bus's message.created
// events invokes the delivery function (functions/outhooks)
// asynchronously; it posts the message, signed, to the room's outgoing
// webhooks that it fires, retrying within the invocation. A failed
// invocation is retried by Lambda (OutHooksRetryAttempts), then its event
// goes to the failure queue of the asynchronously invoked functions (the
// function's OnFailure destination, also the rule target's dead-letter
// queue for events EventBridge cannot hand to Lambda at all), which is
// alarmed like the other dead-letter queues.
// Nothing polls: no idle cost.
const (
	// OutHooksTimeoutSeconds: the room's webhooks are posted at once,
	// each up to three tries of 5 s with 1 s and 4 s between them.
	OutHooksTimeoutSeconds = 30
	// OutHooksRetryAttempts: Lambda's asynchronous retries (the most it
	// allows), about a minute and two minutes later.
	OutHooksRetryAttempts = 2
	// OutHooksMaxEventAgeHours: an event not delivered by then goes to
	// the dead-letter queue.
	OutHooksMaxEventAgeHours = 6
)

// outHookTableActions are exactly the delivery's reads: the room's
// webhooks (one Query of its INTEG# partition) and the message (GetItem).
var outHookTableActions = []string{"dynamodb:GetItem", "dynamodb:Query"}

// outHookEnv is the delivery function's environment: only the table.
func (b *builder) outHookEnv() map[string]*string {
	return map[string]*string{
		"TABLE_NAME": b.table.TableName(),
		"LOG_LEVEL":  jsii.String(b.props.LogLevel),
	}
}

// outHookGrantsAndRule: the function reads the table; the rule on the bus
// invokes it; its failures go to the dead-letter queue.
func (b *builder) outHookGrantsAndRule() {
	fn := b.fns["outhooks"]
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(outHookTableActions...),
		Resources: jsii.Strings(*b.table.TableArn()),
	}))
	// The asynchronous functions' failure queue, the thumbnail function's
	// too (thumbnail.go): encrypted, TLS only, kept 14 days, alarmed. One
	// queue because one more alarm would put the idle cost over its budget
	// (infra/cost); a record names its function (requestContext.functionArn).
	dlq := b.thumbnailFailures
	fn.ConfigureAsyncInvoke(&awslambda.EventInvokeConfigOptions{
		OnFailure:     awslambdadestinations.NewSqsDestination(dlq),
		RetryAttempts: jsii.Number(OutHooksRetryAttempts),
		MaxEventAge:   awscdk.Duration_Hours(jsii.Number(OutHooksMaxEventAgeHours)),
	})
	awsevents.NewRule(b.stack, jsii.String("OutHooksRule"), &awsevents.RuleProps{
		EventBus:    b.bus,
		Description: jsii.String("Outgoing webhooks: every new message to the delivery function"),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings(eventbus.Source),
			DetailType: jsii.Strings(string(chat.EventMessageCreated)),
		},
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
			DeadLetterQueue: dlq,
			RetryAttempts:   jsii.Number(OutHooksRetryAttempts),
			MaxEventAge:     awscdk.Duration_Hours(jsii.Number(OutHooksMaxEventAgeHours)),
		})},
	})
}

// outHookSuppressions: the cdk-nag findings of the outgoing webhooks.
func (b *builder) outHookSuppressions() {
	suppress(b.fns["outhooks"], "Serverless-LambdaDLQ",
		"EventBridge invokes it asynchronously and its failures go to an on-failure destination (ThumbnailFailureQueue, alarmed), which records the error with the event; a DeadLetterConfig on top would duplicate it")
}
