package chatstack

import (
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3deployment"
	"github.com/aws/jsii-runtime-go"
)

// Presigned uploads send these request headers; x-amz-* covers the SDK's
// checksum and metadata headers.
var filesCORSHeaders = []string{"Content-Type", "Content-Disposition", "Cache-Control", "x-amz-*"}

// distribution serves the web client from the private site bucket through
// Origin Access Control, with the security headers, then allows the site's
// origin (and only it) to use the files bucket from the browser.
func (b *builder) siteDistribution() {
	b.siteS3Origin = awscloudfrontorigins.S3BucketOrigin_WithOriginAccessControl(b.siteBucket, nil)
	props := &awscloudfront.DistributionProps{
		Comment:           jsii.String(*b.stack.StackName() + " web client"),
		DefaultRootObject: jsii.String("index.html"),
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			Origin:                b.siteS3Origin,
			ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
			AllowedMethods:        awscloudfront.AllowedMethods_ALLOW_GET_HEAD(),
			CachePolicy:           awscloudfront.CachePolicy_CACHING_OPTIMIZED(),
			ResponseHeadersPolicy: b.securityHeaders(),
			Compress:              jsii.Bool(true),
		},
		// Single-page app: unknown paths (S3 answers 403 through OAC, or 404)
		// get index.html and the client router takes over.
		ErrorResponses: &[]*awscloudfront.ErrorResponse{
			spaFallback(403), spaFallback(404),
		},
		HttpVersion:            awscloudfront.HttpVersion_HTTP2_AND_3,
		PriceClass:             awscloudfront.PriceClass_PRICE_CLASS_100, // North America and Europe edges: cheapest
		MinimumProtocolVersion: awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2021,
		EnableLogging:          jsii.Bool(true),
		LogBucket:              b.logBucket,
		LogFilePrefix:          jsii.String("cloudfront/"),
	}
	if b.props.SiteDomain != "" {
		props.DomainNames = jsii.Strings(b.props.SiteDomain)
		props.Certificate = awscertificatemanager.Certificate_FromCertificateArn(b.stack, jsii.String("SiteCertificate"), jsii.String(b.props.SiteCertificateArn))
	}
	b.distribution = awscloudfront.NewDistribution(b.stack, jsii.String("Distribution"), props)

	if b.props.SiteDomain != "" {
		b.siteOrigin = "https://" + b.props.SiteDomain
	} else {
		b.siteOrigin = "https://" + *b.distribution.DistributionDomainName()
	}
	b.filesBucket.AddCorsRule(&awss3.CorsRule{
		Id:             jsii.String("site-presigned"),
		AllowedOrigins: jsii.Strings(b.siteOrigin),
		AllowedMethods: &[]awss3.HttpMethods{awss3.HttpMethods_PUT, awss3.HttpMethods_POST, awss3.HttpMethods_GET, awss3.HttpMethods_HEAD},
		AllowedHeaders: jsii.Strings(filesCORSHeaders...),
		ExposedHeaders: jsii.Strings("ETag"),
		MaxAge:         jsii.Number(3000),
	})
}

func spaFallback(status float64) *awscloudfront.ErrorResponse {
	return &awscloudfront.ErrorResponse{
		HttpStatus:         jsii.Number(status),
		ResponseHttpStatus: jsii.Number(200),
		ResponsePagePath:   jsii.String("/index.html"),
		Ttl:                awscdk.Duration_Seconds(jsii.Number(0)),
	}
}

// securityHeaders is the response headers policy of every site response.
func (b *builder) securityHeaders() awscloudfront.ResponseHeadersPolicy {
	return awscloudfront.NewResponseHeadersPolicy(b.stack, jsii.String("SecurityHeaders"), &awscloudfront.ResponseHeadersPolicyProps{
		Comment: jsii.String("Backchannel web client: CSP, HSTS and friends"),
		SecurityHeadersBehavior: &awscloudfront.ResponseSecurityHeadersBehavior{
			ContentSecurityPolicy: &awscloudfront.ResponseHeadersContentSecurityPolicy{
				ContentSecurityPolicy: jsii.String(b.contentSecurityPolicy()),
				Override:              jsii.Bool(true),
			},
			StrictTransportSecurity: &awscloudfront.ResponseHeadersStrictTransportSecurity{
				AccessControlMaxAge: awscdk.Duration_Days(jsii.Number(730)),
				IncludeSubdomains:   jsii.Bool(true),
				Override:            jsii.Bool(true),
			},
			ContentTypeOptions: &awscloudfront.ResponseHeadersContentTypeOptions{Override: jsii.Bool(true)},
			FrameOptions: &awscloudfront.ResponseHeadersFrameOptions{
				FrameOption: awscloudfront.HeadersFrameOption_DENY,
				Override:    jsii.Bool(true),
			},
			// Links in messages must not tell other sites where users chat.
			ReferrerPolicy: &awscloudfront.ResponseHeadersReferrerPolicy{
				ReferrerPolicy: awscloudfront.HeadersReferrerPolicy_NO_REFERRER,
				Override:       jsii.Bool(true),
			},
		},
		CustomHeadersBehavior: &awscloudfront.ResponseCustomHeadersBehavior{
			CustomHeaders: &[]*awscloudfront.ResponseCustomHeader{{
				Header:   jsii.String("Permissions-Policy"),
				Value:    jsii.String("geolocation=(), payment=(), usb=()"),
				Override: jsii.Bool(true),
			}},
		},
	})
}

