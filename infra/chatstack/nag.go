package chatstack

import (
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// suppressions records, next to the code, every cdk-nag AwsSolutions finding
// the design accepts and why. Each is scoped to the construct it is about;
// IAM5 suppressions also name the exact wildcard they accept.
func (b *builder) suppressions() {
	for key, route := range b.routesByKey() {
		if key == "$connect" {
			continue
		}
		suppress(route, "AwsSolutions-APIG4",
			"WebSocket APIs authorize only on $connect (the only route a Lambda authorizer can guard); every later frame runs with the identity the authorizer stored for the connection")
	}

	if b.props.MFA != MFARequired {
		suppress(b.pool, "AwsSolutions-COG2",
			"MFA is the deployment's choice (context mfa=off|optional|required, TOTP only: SMS costs money); passwords are long (12+) and complex")
	}
	suppress(b.pool, "AwsSolutions-COG3",
		"Threat protection (AdvancedSecurityMode ENFORCED) needs the paid Plus feature plan; the stack is designed to cost nothing while idle")

	suppress(b.logBucket, "AwsSolutions-S1",
		"This is the access-log bucket itself; logging it to itself would loop")

	suppress(b.distribution, "AwsSolutions-CFR1",
		"No geo restriction: the team decides who signs up, not where they are")
	suppress(b.distribution, "AwsSolutions-CFR2",
		"No WAF web ACL: it costs a monthly fee while idle; the site is static and the API authenticates every connection")
	if b.props.SiteDomain == "" {
		suppress(b.distribution, "AwsSolutions-CFR4",
			"Without a custom domain CloudFront serves its default *.cloudfront.net certificate, whose TLS policy cannot be chosen; with siteDomain the distribution requires TLSv1.2_2021")
	}

	// Function roles: the wildcards CDK's grants produce, each named.
	for _, name := range []string{"connection", "actions", "scheduled", "httpapi"} {
		suppress(b.fns[name].Role(), "AwsSolutions-IAM5",
			"PostToConnection (POST) and DeleteConnection (DELETE) to any connection id of this stage: connection ids are only known at run time",
			arnMatching("execute-api", "<"+b.logicalID(b.api)+">/"+b.props.StageName+"/POST/@connections/*"),
			arnMatching("execute-api", "<"+b.logicalID(b.api)+">/"+b.props.StageName+"/DELETE/@connections/*"),
		)
	}
	suppress(b.fns["actions"].Role(), "AwsSolutions-IAM5",
		"Presigned uploads and downloads are signed for object keys made per request under rooms/ (and their thumbnails under thumbs/) and avatars/ (profile pictures)",
		filesObjectsMatching(chat.FilesPrefix+"*"), filesObjectsMatching(chat.ThumbsPrefix+"*"), filesObjectsMatching(chat.AvatarsPrefix+"*"))
	suppress(b.fns["thumbnail"].Role(), "AwsSolutions-IAM5",
		"The thumbnail function reads any new original under rooms/ and writes its thumbnail under thumbs/",
		filesObjectsMatching(chat.FilesPrefix+"*"), filesObjectsMatching(chat.ThumbsPrefix+"*"))
	suppress(b.fns["stream"].Role(), "AwsSolutions-IAM5",
		"dynamodb:ListStreams supports no resource-level permissions (Resource must be *); Lambda's event source mapping needs it beside DescribeStream/GetRecords/GetShardIterator, which are granted on the table's stream ARN only",
		"Resource::*")
	suppress(b.fns["stream"].Role(), "AwsSolutions-IAM5",
		"The file sweeper deletes the files of deleted messages: originals under rooms/ and their thumbnails under thumbs/, keys known only at run time",
		filesObjectsMatching(chat.FilesPrefix+"*"), filesObjectsMatching(chat.ThumbsPrefix+"*"))
	suppress(b.streamFailures, "AwsSolutions-SQS3",
		"This queue is itself a dead-letter queue: the on-failure destination of the table stream's event source mapping (cdk-nag only recognises DLQs named in another queue's redrive policy)")
	b.fanoutSuppressions()
	b.pushSuppressions()
	b.unfurlSuppressions()
	b.supportBotSuppressions()
	b.outHookSuppressions()
	b.exportSuppressions()
	b.erasureSuppressions()
	suppress(b.thumbnailFailures, "AwsSolutions-SQS3",
		"This queue is itself a dead-letter queue: the on-failure destination of the thumbnail function's asynchronous invocations")
	if b.props.Tracing {
		for _, name := range b.deployedFunctions() {
			suppress(b.fns[name].Role(), "AwsSolutions-IAM5",
				"X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions",
				"Resource::*")
		}
	}
	if role := b.stack.Node().TryFindChild(jsii.String("ApiGatewayCloudWatchRole")); role != nil {
		suppress(role, "AwsSolutions-IAM5",
			"API Gateway's logging role writes log streams it names at run time, in this API's access and execution log groups only; DescribeLogGroups has no per-group resource",
			arnMatching("logs", "log-group:*"),
			&cdknag.RegexAppliesTo{Regex: jsii.String("/^Resource::arn:" + partitionPattern + ":logs:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|[0-9]{12}):log-group:(<" + b.logicalID(b.apiAccessLog) + ">|API-Gateway-Execution-Logs_<" + b.logicalID(b.api) + ">/" + regexp.QuoteMeta(b.props.StageName) + "):\\*$/")})
	}

	b.serverlessSuppressions()
	b.digestSuppressions()
	b.scheduledSuppressions()

	// BucketDeployment's handler: CDK's code and role, not ours.
	for _, child := range *b.stack.Node().Children() {
		id := *child.Node().Id()
		if strings.HasPrefix(id, "Custom::CDKBucketDeployment") || strings.HasPrefix(id, "Custom::S3AutoDeleteObjects") {
			suppress(child, "Serverless-LambdaDLQ",
				"CDK's custom-resource handler: CloudFormation invokes it and reports its failure as the deployment's")
			suppress(child, "Serverless-LambdaLatestVersion",
				"CDK's custom-resource handler: its runtime is chosen by the CDK version")
			suppress(child, "Serverless-LambdaDefaultMemorySize",
				"CDK's custom-resource handler: its memory is chosen by CDK")
			suppress(child, "Serverless-LambdaTracing",
				"CDK's custom-resource handler runs at deploy time only")
		}
		if !strings.HasPrefix(id, "Custom::CDKBucketDeployment") {
			continue
		}
		suppress(child, "AwsSolutions-IAM4",
			"CDK's BucketDeployment handler: CDK attaches the basic execution role to it",
			"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
		suppress(child, "AwsSolutions-IAM5",
			"CDK's BucketDeployment handler: reads the staged asset from the CDK asset bucket, syncs the site bucket, invalidates the distribution (CloudFront invalidations have no resource-level permissions)",
			"Action::s3:GetBucket*", "Action::s3:GetObject*", "Action::s3:List*", "Action::s3:Abort*", "Action::s3:DeleteObject*",
			"Resource::<"+b.logicalID(b.siteBucket)+".Arn>/*", "Resource::*",
			&cdknag.RegexAppliesTo{Regex: jsii.String("/^Resource::arn:" + partitionPattern + ":s3:::cdk-[a-z0-9]+-assets-[^/]+\\/\\*$/")})
		suppress(child, "AwsSolutions-L1",
			"CDK's BucketDeployment handler: its Python runtime is chosen by the CDK version")
	}
}

// serverlessSuppressions: the findings of cdk-nag's ServerlessChecks pack
// (run by infra/nag over the synthesized templates) the design accepts.
func (b *builder) serverlessSuppressions() {
	for _, name := range []string{"authorizer", "connection", "actions", "httpapi"} {
		suppress(b.fns[name], "Serverless-LambdaDLQ",
			"Invoked synchronously by API Gateway (the $connect authorizer and the routes): the caller gets the error; a dead-letter queue applies to asynchronous invocations only")
	}
	suppress(b.fns["stream"], "Serverless-LambdaDLQ",
		"Invoked by the table stream's event source mapping, whose failed batches go to its on-failure destination (StreamFailureQueue, alarmed); a function DLQ applies to asynchronous invocations only")
	suppress(b.fns["thumbnail"], "Serverless-LambdaDLQ",
		"S3 invokes it asynchronously and its failures go to an on-failure destination (ThumbnailFailureQueue, alarmed), which records the error with the event; a DeadLetterConfig on top would duplicate it")
	for _, queue := range []constructs.IConstruct{b.streamFailures, b.thumbnailFailures} {
		suppress(queue, "Serverless-SQSRedrivePolicy",
			"This queue is itself the failure destination; nothing consumes it automatically (an operator inspects and replays it), so there is nothing to redrive")
	}
	if fn, ok := b.fns["reviewhook"]; ok {
		suppress(fn, "Serverless-LambdaDLQ",
			"The actions and scheduled functions invoke the review hook synchronously (RequestResponse) and apply the failure policy themselves; a dead-letter queue applies to asynchronous invocations only")
	}
	if fn, ok := b.fns["presignup"]; ok {
		suppress(fn, "Serverless-LambdaDLQ",
			"Cognito invokes the PreSignUp trigger synchronously and refuses the sign-up when it fails; a dead-letter queue applies to asynchronous invocations only")
	}
	if !b.props.Tracing {
		for _, name := range b.deployedFunctions() {
			suppress(b.fns[name], "Serverless-LambdaTracing",
				"X-Ray tracing is billed per trace: on with -c tracing=true")
		}
	}
}

// suppress adds one suppression on construct and its children (an L2's
// finding is reported on its L1 child); appliesTo narrows it to the named
// findings (IAM5 wildcards).
func suppress(construct constructs.IConstruct, rule, reason string, appliesTo ...any) {
	s := &cdknag.NagPackSuppression{Id: jsii.String(rule), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		s.AppliesTo = &appliesTo
	}
	cdknag.NagSuppressions_AddResourceSuppressions(construct, &[]*cdknag.NagPackSuppression{s}, jsii.Bool(true))
}

// arnMatching accepts the IAM5 finding of an ARN of this stack's account
// and region (literal when the stack has an environment, pseudo parameters
// when not) ending in resource, which is taken literally.
func arnMatching(service, resource string) *cdknag.RegexAppliesTo {
	pattern := "^Resource::arn:" + partitionPattern + ":" + service + ":(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|[0-9]{12}):" + regexp.QuoteMeta(resource) + "$"
	return &cdknag.RegexAppliesTo{Regex: jsii.String("/" + pattern + "/")}
}

// filesObjectsMatching accepts the IAM5 finding of the files bucket's
// objects under a prefix; the bucket's ARN is built from its name
// expression (see storage.go), which cdk-nag prints unresolved.
func filesObjectsMatching(pattern string) *cdknag.RegexAppliesTo {
	return &cdknag.RegexAppliesTo{Regex: jsii.String("/^Resource::arn:" + partitionPattern + ":s3:::[a-z0-9-]+-files-.+/" + regexp.QuoteMeta(pattern) + "$/")}
}

// partitionPattern is how cdk-nag prints an ARN's partition: literal when
// the stack's region is known, the pseudo parameter when not.
const partitionPattern = "(<AWS::Partition>|aws[a-z-]*)"

// logicalID is the CloudFormation logical id of an L2 construct's resource.
func (b *builder) logicalID(c constructs.IConstruct) string {
	return *b.stack.GetLogicalId(c.Node().DefaultChild().(awscdk.CfnElement))
}

// routesByKey finds the API's route constructs by route key.
func (b *builder) routesByKey() map[string]constructs.IConstruct {
	routes := map[string]constructs.IConstruct{}
	for _, child := range *b.api.Node().Children() {
		id := *child.Node().Id()
		if key, ok := strings.CutSuffix(id, "-Route"); ok {
			routes[key] = child
		}
	}
	return routes
}
