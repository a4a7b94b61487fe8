package chatstack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/jsii-runtime-go"
)

// Cognito groups the chat knows (moderation reads them from the token).
var userGroups = []struct{ id, name, description string }{
	{"AdminsGroup", "admins", "Workspace administrators"},
	{"ModeratorsGroup", "moderators", "Moderators: may delete others' messages and mute users"},
}

// userPool creates the user pool, its groups, the optional hosted domain and
// the optional external identity providers. The app client comes later
// (appClient) because its OAuth callback is the site's origin.
func (b *builder) userPool() {
	b.pool = awscognito.NewUserPool(b.stack, jsii.String("UserPool"), &awscognito.UserPoolProps{
		// LITE has everything the chat uses and the cheapest price past the
		// free tier; threat protection (Plus) is a paid upgrade.
		FeaturePlan:         awscognito.FeaturePlan_LITE,
		SignInAliases:       &awscognito.SignInAliases{Email: jsii.Bool(true)},
		SignInCaseSensitive: jsii.Bool(false),
		// Invite-only (the default) lets only admins create accounts
		// (AdminCreateUser from the admin console).
		SelfSignUpEnabled: jsii.Bool(b.props.SignUp != SignUpInvite),
		AutoVerify:        &awscognito.AutoVerifiedAttrs{Email: jsii.Bool(true)},
		UserVerification: &awscognito.UserVerificationConfig{
			EmailStyle: awscognito.VerificationEmailStyle_CODE,
		},
		KeepOriginal: &awscognito.KeepOriginalAttrs{Email: jsii.Bool(true)},
		StandardAttributes: &awscognito.StandardAttributes{
			Email:    &awscognito.StandardAttribute{Required: jsii.Bool(true), Mutable: jsii.Bool(true)},
			Fullname: &awscognito.StandardAttribute{Required: jsii.Bool(true), Mutable: jsii.Bool(true)}, // "name"
		},
		PasswordPolicy: &awscognito.PasswordPolicy{
			MinLength:            jsii.Number(12),
			RequireLowercase:     jsii.Bool(true),
			RequireUppercase:     jsii.Bool(true),
			RequireDigits:        jsii.Bool(true),
			RequireSymbols:       jsii.Bool(true),
			TempPasswordValidity: awscdk.Duration_Days(jsii.Number(3)),
		},
		AccountRecovery:    awscognito.AccountRecovery_EMAIL_ONLY,
		Mfa:                b.mfa(),
		MfaSecondFactor:    b.mfaSecondFactor(),
		DeletionProtection: jsii.Bool(!b.props.DestroyData),
		RemovalPolicy:      b.removal(),
	})
	for _, g := range userGroups {
		b.pool.AddGroup(jsii.String(g.id), &awscognito.UserPoolGroupOptions{
			GroupName:   jsii.String(g.name),
			Description: jsii.String(g.description),
		})
	}
	if prefix := b.props.CognitoDomainPrefix; prefix != "" {
		domain := b.pool.AddDomain(jsii.String("HostedDomain"), &awscognito.UserPoolDomainOptions{
			CognitoDomain: &awscognito.CognitoDomainOptions{DomainPrefix: jsii.String(prefix)},
		})
		b.cognitoLogin = *domain.BaseUrl(nil)
	}
	b.identityProviders()
}

// mfa is the pool's MFA setting from the mfa context (off by default).
func (b *builder) mfa() awscognito.Mfa {
	switch b.props.MFA {
	case MFAOptional:
		return awscognito.Mfa_OPTIONAL
	case MFARequired:
		return awscognito.Mfa_REQUIRED
	default:
		return awscognito.Mfa_OFF
	}
}

// mfaSecondFactor: authenticator apps (TOTP) only, when MFA is on.
func (b *builder) mfaSecondFactor() *awscognito.MfaSecondFactor {
	if b.props.MFA == MFAOff {
		return nil
	}
	return &awscognito.MfaSecondFactor{Otp: jsii.Bool(true), Sms: jsii.Bool(false)}
}