// deploySite uploads config.json (the deployed endpoints, written at deploy
// time) and, when the web client has been built, its files. Hashed bundles
// under assets/ are cached for a year; index.html, config.json and the other
// root files are revalidated on every load. Neither deployment prunes, so a
// page loaded before a deploy still finds its old bundles.
func (b *builder) deploySite() {
	logGroup := b.newLogGroup("SiteDeploymentLogs")
	entrySources := []awss3deployment.ISource{
		awss3deployment.Source_JsonData(jsii.String("config.json"), b.webConfig(), nil),
	}
	var assets awss3deployment.BucketDeployment
	dist := b.props.WebDistDir
	if isDir(dist) {
		if assetsDir := filepath.Join(dist, "assets"); isDir(assetsDir) {
			assets = awss3deployment.NewBucketDeployment(b.stack, jsii.String("SiteAssets"), &awss3deployment.BucketDeploymentProps{
				DestinationBucket:    b.siteBucket,
				DestinationKeyPrefix: jsii.String("assets/"),
				Sources:              &[]awss3deployment.ISource{awss3deployment.Source_Asset(jsii.String(assetsDir), nil)},
				CacheControl: &[]awss3deployment.CacheControl{
					awss3deployment.CacheControl_SetPublic(),
					awss3deployment.CacheControl_MaxAge(awscdk.Duration_Days(jsii.Number(365))),
					awss3deployment.CacheControl_Immutable(),
				},
				Prune:    jsii.Bool(false),
				LogGroup: logGroup,
			})
		}
		entrySources = append(entrySources, awss3deployment.Source_Asset(jsii.String(dist), &awss3assets.AssetOptions{
			Exclude: jsii.Strings("assets", "assets/**", "config.json"),
		}))
	}
	entry := awss3deployment.NewBucketDeployment(b.stack, jsii.String("SiteEntry"), &awss3deployment.BucketDeploymentProps{
		DestinationBucket: b.siteBucket,
		Sources:           &entrySources,
		CacheControl:      &[]awss3deployment.CacheControl{awss3deployment.CacheControl_NoCache()},
		Prune:             jsii.Bool(false),
		Distribution:      b.distribution,
		DistributionPaths: jsii.Strings("/*"),
		LogGroup:          logGroup,
	})
	if assets != nil {
		entry.Node().AddDependency(assets)
	}
}

// webConfig is /config.json, the contract the web client reads at start-up.
func (b *builder) webConfig() map[string]any {
	cognito := map[string]any{
		"endpoint":   b.cognitoEndpoint() + "/",
		"userPoolId": b.pool.UserPoolId(),
		"clientId":   b.client.UserPoolClientId(),
	}
	if b.cognitoLogin != "" {
		cognito["domain"] = b.cognitoLogin
	}
	for k, v := range WebAuthConfig(b.props) {
		cognito[k] = v
	}
	return map[string]any{
		"wsUrl":   b.wsURL,
		"region":  b.stack.Region(),
		"cognito": cognito,
		"legal":   WebLegalConfig(b.props),
		// Where webhook URLs point (httpapi.go); the client shows them.
		"httpApiUrl": b.httpAPIURL,
	}
}

// WebAuthConfig is the part of config.json's "cognito" that follows from
// the props alone: how the client signs in. The password never leaves the
// browser (USER_SRP_AUTH); "mfa" says whether the settings offer
// authenticator enrolment; "providers" are the external identity
// providers' buttons, each the identity_provider name the hosted domain's
// /oauth2/authorize takes.
func WebAuthConfig(p ChatStackProps) map[string]any {
	p = p.withDefaults()
	providers := []map[string]string{}
	if p.Google != nil {
		providers = append(providers, map[string]string{"id": "Google", "name": "Google"})
	}
	if p.OIDC != nil {
		providers = append(providers, map[string]string{"id": p.OIDC.Name, "name": p.OIDC.Name})
	}
	return map[string]any{"authFlow": "USER_SRP_AUTH", "mfa": string(p.MFA), "providers": providers}
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
