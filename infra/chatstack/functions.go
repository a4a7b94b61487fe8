package chatstack

import (
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

// functionSpec describes one Go Lambda (functions/<name>).
type functionSpec struct {
	name        string
	memoryMB    float64
	timeout     float64 // seconds
	description string
	env         func(*builder) map[string]*string
}

// functionSpecs are the deployed functions. A new function is one entry
// here (with its environment), its grants in grants() and its trigger.
var functionSpecs = []functionSpec{
	{"authorizer", 128, 10, "$connect authorizer: verifies the Cognito ID token", (*builder).authorizerEnv},
	// Memory from the fan-out's measured CPU per post: see fanout.go.
	{"connection", ConnectionMemoryMB, 10, "$connect and $disconnect: records and removes connections", (*builder).connectionEnv},
	{"actions", ActionsMemoryMB, 29, "Every action, through $default (29 s is API Gateway's integration limit)", (*builder).actionsEnv},
	// Decoding a large photo needs memory, and more memory is more CPU.
	{"thumbnail", 1024, 60, "Makes the thumbnail of each image uploaded to the files bucket", (*builder).thumbnailEnv},
	{"stream", 256, 30, "Turns the table's stream into chat events on the EventBridge bus", (*builder).streamEnv},
	{"fanout", FanoutWorkerMemoryMB, FanoutWorkerTimeoutSeconds, "Posts the fan-out jobs of big rooms from the fan-out queue", (*builder).fanoutEnv},
	{"pushsender", 256, PushSenderTimeoutSeconds, "Sends the Web Push jobs of the push queue to people's devices", (*builder).pushSenderEnv},
	{"unfurl", 256, UnfurlTimeoutSeconds, "Link previews: fetches the links of the unfurl queue's messages safely and stores their previews", (*builder).unfurlEnv},
	{"export", ExportMemoryMB, ExportTimeoutSeconds, "Export my data: writes one person's archive from the export queue to the files bucket and tells them", (*builder).exportEnv},
	{"erasure", 256, ErasureTimeoutSeconds, "Account deletion: erases a deleted person's account, files and data, a pass at a time, from the erasure queue", (*builder).erasureEnv},
	{"vapidkeys", 128, 30, "Custom resource: generates the Web Push VAPID key pair into its secret once, at deploy time", (*builder).vapidKeysEnv},
	// Only with signUp=domains (see functions()).
	{"presignup", 128, 5, "PreSignUp trigger: self sign-up only for the listed email domains", (*builder).preSignUpEnv},
	// EventBridge Scheduler's target at a scheduled message's or reminder's time (scheduled.go).
	{"scheduled", 256, 30, "Delivers scheduled messages and fires reminders at their time: EventBridge Scheduler's target", (*builder).scheduledEnv},
	// Only with mailFrom or mailDomain (digest.go).
	{"digest", 256, 60, "Email for what was missed: EventBridge Scheduler's target, sends one digest through SES", (*builder).digestEnv},
	// The HTTP API: incoming webhooks and the bot API (httpapi.go).
	{"httpapi", 256, 10, "The HTTP API: incoming webhooks and the bot API, behind an API Gateway HTTP API", (*builder).httpAPIEnv},
	// Outgoing webhooks: the chat bus's rule on message.created (outhooks.go).
	{"outhooks", 256, OutHooksTimeoutSeconds, "Outgoing webhooks: posts each new message, signed, to its room's webhooks (EventBridge rule target)", (*builder).outHookEnv},
	// Customer support's FAQ bot: the chat bus's rule on visitors' messages (supporthours.go).
	{"supportbot", 256, SupportBotTimeoutSeconds, "Customer support's FAQ bot: answers visitors' messages from the widget's FAQ or hands over (EventBridge rule target)", (*builder).supportBotEnv},
	{"unsubscribe", 128, 10, "The digest emails' one-click unsubscribe (a Lambda function URL)", (*builder).unsubscribeEnv},
	// Only with reviewHook=example (review.go): the senders invoke it synchronously.
	{"reviewhook", 128, 3, "Example message review hook: masks e-mail addresses and card numbers in messages before they are stored", (*builder).reviewHookEnv},
}

// FunctionNames lists the functions the stack deploys.
func FunctionNames() []string {
	names := make([]string, len(functionSpecs))
	for i, s := range functionSpecs {
		names[i] = s.name
	}
	return names
}

// deployedFunctions lists the functions this configuration deploys, in
// FunctionNames order (presignup only with signUp=domains).
func (b *builder) deployedFunctions() []string {
	var out []string
	for _, name := range FunctionNames() {
		if _, ok := b.fns[name]; ok {
			out = append(out, name)
		}
	}
	return out
}

// functions creates every function with its own role and log group, then
// grants each exactly what its code does.
func (b *builder) functions() {
	tracing := awslambda.Tracing_DISABLED
	if b.props.Tracing {
		tracing = awslambda.Tracing_ACTIVE
	}
	b.fns = map[string]awslambda.Function{}
	for _, spec := range functionSpecs {
		if spec.name == "presignup" && b.props.SignUp != SignUpDomains {
			continue
		}
		if (spec.name == "digest" || spec.name == "unsubscribe") && !b.props.DigestEnabled() {
			continue
		}
		if spec.name == "reviewhook" && b.props.ReviewHook != ReviewHookExample {
			continue
		}
		path, err := FunctionAssetPath(b.props.AssetDir, spec.name)
		if err != nil {
			panic(err) // Validate checked every asset before the build started
		}
		id := titleCase(spec.name)
		logGroup := b.newLogGroup(id + "Logs")
		// An explicit role instead of CDK's default, which attaches the
		// managed AWSLambdaBasicExecutionRole (logs on every log group).
		role := awsiam.NewRole(b.stack, jsii.String(id+"Role"), &awsiam.RoleProps{
			AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
			Description: jsii.String("Execution role of the " + spec.name + " function"),
		})
		logGroup.GrantWrite(role)
		b.fns[spec.name] = awslambda.NewFunction(b.stack, jsii.String(id+"Function"), &awslambda.FunctionProps{
			Description:  jsii.String(spec.description),
			Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
			Architecture: awslambda.Architecture_ARM_64(),
			Handler:      jsii.String("bootstrap"),
			Code:         awslambda.Code_FromAsset(jsii.String(path), nil),
			MemorySize:   jsii.Number(spec.memoryMB),
			Timeout:      awscdk.Duration_Seconds(jsii.Number(spec.timeout)),
			Role:         role,
			LogGroup:     logGroup,
			Environment:  ptr(spec.env(b)),
			Tracing:      tracing,
		})
	}
	b.grants()
}

// reviewHookEnv: the example hook reads LOG_LEVEL only.
func (b *builder) reviewHookEnv() map[string]*string {
	return map[string]*string{"LOG_LEVEL": jsii.String(b.props.LogLevel)}
}

// Each function gets exactly the variables its code reads (the table in
// internal/app/env.go), so its configuration shows what it can touch.

func (b *builder) authorizerEnv() map[string]*string {
	return map[string]*string{
		"COGNITO_ISSUER":    jsii.String(b.cognitoIssuer()),
		"COGNITO_CLIENT_ID": b.client.UserPoolClientId(),
		"LOG_LEVEL":         jsii.String(b.props.LogLevel),
	}
}

// connectionEnv: the table, the management API and where big fan-outs go
// (the connection function fans presence out too).
func (b *builder) connectionEnv() map[string]*string {
	env := map[string]*string{
		"TABLE_NAME":      b.table.TableName(),
		"WS_CALLBACK_URL": b.stage.CallbackUrl(),
		"LOG_LEVEL":       jsii.String(b.props.LogLevel),
	}
	for k, v := range b.fanoutSenderEnv() {
		env[k] = v
	}
	if d := int(b.props.AuditRetentionDays); d > 0 {
		env["AUDIT_RETENTION_DAYS"] = jsii.String(strconv.Itoa(d)) // the audit log's retention
	}
	for k, v := range b.retentionEnv() {
		env[k] = v
	}
	if n := int(b.props.E2EEMaxMembers); n > 0 {
		env["E2EE_MAX_MEMBERS"] = jsii.String(strconv.Itoa(n)) // the largest encrypted private channel
	}
	return env
}

// retentionEnv: the workspace's default message retention (issue 15),
// when the deployment sets one.
func (b *builder) retentionEnv() map[string]*string {
	if d := int(b.props.RetentionDays); d > 0 {
		return map[string]*string{"RETENTION_DAYS": jsii.String(strconv.Itoa(d))}
	}
	return nil
}

func (b *builder) actionsEnv() map[string]*string {
	env := b.connectionEnv()
	env["FILES_BUCKET"] = b.filesBucket.BucketName()
	env["USER_POOL_ID"] = b.pool.UserPoolId() // the admin console
	if v := b.props.Legal.Version; v != "" {
		env["TERMS_VERSION"] = jsii.String(v) // the terms everybody must accept
	}
	return env
}

func (b *builder) preSignUpEnv() map[string]*string {
	return map[string]*string{
		"SIGNUP_DOMAINS": jsii.String(b.props.SignUpDomains),
		"LOG_LEVEL":      jsii.String(b.props.LogLevel),
	}
}

// peopleActions are exactly the user pool calls internal/cognitoadmin
// makes for the admin console (the actions function).
var peopleActions = []string{
	"cognito-idp:ListUsers",
	"cognito-idp:ListUsersInGroup",
	"cognito-idp:AdminGetUser",
	"cognito-idp:AdminListGroupsForUser",
	"cognito-idp:AdminCreateUser",
	"cognito-idp:AdminAddUserToGroup",
	"cognito-idp:AdminRemoveUserFromGroup",
	"cognito-idp:AdminDisableUser",
	"cognito-idp:AdminEnableUser",
	"cognito-idp:AdminUserGlobalSignOut",
}

func ptr[T any](v T) *T { return &v }

// grants: the authorizer gets nothing beyond its logs (it only fetches the
// pool's public JWKS over HTTPS).
func (b *builder) grants() {
	conn, actions := b.fns["connection"], b.fns["actions"]

	b.grantTableData(conn)
	b.grantManageConnections(conn) // presence fan-out and 410 cleanup

	b.grantTableData(actions)
	b.grantManageConnections(actions)
	actions.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(peopleActions...),
		Resources: jsii.Strings(*b.pool.UserPoolArn()),
	}))
	if fn, ok := b.fns["presignup"]; ok {
		// Cognito invokes it; the pool grants itself the permission.
		b.pool.AddTrigger(awscognito.UserPoolOperation_PRE_SIGN_UP(), fn, awscognito.LambdaVersion_V1_0)
	}
	// A presigned URL carries the signer's permissions: the actions function
	// presigns uploads (PUT) under rooms/ and avatars/ and downloads (GET)
	// of originals, thumbnails and profile pictures, and reads them itself
	// (HeadObject, ranged GetObject) to check an attachment or a picture.
	// Uploads are signed with the pending tag (s3:PutObjectTagging for the
	// x-amz-tagging header), which the function takes off when a file is
	// sent or made a picture and puts back on a replaced picture (issue 15).
	actions.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObjectTagging"),
		Resources: jsii.Strings(b.filesObjects(chat.FilesPrefix+"*"), b.filesObjects(chat.AvatarsPrefix+"*")),
	}))
	// Pinned uploads: an attachment is served by the version checked at
	// send, a profile picture by the version checked when it was set
	// (HeadObject and a presigned GET with versionId need
	// GetObjectVersion), originals and pictures only.
	actions.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:GetObjectVersion"),
		Resources: jsii.Strings(b.filesObjects(chat.FilesPrefix+"*"), b.filesObjects(chat.AvatarsPrefix+"*")),
	}))
	actions.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:DeleteObjectTagging"), // a sent file's thumbnail is kept too
		Resources: jsii.Strings(b.filesObjects(chat.ThumbsPrefix + "*")),
	}))
	actions.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("s3:GetObject"),
		Resources: jsii.Strings(b.filesObjects(chat.FilesPrefix+"*"), b.filesObjects(chat.ThumbsPrefix+"*"),
			b.filesObjects(chat.AvatarsPrefix+"*")),
	}))
	// Without ListBucket, HeadObject of a missing key (a thumbnail not made
	// yet) answers 403 instead of 404.
	actions.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:ListBucket"),
		Resources: jsii.Strings(b.filesBucketArn()),
	}))

	b.thumbnailGrantsAndTrigger()
	b.streamGrantsAndMapping()
	b.fanoutGrantsAndMapping()
	b.pushGrantsAndMapping()
	b.unfurlGrantsAndMapping()
	b.exportGrantsAndMapping()
	b.erasureGrantsAndMapping()
	b.digestGrants()
	b.supportMailGrants() // after digestGrants: it needs the digest's key
	b.supportBotGrantsAndRule()
	b.scheduledGrants()
	b.outHookGrantsAndRule()
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// tableDataActions are exactly the calls internal/dynamo makes at run time
// (transactions need the per-item actions they are made of). No Scan: no
// operation scans, and IAM holds the code to it. No stream reads.
var tableDataActions = []string{
	"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
	"dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem",
}

// grantTableData is GrantReadWriteData narrowed to tableDataActions, on the
// table and its one index (gsi1, the only index the store queries).
func (b *builder) grantTableData(fn awslambda.Function) {
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(tableDataActions...),
		Resources: jsii.Strings(*b.table.TableArn(), *b.table.TableArn()+"/index/"+dynamo.IndexGSI1),
	}))
}

// ManagementMethods are the @connections calls the functions make:
// PostToConnection (POST) and DeleteConnection (DELETE), never
// GetConnection.
var ManagementMethods = []string{"POST", "DELETE"}

// grantManageConnections is the stage's GrantManagementApiAccess narrowed
// to ManagementMethods.
func (b *builder) grantManageConnections(fn awslambda.Function) {
	var resources []*string
	for _, method := range ManagementMethods {
		resources = append(resources, b.stack.FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("execute-api"),
			Resource:     b.api.ApiId(),
			ResourceName: jsii.String(b.props.StageName + "/" + method + "/@connections/*"),
		}))
	}
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("execute-api:ManageConnections"),
		Resources: &resources,
	}))
}
