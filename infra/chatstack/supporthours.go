package chatstack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// Customer support's bot first, hours and mail (issue #17,
// docs/ARCHITECTURE.md "Bot first, hours and email"): both run in the
// stream function, as consumers of the table's stream; no function,
// queue, poller or secret is added.

// supportStreamEnv: the FAQ bot (internal/supportbot) posts its answers
// through the chat service, which pushes them over the management API.
func (b *builder) supportStreamEnv() map[string]*string {
	return map[string]*string{"WS_CALLBACK_URL": b.stage.CallbackUrl()}
}

// supportStreamGrants: the bot's writes are the chat service's (a
// message with its idempotency item, the conversation's update, the
// membership the handover removes): the table data actions every
// function with the service has, and POST on @connections (it pushes, it
// never disconnects anyone). With mail on, support's mail: SendEmail
// through the digest's identity only, and the digest's key (the reopen
// links' key is derived from it with HKDF).
func (b *builder) supportStreamGrants() {
	fn := b.fns["stream"]
	b.grantTableData(fn)
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("execute-api:ManageConnections"),
		Resources: &[]*string{b.postToConnectionsArn()},
	}))
	if b.digest == nil {
		return
	}
	fn.AddEnvironment(jsii.String("DIGEST_FROM"), jsii.String(b.props.mailSender()), nil)
	fn.AddEnvironment(jsii.String("DIGEST_KEY_SECRET_ARN"), b.digest.key.SecretArn(), nil)
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(digestSendAction),
		Resources: jsii.Strings(b.digest.identityArn),
	}))
	b.digest.key.GrantRead(fn, nil)
}

// supportStreamSuppressions: the wildcards the bot's grants bring to the
// stream function's role.
func (b *builder) supportStreamSuppressions() {
	suppress(b.fns["stream"].Role(), "AwsSolutions-IAM5",
		"Customer support's FAQ bot posts its answers through the chat service: to connection ids known only at run time (POST on this stage's @connections), using the table's index (gsi1) as the service does",
		b.tableIndexFinding(),
		arnMatching("execute-api", "<"+b.logicalID(b.api)+">/"+b.props.StageName+"/POST/@connections/*"),
	)
}
