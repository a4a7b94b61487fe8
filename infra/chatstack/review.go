package chatstack

import (
	"regexp"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// The message review hook (issue 16). With `-c reviewHook=<function name
// or ARN>` the functions that send messages (actions, scheduled) invoke
// that function synchronously before storing each message (internal/
// lambdareview) and may call lambda:InvokeFunction on exactly it; with
// `-c reviewHook=example` the stack deploys the example hook
// (functions/reviewhook: masks e-mail addresses and card numbers) and
// names it. reviewHookTimeoutMs (default 800) is the time budget,
// reviewHookFailure open (default) or closed what a failed or late review
// does. Without reviewHook: no variable, no grant, no example function.

// ReviewHookExample names the example hook in the reviewHook context.
const ReviewHookExample = "example"

var (
	reviewFunctionName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$`)
	reviewFunctionArn  = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$`)
)

// validReviewHook: example, a function name (with an optional alias or
// version) or a full function ARN; never a wildcard.
func validReviewHook(v string) bool {
	return v == ReviewHookExample || reviewFunctionName.MatchString(v) || reviewFunctionArn.MatchString(v)
}

// reviewHookOn says whether messages are reviewed.
func (b *builder) reviewHookOn() bool { return b.props.ReviewHook != "" }

// reviewHookFunctionArn is the ARN the senders may invoke: the example
// function's, the given ARN, or a name's in this stack's account and
// region.
func (b *builder) reviewHookFunctionArn() string {
	switch hook := b.props.ReviewHook; {
	case hook == ReviewHookExample:
		return *b.fns["reviewhook"].FunctionArn()
	case reviewFunctionArn.MatchString(hook):
		return hook
	default:
		return *b.stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("lambda"), Resource: jsii.String("function"),
			ResourceName: jsii.String(hook), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME})
	}
}

// reviewHook adds the senders' variables and grant.
func (b *builder) reviewHook() {
	if !b.reviewHookOn() {
		return
	}
	arn := b.reviewHookFunctionArn()
	function := b.props.ReviewHook
	if function == ReviewHookExample {
		function = *b.fns["reviewhook"].FunctionName()
	}
	for _, name := range []string{"actions", "scheduled", "httpapi"} {
		fn := b.fns[name]
		fn.AddEnvironment(jsii.String("REVIEW_HOOK_FUNCTION"), jsii.String(function), nil)
		if ms := b.props.ReviewHookTimeoutMs; ms > 0 {
			fn.AddEnvironment(jsii.String("REVIEW_HOOK_TIMEOUT_MS"), jsii.String(strconv.Itoa(int(ms))), nil)
		}
		if b.props.ReviewHookFailure != "" {
			fn.AddEnvironment(jsii.String("REVIEW_HOOK_FAILURE"), jsii.String(b.props.ReviewHookFailure), nil)
		}
		fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("lambda:InvokeFunction"),
			Resources: jsii.Strings(arn),
		}))
	}
}
