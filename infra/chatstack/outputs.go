package chatstack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// Output names (stack outputs; `cdk deploy --outputs-file` writes them).
const (
	OutputSiteURL        = "SiteUrl"
	OutputWebSocketURL   = "WebSocketUrl"
	OutputUserPoolID     = "UserPoolId"
	OutputUserPoolClient = "UserPoolClientId"
	OutputTableName      = "TableName"
	OutputFilesBucket    = "FilesBucketName"
	OutputEventBusName   = "EventBusName"
	OutputEventBusArn    = "EventBusArn"
)

func (b *builder) outputs() {
	out := func(id, description string, value *string) {
		awscdk.NewCfnOutput(b.stack, jsii.String(id), &awscdk.CfnOutputProps{Description: jsii.String(description), Value: value})
	}
	out(OutputSiteURL, "Web client URL", jsii.String(b.siteOrigin+"/"))
	out(OutputWebSocketURL, "WebSocket URL (append ?token=<Cognito ID token>)", jsii.String(b.wsURL))
	out(OutputUserPoolID, "Cognito user pool id", b.pool.UserPoolId())
	out(OutputUserPoolClient, "Cognito app client id of the web client", b.client.UserPoolClientId())
	out(OutputTableName, "DynamoDB table", b.table.TableName())
	out(OutputFilesBucket, "S3 bucket of uploaded files", b.filesBucket.BucketName())
	out("WebSocketCallbackUrl", "Management API base URL (WS_CALLBACK_URL)", b.stage.CallbackUrl())
	out("DistributionId", "CloudFront distribution id", b.distribution.DistributionId())
	out("DistributionDomainName", "CloudFront domain (CNAME target for a custom site domain)", b.distribution.DistributionDomainName())
	out(OutputEventBusName, "EventBridge bus of the chat events (source "+EventSource+"): add rules here", b.bus.EventBusName())
	out(OutputEventBusArn, "EventBridge bus ARN of the chat events", b.bus.EventBusArn())
	if b.archive != nil {
		out("EventArchiveName", "Archive of the chat events (replay with StartReplay)", b.archive.ArchiveName())
	}
	if b.cognitoLogin != "" {
		out("CognitoDomain", "Cognito hosted domain", jsii.String(b.cognitoLogin))
	}
}