// identityProviders registers the optional OIDC and Google providers. The
// client secrets stay in Secrets Manager: the template holds a dynamic
// reference resolved by CloudFormation at deploy time, never the secret.
func (b *builder) identityProviders() {
	if o := b.props.OIDC; o != nil {
		secret := awscdk.SecretValue_SecretsManager(jsii.String(o.ClientSecretArn), nil)
		awscognito.NewUserPoolIdentityProviderOidc(b.stack, jsii.String("OidcProvider"), &awscognito.UserPoolIdentityProviderOidcProps{
			UserPool:               b.pool,
			Name:                   jsii.String(o.Name),
			IssuerUrl:              jsii.String(o.Issuer),
			ClientId:               jsii.String(o.ClientID),
			ClientSecret:           secret.UnsafeUnwrap(), // a {{resolve:secretsmanager:...}} reference
			Scopes:                 jsii.Strings("openid", "email", "profile"),
			AttributeRequestMethod: awscognito.OidcAttributeRequestMethod_GET,
			AttributeMapping: &awscognito.AttributeMapping{
				Email:    awscognito.ProviderAttribute_Other(jsii.String("email")),
				Fullname: awscognito.ProviderAttribute_Other(jsii.String("name")),
			},
		})
	}
	if g := b.props.Google; g != nil {
		awscognito.NewUserPoolIdentityProviderGoogle(b.stack, jsii.String("GoogleProvider"), &awscognito.UserPoolIdentityProviderGoogleProps{
			UserPool:          b.pool,
			ClientId:          jsii.String(g.ClientID),
			ClientSecretValue: awscdk.SecretValue_SecretsManager(jsii.String(g.ClientSecretArn), nil),
			Scopes:            jsii.Strings("openid", "email", "profile"),
			AttributeMapping: &awscognito.AttributeMapping{
				Email:    awscognito.ProviderAttribute_GOOGLE_EMAIL(),
				Fullname: awscognito.ProviderAttribute_GOOGLE_NAME(),
			},
		})
	}
}

// appClient is the web client's app client: public (no secret), password
// and SRP sign-in plus refresh tokens, no user-existence leaks. OAuth (code
// grant only) is on only when the hosted domain is, with the site as the
// sole callback.
func (b *builder) appClient() {
	opts := &awscognito.UserPoolClientOptions{
		GenerateSecret:             jsii.Bool(false),
		AuthFlows:                  &awscognito.AuthFlow{UserPassword: jsii.Bool(true), UserSrp: jsii.Bool(true)},
		PreventUserExistenceErrors: jsii.Bool(true),
		EnableTokenRevocation:      jsii.Bool(true),
		IdTokenValidity:            awscdk.Duration_Hours(jsii.Number(1)),
		AccessTokenValidity:        awscdk.Duration_Hours(jsii.Number(1)),
		RefreshTokenValidity:       awscdk.Duration_Days(jsii.Number(b.props.RefreshTokenDays)),
		SupportedIdentityProviders: b.clientIdentityProviders(),
	}
	if b.cognitoLogin == "" {
		opts.DisableOAuth = jsii.Bool(true)
	} else {
		opts.OAuth = &awscognito.OAuthSettings{
			Flows: &awscognito.OAuthFlows{AuthorizationCodeGrant: jsii.Bool(true)},
			// COGNITO_ADMIN (aws.cognito.signin.user.admin) lets the access
			// token of a provider sign-in call the user's own API (GetUser,
			// GlobalSignOut, TOTP enrolment), as a password sign-in's can.
			Scopes:       &[]awscognito.OAuthScope{awscognito.OAuthScope_OPENID(), awscognito.OAuthScope_EMAIL(), awscognito.OAuthScope_PROFILE(), awscognito.OAuthScope_COGNITO_ADMIN()},
			CallbackUrls: jsii.Strings(b.siteOrigin + "/"),
			LogoutUrls:   jsii.Strings(b.siteOrigin + "/"),
		}
	}
	b.client = b.pool.AddClient(jsii.String("WebClient"), opts)
	// The client may only name providers that already exist.
	for _, id := range []string{"OidcProvider", "GoogleProvider"} {
		if p := b.stack.Node().TryFindChild(jsii.String(id)); p != nil {
			b.client.Node().AddDependency(p)
		}
	}
}

func (b *builder) clientIdentityProviders() *[]awscognito.UserPoolClientIdentityProvider {
	providers := []awscognito.UserPoolClientIdentityProvider{awscognito.UserPoolClientIdentityProvider_COGNITO()}
	if b.props.OIDC != nil {
		providers = append(providers, awscognito.UserPoolClientIdentityProvider_Custom(jsii.String(b.props.OIDC.Name)))
	}
	if b.props.Google != nil {
		providers = append(providers, awscognito.UserPoolClientIdentityProvider_GOOGLE())
	}
	return &providers
}

// cognitoIssuer is the iss claim of the pool's tokens.
func (b *builder) cognitoIssuer() string {
	return "https://cognito-idp." + *b.stack.Region() + "." + *b.stack.UrlSuffix() + "/" + *b.pool.UserPoolId()
}

// cognitoEndpoint is the Cognito user pools API the browser calls.
func (b *builder) cognitoEndpoint() string {
	return "https://cognito-idp." + *b.stack.Region() + "." + *b.stack.UrlSuffix()
}
