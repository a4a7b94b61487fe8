package chatstack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// The support widget (issue #17; docs/SUPPORT.md). A site embeds
// https://<site>/widget/v1/widget.js; the script calls its own origin's
// /widget/v1/{widgetId}/config|challenge|session, which CloudFront sends
// to the HTTP API (uncached, the viewer's Origin and address forwarded),
// and connects to the WebSocket API with the visitor token.
//
// Keys: no secret of their own (0.40 USD/month each): the authorizer (it
// verifies visitor tokens), the HTTP API (it signs them, checks proofs of
// work and identified visitors) and the actions function (it shows a
// widget's identity secret once) derive theirs with HKDF from the
// digest's DigestKey secret, and may read exactly that secret. Without a
// mail sender (no DigestKey) the widget is off: its routes refuse every
// origin.
const (
	// WidgetScriptPath is the versioned bundle path (v1: the embed
	// snippet's contract; a breaking change ships as v2 beside it).
	WidgetScriptPath = "/widget/v1/widget.js"
	// WidgetAPIPathPattern is the CloudFront path of the session routes.
	WidgetAPIPathPattern = "/widget/*"
	// WidgetScriptMaxAgeSeconds is the browsers' cache of the script
	// (CloudFront keeps it WidgetScriptEdgeTTLDays; a deployment
	// invalidates it).
	WidgetScriptMaxAgeSeconds = 3600
	WidgetScriptEdgeTTLDays   = 365
)

// widgetFunctions read the visitor key.
var widgetFunctions = []string{"authorizer", "httpapi", "actions"}

// widget adds the visitor key's variables and grants, and CloudFront's
// widget behaviours; after httpAPI (it needs the API).
func (b *builder) widget(api awsapigatewayv2.HttpApi) {
	b.fns["httpapi"].AddEnvironment(jsii.String("VISITOR_WS_URL"), jsii.String(b.wsURL), nil)
	if b.digest != nil {
		for _, name := range widgetFunctions {
			fn := b.fns[name]
			fn.AddEnvironment(jsii.String("DIGEST_KEY_SECRET_ARN"), b.digest.key.SecretArn(), nil)
			fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
				Resources: jsii.Strings(*b.digest.key.SecretArn()),
			}))
		}
	}

	// The script: the site bucket, cached long at the edge (a deployment
	// invalidates /*), an hour in browsers, embeddable from any site
	// (Cross-Origin-Resource-Policy cross-origin, unlike the app's pages).
	scriptCache := awscloudfront.NewCachePolicy(b.stack, jsii.String("WidgetScriptCache"), &awscloudfront.CachePolicyProps{
		Comment:                    jsii.String("The support widget's script: long edge cache, invalidated by each deployment"),
		DefaultTtl:                 awscdk.Duration_Days(jsii.Number(WidgetScriptEdgeTTLDays)),
		MaxTtl:                     awscdk.Duration_Days(jsii.Number(WidgetScriptEdgeTTLDays)),
		MinTtl:                     awscdk.Duration_Seconds(jsii.Number(0)),
		EnableAcceptEncodingGzip:   jsii.Bool(true),
		EnableAcceptEncodingBrotli: jsii.Bool(true),
	})
	scriptHeaders := awscloudfront.NewResponseHeadersPolicy(b.stack, jsii.String("WidgetScriptHeaders"), &awscloudfront.ResponseHeadersPolicyProps{
		Comment: jsii.String("The support widget's script: embeddable by any site"),
		SecurityHeadersBehavior: &awscloudfront.ResponseSecurityHeadersBehavior{
			ContentTypeOptions: &awscloudfront.ResponseHeadersContentTypeOptions{Override: jsii.Bool(true)},
			StrictTransportSecurity: &awscloudfront.ResponseHeadersStrictTransportSecurity{
				AccessControlMaxAge: awscdk.Duration_Days(jsii.Number(365)), IncludeSubdomains: jsii.Bool(true), Override: jsii.Bool(true),
			},
		},
		CustomHeadersBehavior: &awscloudfront.ResponseCustomHeadersBehavior{CustomHeaders: &[]*awscloudfront.ResponseCustomHeader{
			{Header: jsii.String("Cache-Control"), Value: jsii.String("public, max-age=3600, stale-while-revalidate=86400"), Override: jsii.Bool(true)},
			{Header: jsii.String("Cross-Origin-Resource-Policy"), Value: jsii.String("cross-origin"), Override: jsii.Bool(true)},
		}},
	})
	b.distribution.AddBehavior(jsii.String(WidgetScriptPath), b.siteS3Origin, &awscloudfront.AddBehaviorOptions{
		ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_HTTPS_ONLY,
		AllowedMethods:        awscloudfront.AllowedMethods_ALLOW_GET_HEAD(),
		CachePolicy:           scriptCache,
		ResponseHeadersPolicy: scriptHeaders,
		Compress:              jsii.Bool(true),
	})

	// The session routes: the HTTP API, never cached; the viewer's Origin
	// (the CORS and origin checks) and address (the per-IP limit) go on.
	forward := awscloudfront.NewOriginRequestPolicy(b.stack, jsii.String("WidgetAPIForward"), &awscloudfront.OriginRequestPolicyProps{
		Comment: jsii.String("The support widget's session routes: Origin, the CORS preflight headers and the viewer's address"),
		HeaderBehavior: awscloudfront.OriginRequestHeaderBehavior_AllowList(jsii.String("Origin"), jsii.String("Content-Type"),
			jsii.String("Access-Control-Request-Method"), jsii.String("Access-Control-Request-Headers"), jsii.String("CloudFront-Viewer-Address")),
		QueryStringBehavior: awscloudfront.OriginRequestQueryStringBehavior_None(),
		CookieBehavior:      awscloudfront.OriginRequestCookieBehavior_None(),
	})
	apiHost := *api.ApiId() + ".execute-api." + *b.stack.Region() + "." + *b.stack.UrlSuffix()
	b.distribution.AddBehavior(jsii.String(WidgetAPIPathPattern), awscloudfrontorigins.NewHttpOrigin(jsii.String(apiHost), &awscloudfrontorigins.HttpOriginProps{
		ProtocolPolicy: awscloudfront.OriginProtocolPolicy_HTTPS_ONLY,
	}), &awscloudfront.AddBehaviorOptions{
		ViewerProtocolPolicy: awscloudfront.ViewerProtocolPolicy_HTTPS_ONLY,
		AllowedMethods:       awscloudfront.AllowedMethods_ALLOW_ALL(),
		CachePolicy:          awscloudfront.CachePolicy_CACHING_DISABLED(),
		OriginRequestPolicy:  forward,
		Compress:             jsii.Bool(true),
	})
}
