package chatstack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// NewChatStack defines the whole deployment. Invalid props (see Validate,
// including missing function builds) do not panic: they become an error
// annotation on the empty stack, so `cdk synth` fails with the message.
func NewChatStack(scope constructs.Construct, id string, props *ChatStackProps) awscdk.Stack {
	var p ChatStackProps
	if props != nil {
		p = *props
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &p.StackProps)
	if err := p.Validate(); err != nil {
		awscdk.Annotations_Of(stack).AddError(jsii.String("invalid stack configuration: " + err.Error()))
		return stack
	}
	b := &builder{stack: stack, props: p.withDefaults()}
	b.storage()
	b.backups() // the files' old versions, the AWS Backup plan of the table and the bucket
	b.userPool()
	b.webSocketAPI()
	b.siteDistribution() // needs the API and Cognito hosts for its CSP
	b.appClient()        // needs the site origin for OAuth callbacks
	b.eventBus()         // the stream function's environment names the bus
	b.eventSchemas()
	b.fanoutQueues()       // the senders' environment names the queue
	b.pushResources()      // the stream function's and the push sender's environments name them
	b.unfurlResources()    // the stream function's environment names the unfurl queue
	b.exportResources()    // the actions function's environment names the export queue
	b.erasureResources()   // the actions function's environment names the erasure queue
	b.digestResources()    // the digest's environment names the key, the group, the role (only with mailFrom/mailDomain)
	b.scheduledResources() // scheduled messages' schedule group, scheduler role and dead-letter queue
	b.functions()          // need the stage, the table, the bucket, the client and the bus
	b.reviewHook()         // the senders' review hook variables and grant (only with reviewHook)
	b.gifs()               // the actions function's GIF provider key (only with gifApiKeySecretArn)
	b.routes()
	b.httpAPI() // the HTTP API (webhooks, bots): config.json names its URL
	b.deploySite()
	b.monitoring()
	b.outputs()
	b.suppressions()
	return stack
}

// builder holds what each step creates for the steps after it.
type builder struct {
	stack awscdk.Stack
	props ChatStackProps

	table         awsdynamodb.ITable // the stack's own, or the restored one of context tableName (backup.go)
	logBucket     awss3.Bucket
	filesBucket   awss3.Bucket
	filesName     string // bucket name expression, usable without referencing the bucket (see storage.go)
	filesBucketDN string // regional domain name, from filesName
	siteBucket    awss3.Bucket

	pool         awscognito.UserPool
	client       awscognito.UserPoolClient
	cognitoLogin string // hosted domain base URL, "" when off

	api          awsapigatewayv2.WebSocketApi
	stage        awsapigatewayv2.WebSocketStage
	wsURL        string // public wss:// URL clients connect to
	httpAPIURL   string // the HTTP API's base URL (httpapi.go)
	apiAccessLog awslogs.LogGroup

	fns map[string]awslambda.Function

	bus            awsevents.EventBus
	archive        awsevents.Archive // nil unless EventArchive
	streamFailures awssqs.Queue      // on-failure destination of the stream mapping
	streamMapping  awslambda.CfnEventSourceMapping

	pushQueue   awssqs.Queue // Web Push jobs (push.go)
	pushDLQ     awssqs.Queue
	unfurlQueue awssqs.Queue // link-preview jobs (unfurl.go)
	unfurlDLQ   awssqs.Queue
	exportQueue awssqs.Queue // data-export jobs (export.go)
	exportDLQ   awssqs.Queue
	// Account erasure jobs (erasure.go).
	erasureQueue awssqs.Queue
	erasureDLQ   awssqs.Queue
	vapidSecret  awssecretsmanager.Secret

	fanoutQueue       awssqs.Queue // big rooms' fan-out jobs (fanout.go)
	fanoutDLQ         awssqs.Queue
	thumbnailFailures awssqs.Queue // on-failure destination of the thumbnail function

	digest *digestParts // nil unless the deployment sends digests (digest.go)
	// scheduled: scheduled messages and reminders (scheduled.go).
	scheduled *scheduledParts

	distribution awscloudfront.Distribution
	siteS3Origin awscloudfront.IOrigin // the site bucket through OAC (site.go; widget.go reuses it)
	siteOrigin   string                // https://host of the web client
}

// removal is the removal policy of everything that holds data.
func (b *builder) removal() awscdk.RemovalPolicy {
	if b.props.DestroyData {
		return awscdk.RemovalPolicy_DESTROY
	}
	return awscdk.RemovalPolicy_RETAIN
}

// logRetention is how long every log group keeps its events.
func (b *builder) logRetention() awslogs.RetentionDays {
	return awslogs.RetentionDays_ONE_MONTH
}

// newLogGroup makes a log group with the stack's retention and removal policy.
func (b *builder) newLogGroup(id string) awslogs.LogGroup {
	return awslogs.NewLogGroup(b.stack, jsii.String(id), &awslogs.LogGroupProps{
		Retention:     b.logRetention(),
		RemovalPolicy: b.removal(),
	})
}
