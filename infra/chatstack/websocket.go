package chatstack

import (
	"encoding/json"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
)

// TokenIdentitySource is where the $connect authorizer reads the Cognito ID
// token. Browsers cannot set headers on a WebSocket, so the token travels as
// the `token` query parameter; API Gateway then rejects (401) any $connect
// without it before the authorizer runs.
const TokenIdentitySource = "route.request.querystring.token"

// RouteSelectionExpression picks the route from the frame's "action" field.
const RouteSelectionExpression = "$request.body.action"

// accessLogFormat is one JSON object per connect, message and disconnect.
var accessLogFormat = map[string]string{
	"requestId":         "$context.requestId",
	"extendedId":        "$context.extendedRequestId",
	"requestTime":       "$context.requestTimeEpoch",
	"ip":                "$context.identity.sourceIp",
	"connectionId":      "$context.connectionId",
	"eventType":         "$context.eventType",
	"routeKey":          "$context.routeKey",
	"messageId":         "$context.messageId",
	"status":            "$context.status",
	"userId":            "$context.authorizer.userId",
	"authorizerError":   "$context.authorizer.error",
	"error":             "$context.error.message",
	"integrationError":  "$context.integration.error",
	"integrationStatus": "$context.integration.status",
	"latencyMs":         "$context.integration.latency",
}

// webSocketAPI creates the API and its stage. Routes are added by routes()
// once the functions exist (the functions need the stage's callback URL).
func (b *builder) webSocketAPI() {
	b.api = awsapigatewayv2.NewWebSocketApi(b.stack, jsii.String("WebSocketApi"), &awsapigatewayv2.WebSocketApiProps{
		ApiName:                  jsii.String(*b.stack.StackName() + "-ws"),
		Description:              jsii.String("Backchannel chat WebSocket API"),
		RouteSelectionExpression: jsii.String(RouteSelectionExpression),
	})

	stageProps := &awsapigatewayv2.WebSocketStageProps{
		WebSocketApi: b.api,
		StageName:    jsii.String(b.props.StageName),
		AutoDeploy:   jsii.Bool(true),
		Throttle: &awsapigatewayv2.ThrottleSettings{
			RateLimit:  jsii.Number(b.props.ThrottleRate),
			BurstLimit: jsii.Number(b.props.ThrottleBurst),
		},
	}
	if b.props.APIDomain != "" {
		domain := awsapigatewayv2.NewDomainName(b.stack, jsii.String("ApiDomainName"), &awsapigatewayv2.DomainNameProps{
			DomainName:  jsii.String(b.props.APIDomain),
			Certificate: awscertificatemanager.Certificate_FromCertificateArn(b.stack, jsii.String("ApiCertificate"), jsii.String(b.props.APICertificateArn)),
		})
		stageProps.DomainMapping = &awsapigatewayv2.DomainMappingOptions{DomainName: domain}
		b.wsURL = "wss://" + b.props.APIDomain
		awscdk.NewCfnOutput(b.stack, jsii.String("ApiDomainTarget"), &awscdk.CfnOutputProps{
			Description: jsii.String("CNAME/alias target for " + b.props.APIDomain),
			Value:       domain.RegionalDomainName(),
		})
	}
	b.stage = awsapigatewayv2.NewWebSocketStage(b.stack, jsii.String("Stage"), stageProps)
	if b.wsURL == "" {
		b.wsURL = *b.stage.Url()
	}
	b.accessLogging()
}

// accessLogging sends the stage's access logs to a log group. The L2 stage
// takes an IAccessLogSettings interface; the L1 property is simpler.
func (b *builder) accessLogging() {
	b.apiAccessLog = b.newLogGroup("ApiAccessLogs")
	format, err := json.Marshal(accessLogFormat)
	if err != nil {
		panic(err) // a map of strings always marshals
	}
	cfnStage := b.stage.Node().DefaultChild().(awsapigatewayv2.CfnStage)
	cfnStage.SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		// The log group's ARN as API Gateway documents it: without the ":*"
		// suffix of the LogGroup's Arn attribute.
		DestinationArn: b.stack.FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("logs"),
			Resource:     jsii.String("log-group"),
			ResourceName: b.apiAccessLog.LogGroupName(),
			ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
		}),
		Format: jsii.String(string(format)),
	})
	if !b.props.APIGatewayLogRoleExists {
		cfnStage.AddDependency(b.apiGatewayAccountRole())
	}
}

