package chatstack

import (
	"encoding/json"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// The HTTP API (issue 16): one API Gateway HTTP API (payload format 2.0)
// in front of one function, functions/httpapi, whose router
// (internal/httpapi) answers incoming webhooks (POST /hooks/{id}/{secret})
// and the bot API (/api/...), and the support widget's visitor sessions
// (/widget/..., widget.go). Proxy routes send everything under those
// prefixes to the function; any other path is API Gateway's own
// 404 and invokes nothing. The routes carry no API Gateway authorizer:
// a webhook's secret is in its URL and a bot's token in its request, both
// checked by the function against their SHA-256 in the table. Idle it
// costs nothing (per request pricing).
const (
	// HTTPAPIThrottleRate and HTTPAPIThrottleBurst throttle the whole
	// stage (every route): integrations post far less than people chat.
	HTTPAPIThrottleRate  = 50
	HTTPAPIThrottleBurst = 100
	// OutputHTTPAPIURL is the stack output of the API's base URL.
	OutputHTTPAPIURL = "HttpApiUrl"
)

// HTTPAPIRoutePaths are the proxy routes (method ANY) to the function.
var HTTPAPIRoutePaths = []string{"/hooks/{proxy+}", "/api/{proxy+}", "/widget/{proxy+}"}

// httpAPIAccessLogFormat is one JSON object per request, never the path
// (a webhook's path holds its secret): the route, the status, the caller.
var httpAPIAccessLogFormat = map[string]string{
	"requestId":        "$context.requestId",
	"ip":               "$context.identity.sourceIp",
	"requestTime":      "$context.requestTime",
	"httpMethod":       "$context.httpMethod",
	"routeKey":         "$context.routeKey",
	"status":           "$context.status",
	"responseLength":   "$context.responseLength",
	"integrationError": "$context.integrationErrorMessage",
	"latency":          "$context.responseLatency",
}

// httpAPIEnv is the function's environment: the connection function's
// (the table, the management API, the fan-out queue, retention).
func (b *builder) httpAPIEnv() map[string]*string {
	return b.connectionEnv()
}

// httpAPI creates the API, its stage and routes, and grants the function
// exactly what the send path does: the table's data calls, posting to and
// deleting gone connections, and big rooms' fan-out jobs on the queue.
func (b *builder) httpAPI() {
	fn := b.fns["httpapi"]
	b.grantTableData(fn)
	b.grantManageConnections(fn)
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sqs:SendMessage"),
		Resources: jsii.Strings(*b.fanoutQueue.QueueArn()),
	}))

	api := awsapigatewayv2.NewHttpApi(b.stack, jsii.String("HttpApi"), &awsapigatewayv2.HttpApiProps{
		ApiName:            jsii.String(*b.stack.StackName() + "-http"),
		Description:        jsii.String("Backchannel HTTP API: incoming webhooks and the bot API"),
		CreateDefaultStage: jsii.Bool(false),
	})
	integration := awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String("HttpApiIntegration"), fn,
		&awsapigatewayv2integrations.HttpLambdaIntegrationProps{PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_2_0()})
	for _, p := range HTTPAPIRoutePaths {
		api.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
			Path:        jsii.String(p),
			Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_ANY},
			Integration: integration,
		})
	}
	stage := awsapigatewayv2.NewHttpStage(b.stack, jsii.String("HttpApiStage"), &awsapigatewayv2.HttpStageProps{
		HttpApi:    api,
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle: &awsapigatewayv2.ThrottleSettings{
			RateLimit:  jsii.Number(HTTPAPIThrottleRate),
			BurstLimit: jsii.Number(HTTPAPIThrottleBurst),
		},
	})
	// Access logs (HTTP APIs write them without the account's CloudWatch
	// role): the L1 property, as the WebSocket stage's.
	logGroup := b.newLogGroup("HttpApiAccessLogs")
	format, err := json.Marshal(httpAPIAccessLogFormat)
	if err != nil {
		panic(err) // a map of strings always marshals
	}
	stage.Node().DefaultChild().(awsapigatewayv2.CfnStage).SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		DestinationArn: logGroup.LogGroupArn(),
		Format:         jsii.String(string(format)),
	})
	suppress(api, "AwsSolutions-APIG4",
		"No API Gateway authorizer: a webhook's secret is in its URL and a bot's token in its Authorization header, both compared by the function in constant time with their SHA-256 in the table (an authorizer would cost a second invocation per request)")
	b.httpAPIURL = *api.ApiEndpoint()
	b.widget(api) // the support widget's routes, keys and CloudFront paths (widget.go)
	// Slash commands' responseUrl (delayed answers) is on this API: the
	// actions function, which runs them, names it in their payload.
	b.fns["actions"].AddEnvironment(jsii.String("HTTP_API_URL"), api.ApiEndpoint(), nil)
	awscdk.NewCfnOutput(b.stack, jsii.String(OutputHTTPAPIURL), &awscdk.CfnOutputProps{
		Description: jsii.String("HTTP API base URL: incoming webhooks POST {url}/hooks/{id}/{secret} (docs/INTEGRATIONS.md)"),
		Value:       api.ApiEndpoint(),
	})
}
