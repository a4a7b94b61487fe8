package chatstack_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

func TestUserPool(t *testing.T) {
	s := synth(t, cfgDefault)
	p := s.one(t, "AWS::Cognito::UserPool", "UserPool").Props
	checks := map[string][2]string{
		"username": {render(p["UsernameAttributes"]), "[email]"},
		"verify":   {render(p["AutoVerifiedAttributes"]), "[email]"},
		"sign-up":  {render(get(p, "AdminCreateUserConfig", "AllowAdminCreateUserOnly")), "true"}, // invite-only by default
		"min len":  {render(get(p, "Policies", "PasswordPolicy", "MinimumLength")), "12"},
		"upper":    {render(get(p, "Policies", "PasswordPolicy", "RequireUppercase")), "true"},
		"lower":    {render(get(p, "Policies", "PasswordPolicy", "RequireLowercase")), "true"},
		"digits":   {render(get(p, "Policies", "PasswordPolicy", "RequireNumbers")), "true"},
		"symbols":  {render(get(p, "Policies", "PasswordPolicy", "RequireSymbols")), "true"},
		"recovery": {render(get(p, "AccountRecoverySetting", "RecoveryMechanisms")), "[Name(verified_email),Priority(1)]"},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %s, want %s", what, c[0], c[1])
		}
	}
	nameRequired := false
	for _, a := range list(p["Schema"]) {
		if render(get(a, "Name")) == "name" {
			nameRequired = render(get(a, "Required")) == "true" && render(get(a, "Mutable")) == "true"
		}
	}
	if !nameRequired {
		t.Errorf("standard attribute name must be required and mutable: %s", render(p["Schema"]))
	}
	var groups []string
	for _, g := range s.resources("AWS::Cognito::UserPoolGroup") {
		groups = append(groups, render(g.Props["GroupName"]))
	}
	slices.Sort(groups)
	if !slices.Equal(groups, []string{"admins", "moderators"}) {
		t.Errorf("groups %v", groups)
	}
}

func TestAppClient(t *testing.T) {
	s := synth(t, cfgDefault)
	c := s.one(t, "AWS::Cognito::UserPoolClient", "").Props
	flows := strList(c["ExplicitAuthFlows"])
	slices.Sort(flows)
	if want := []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"}; !slices.Equal(flows, want) {
		t.Errorf("auth flows %v, want %v", flows, want)
	}
	checks := map[string][2]string{
		"secret":           {render(c["GenerateSecret"]), "false"},
		"existence errors": {render(c["PreventUserExistenceErrors"]), "ENABLED"},
		"id token":         {render(c["IdTokenValidity"]) + render(get(c, "TokenValidityUnits", "IdToken")), "60minutes"},
		"refresh token":    {render(c["RefreshTokenValidity"]) + render(get(c, "TokenValidityUnits", "RefreshToken")), "43200minutes"},
		"providers":        {render(c["SupportedIdentityProviders"]), "[COGNITO]"},
		"oauth":            {render(c["AllowedOAuthFlows"]) + render(c["CallbackURLs"]), ""},
	}
	for what, ch := range checks {
		if ch[0] != ch[1] {
			t.Errorf("%s = %q, want %q", what, ch[0], ch[1])
		}
	}
}