// apiGatewayAccountRole sets the region-wide role API Gateway uses to write
// WebSocket and REST logs (account settings); without it a stage with
// access logging fails to create. Role and setting are retained when the
// stack goes. The role reaches only this API's log groups: its access log
// group and the execution log groups API Gateway names after the API. An
// account whose other APIs log through API Gateway keeps a role of its own
// (apiGatewayLogRoleExists=true).
func (b *builder) apiGatewayAccountRole() awsapigateway.CfnAccount {
	logGroup := func(name *string) *string {
		return b.stack.FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("logs"),
			Resource:     jsii.String("log-group"),
			ResourceName: name,
			ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})
	}
	accessLogs := logGroup(b.apiAccessLog.LogGroupName())
	executionLogs := logGroup(awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String("API-Gateway-Execution-Logs_"), b.api.ApiId(), jsii.String("/" + b.props.StageName),
	}))
	role := awsiam.NewRole(b.stack, jsii.String("ApiGatewayCloudWatchRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("apigateway.amazonaws.com"), nil),
		Description: jsii.String("API Gateway account setting: write this API's logs to CloudWatch Logs"),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"WriteApiLogs": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{
					// The actions of AmazonAPIGatewayPushToCloudWatchLogs, on this
					// API's log groups and their streams only.
					awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
						Actions: jsii.Strings(
							"logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams",
							"logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents",
						),
						Resources: &[]*string{accessLogs, jsii.String(*accessLogs + ":*"), executionLogs, jsii.String(*executionLogs + ":*")},
					}),
					// DescribeLogGroups lists: it has no per-group resource.
					awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
						Actions:   jsii.Strings("logs:DescribeLogGroups"),
						Resources: &[]*string{logGroup(jsii.String("*"))},
					}),
				},
			}),
		},
	})
	role.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN)
	account := awsapigateway.NewCfnAccount(b.stack, jsii.String("ApiGatewayAccount"), &awsapigateway.CfnAccountProps{
		CloudWatchRoleArn: role.RoleArn(),
	})
	account.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	return account
}

// routes wires $connect (behind the authorizer), $disconnect and $default.
// $default serves every protocol action (the actions function dispatches
// on the frame's "action" through the action table) and returns the
// handler's body to the caller (route response), which is how replies reach
// the requester. There is no route per action: they all had the same
// integration and settings, and two resources per action (route and route
// response) took the stack past CloudFormation's 500 resources and toward
// API Gateway's 300 routes per API as the table grew.
func (b *builder) routes() {
	authorizer := awsapigatewayv2authorizers.NewWebSocketLambdaAuthorizer(jsii.String("TokenAuthorizer"), b.fns["authorizer"],
		&awsapigatewayv2authorizers.WebSocketLambdaAuthorizerProps{
			AuthorizerName: jsii.String("cognito-token"),
			IdentitySource: jsii.Strings(TokenIdentitySource),
		})
	connection := awsapigatewayv2integrations.NewWebSocketLambdaIntegration(jsii.String("ConnectionIntegration"), b.fns["connection"], nil)
	actions := awsapigatewayv2integrations.NewWebSocketLambdaIntegration(jsii.String("ActionsIntegration"), b.fns["actions"], nil)

	connect := b.api.AddRoute(jsii.String("$connect"), &awsapigatewayv2.WebSocketRouteOptions{Integration: connection, Authorizer: authorizer})
	// $connect is throttled below the stage default: each attempt runs the
	// authorizer and the connection function (a profile read, a batch
	// write). The route must exist before the stage names it.
	cfnStage := b.stage.Node().DefaultChild().(awsapigatewayv2.CfnStage)
	cfnStage.SetRouteSettings(map[string]any{
		"$connect": map[string]any{
			"ThrottlingRateLimit":  b.props.ConnectThrottleRate,
			"ThrottlingBurstLimit": b.props.ConnectThrottleBurst,
		},
	})
	cfnStage.AddDependency(connect.Node().DefaultChild().(awscdk.CfnResource))
	b.api.AddRoute(jsii.String("$disconnect"), &awsapigatewayv2.WebSocketRouteOptions{Integration: connection})
	b.api.AddRoute(jsii.String("$default"), &awsapigatewayv2.WebSocketRouteOptions{Integration: actions, ReturnResponse: jsii.Bool(true)})

	// A WebSocketLambdaIntegration shared by several routes grants invoke
	// only for the first route it is bound to. One permission per function
	// for every route of this stage covers them all.
	for _, name := range []string{"connection", "actions"} {
		b.fns[name].AddPermission(jsii.String("InvokeFromStage"), &awslambda.Permission{
			Principal: awsiam.NewServicePrincipal(jsii.String("apigateway.amazonaws.com"), nil),
			SourceArn: b.stack.FormatArn(&awscdk.ArnComponents{
				Service:      jsii.String("execute-api"),
				Resource:     b.api.ApiId(),
				ResourceName: jsii.String(b.props.StageName + "/*"),
			}),
		})
	}
}
