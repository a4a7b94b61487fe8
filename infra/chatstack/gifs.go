package chatstack

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// GIFs (issue 14). The provider is Tenor (default) or Giphy
// (gifProvider); its API key lives in a Secrets Manager secret the
// operator creates (a plain string) and names with the gifApiKeySecretArn
// context. Without it GIFs are off: no variable, no
// grant, no media host in the CSP. With it the actions function reads
// the key at cold start (GetSecretValue on exactly that secret) and the
// site's CSP lets images come from the provider's media hosts.

// TenorMediaOrigin is where the browser loads Tenor's GIFs from
// (internal/gifs).
const TenorMediaOrigin = "https://media.tenor.com"

// GifMediaOrigins are the origins a provider's GIFs load from (the CSP's
// img-src): internal/gifs' defaults.
func GifMediaOrigins(provider string) []string {
	if provider == "giphy" {
		return []string{"https://media.giphy.com", "https://media0.giphy.com", "https://media1.giphy.com",
			"https://media2.giphy.com", "https://media3.giphy.com", "https://media4.giphy.com", "https://i.giphy.com"}
	}
	return []string{TenorMediaOrigin}
}

// gifProvider is the provider's name (tenor unless gifProvider says giphy).
func (b *builder) gifProvider() string {
	if b.props.GifProvider == "" {
		return "tenor"
	}
	return b.props.GifProvider
}

// gifsOn says whether the deployment has a GIF provider.
func (b *builder) gifsOn() bool { return b.props.GifAPIKeySecretArn != "" }

// gifs adds the actions function's variables and grant.
func (b *builder) gifs() {
	if !b.gifsOn() {
		return
	}
	actions := b.fns["actions"]
	actions.AddEnvironment(jsii.String("GIF_PROVIDER"), jsii.String(b.gifProvider()), nil)
	actions.AddEnvironment(jsii.String("GIF_API_KEY_SECRET_ARN"), jsii.String(b.props.GifAPIKeySecretArn), nil)
	actions.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: jsii.Strings(b.props.GifAPIKeySecretArn),
	}))
}

// validGifSecretArn: a complete Secrets Manager secret ARN (with the
// random suffix, so the grant names exactly one secret).
func validGifSecretArn(arn string) bool {
	parts := strings.SplitN(arn, ":", 7)
	return len(parts) == 7 && parts[0] == "arn" && parts[2] == "secretsmanager" && parts[5] == "secret" && parts[6] != "" && !strings.ContainsAny(arn, "*?")
}