// TestCognitoOptionsByContext: hosted domain and external identity
// providers exist only when context asks for them.
func TestCognitoOptionsByContext(t *testing.T) {
	def := synth(t, cfgDefault)
	if n := len(def.resources("AWS::Cognito::UserPoolDomain")) + len(def.resources("AWS::Cognito::UserPoolIdentityProvider")); n != 0 {
		t.Errorf("default stack has %d hosted domains / identity providers", n)
	}

	full := synth(t, cfgFull)
	if got := full.one(t, "AWS::Cognito::UserPoolDomain", "").Props["Domain"]; got != "backchannel-test" {
		t.Errorf("domain %v", got)
	}
	idps := map[string]resource{}
	for _, p := range full.resources("AWS::Cognito::UserPoolIdentityProvider") {
		idps[render(p.Props["ProviderType"])] = p
	}
	oidc, google := idps["OIDC"], idps["Google"]
	if render(oidc.Props["ProviderName"]) != "Corp" || render(get(oidc.Props, "ProviderDetails", "oidc_issuer")) != "https://login.example.com" {
		t.Errorf("OIDC provider %s", render(oidc.Props))
	}
	for name, p := range map[string]resource{"OIDC": oidc, "Google": google} {
		secret := render(get(p.Props, "ProviderDetails", "client_secret"))
		if !strings.HasPrefix(secret, "{{resolve:secretsmanager:arn:aws:secretsmanager:") {
			t.Errorf("%s client secret is not a Secrets Manager reference: %q", name, secret)
		}
	}
	c := full.one(t, "AWS::Cognito::UserPoolClient", "")
	providers := strList(c.Props["SupportedIdentityProviders"])
	slices.Sort(providers)
	if want := []string{"COGNITO", "Corp", "Google"}; !slices.Equal(providers, want) {
		t.Errorf("client providers %v, want %v", providers, want)
	}
	if got := strList(c.Props["AllowedOAuthFlows"]); !slices.Equal(got, []string{"code"}) {
		t.Errorf("OAuth flows %v, want [code]", got)
	}
	scopes := strList(c.Props["AllowedOAuthScopes"])
	slices.Sort(scopes)
	if want := []string{"aws.cognito.signin.user.admin", "email", "openid", "profile"}; !slices.Equal(scopes, want) {
		t.Errorf("OAuth scopes %v, want %v", scopes, want)
	}
	if got := strList(c.Props["CallbackURLs"]); !slices.Equal(got, []string{"https://chat.example.com/"}) {
		t.Errorf("callback URLs %v", got)
	}
	for _, id := range []string{oidc.ID, google.ID} {
		if !slices.Contains(strList(c.Raw["DependsOn"]), id) {
			t.Errorf("client must depend on %s", id)
		}
	}

	g := synth(t, cfgGoogle)
	if n := len(g.resources("AWS::Cognito::UserPoolIdentityProvider")); n != 1 {
		t.Errorf("google config: %d providers, want 1", n)
	}
}

// TestMFAByContext: mfa=off (the default) leaves MFA off; optional and
// required turn on authenticator apps (TOTP) only, never SMS.
func TestMFAByContext(t *testing.T) {
	for cfg, want := range map[string]string{cfgDefault: "OFF", cfgGoogle: "OPTIONAL", cfgFull: "ON"} {
		p := synth(t, cfg).one(t, "AWS::Cognito::UserPool", "UserPool").Props
		if got := render(p["MfaConfiguration"]); got != want {
			t.Errorf("%s: MfaConfiguration %s, want %s", cfg, got, want)
		}
		factors := render(p["EnabledMfas"])
		if want == "OFF" && factors != "" {
			t.Errorf("%s: MFA off but factors %s", cfg, factors)
		}
		if want != "OFF" && factors != "[SOFTWARE_TOKEN_MFA]" {
			t.Errorf("%s: factors %s, want [SOFTWARE_TOKEN_MFA]", cfg, factors)
		}
	}
}

// TestWebAuthConfig: config.json tells the client to sign in with SRP,
// whether MFA is offered, and which provider buttons to show.
func TestWebAuthConfig(t *testing.T) {
	js := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got, want := js(chatstack.WebAuthConfig(chatstack.ChatStackProps{})), `{"authFlow":"USER_SRP_AUTH","mfa":"off","providers":[]}`; got != want {
		t.Errorf("default %s, want %s", got, want)
	}
	full := chatstack.WebAuthConfig(chatstack.ChatStackProps{
		MFA:    chatstack.MFAOptional,
		Google: &chatstack.GoogleProvider{ClientID: "g", ClientSecretArn: "s"},
		OIDC:   &chatstack.OIDCProvider{Name: "Corp", Issuer: "https://id", ClientID: "o", ClientSecretArn: "s"},
	})
	if got, want := js(full), `{"authFlow":"USER_SRP_AUTH","mfa":"optional","providers":[{"id":"Google","name":"Google"},{"id":"Corp","name":"Corp"}]}`; got != want {
		t.Errorf("full %s, want %s", got, want)
	}
}
