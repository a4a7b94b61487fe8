// Package hostedui is a local stand-in for the OAuth 2.0 endpoints of a
// Cognito user pool's hosted domain, with one external identity provider
// behind it, so that "Sign in with ..." runs locally through the web
// client's real code path: the authorization-code grant with PKCE.
//
//	GET  /oauth2/authorize  response_type=code, client_id, redirect_uri,
//	                        identity_provider, scope, state,
//	                        code_challenge, code_challenge_method=S256
//	POST /login             the provider's sign-in page (an email and a
//	                        name: the local provider trusts what it is told)
//	POST /oauth2/token      grant_type=authorization_code, client_id, code,
//	                        redirect_uri, code_verifier
//
// As Cognito does, it checks the client id, that redirect_uri is one of
// the app client's callback URLs (exactly), and, at /oauth2/token, that the
// code is known, unexpired (5 minutes) and used once, that redirect_uri is
// the one the code was issued for, and that SHA-256(code_verifier) is the
// code_challenge (RFC 7636, S256). It is stricter than Cognito in one way:
// PKCE is required (Cognito makes it optional for public clients).
//
// The tokens are real tokens of the local user pool, as Cognito's are for
// a federated user: the stand-in creates the person on their first
// sign-in (AdminCreateUser, email verified, the name the provider gave,
// the "identities" attribute naming the provider), sets a fresh random
// password, and signs in with it (USER_PASSWORD_AUTH) through the client
// it is given (the cognitoext stand-in, which refuses disabled users).
// Unlike Cognito, which would create a separate federated user, it
// refuses an email that already belongs to a password account: cognito-
// local cannot hold two users with one email, and taking the account over
// would be wrong.
package hostedui

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Lifetimes, as Cognito's.
const (
	CodeValidity  = 5 * time.Minute  // an authorization code
	LoginValidity = 10 * time.Minute // the provider's sign-in page
)

// Config configures the stand-in.
type Config struct {
	Cognito  *cip.Client // the user pool API (the cognitoext stand-in)
	PoolID   string
	ClientID string
	// Provider is the identity_provider name the buttons send, e.g.
	// "LocalIdP".
	Provider string
	// CallbackURLs are the app client's allowed redirect_uri values.
	CallbackURLs []string
	Now          func() time.Time // nil: time.Now
}

// Server is the stand-in: an http.Handler.
type Server struct {
	cfg Config
	mux *http.ServeMux

	mu        sync.Mutex
	callbacks []string
	logins    map[string]authRequest // login id -> the authorize request it answers
	codes     map[string]issued      // authorization code -> what it was issued for
}

type authRequest struct {
	redirectURI, state, challenge string
	expires                       time.Time
}

type issued struct {
	redirectURI, challenge string
	tokens                 *ciptypes.AuthenticationResultType
	expires                time.Time
}

// New returns the stand-in.
func New(cfg Config) (*Server, error) {
	if cfg.Cognito == nil || cfg.PoolID == "" || cfg.ClientID == "" || cfg.Provider == "" {
		return nil, errors.New("hostedui: Cognito, PoolID, ClientID and Provider are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, callbacks: slices.Clone(cfg.CallbackURLs), logins: map[string]authRequest{}, codes: map[string]issued{}}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /oauth2/authorize", s.authorize)
	s.mux.HandleFunc("POST /login", s.login)
	s.mux.HandleFunc("POST /oauth2/token", s.token)
	s.mux.HandleFunc("OPTIONS /oauth2/token", s.preflight)
	return s, nil
}

// SetCallbackURLs replaces the allowed redirect_uri values (the dev runner
// knows the web server's address only once it listens).
func (s *Server) SetCallbackURLs(urls ...string) {
	s.mu.Lock()
	s.callbacks = slices.Clone(urls)
	s.mu.Unlock()
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(w, r)
}

// authorize checks the request and shows the provider's sign-in page.
// Before redirect_uri is known to be good, errors are shown here; after,
// they go back to it (RFC 6749 4.1.2.1).
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != s.cfg.ClientID {
		page(w, http.StatusBadRequest, "Unknown client_id.")
		return
	}
	redirect := q.Get("redirect_uri")
	s.mu.Lock()
	allowed := slices.Contains(s.callbacks, redirect)
	s.mu.Unlock()
	if !allowed {
		page(w, http.StatusBadRequest, "redirect_uri is not a callback URL of this app client.")
		return
	}
	state := q.Get("state")
	fail := func(code, desc string) { redirectError(w, r, redirect, state, code, desc) }
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "response_type must be code")
	case q.Get("identity_provider") != s.cfg.Provider:
		fail("invalid_request", "unknown identity_provider")
	case q.Get("code_challenge_method") != "S256" || !validChallenge(q.Get("code_challenge")):
		fail("invalid_request", "PKCE is required: code_challenge (43 base64url characters) with code_challenge_method=S256")
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		fail("invalid_scope", "scope must include openid")
	default:
		id := randomString(24)
		s.mu.Lock()
		s.sweep()
		s.logins[id] = authRequest{redirectURI: redirect, state: state, challenge: q.Get("code_challenge"), expires: s.cfg.Now().Add(LoginValidity)}
		s.mu.Unlock()
		// form-action covers the redirect that follows the form: the app.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; form-action 'self' "+originOf(redirect)+"; frame-ancestors 'none'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = loginPage.Execute(w, map[string]string{"Provider": s.cfg.Provider, "Login": id})
	}
}

// login is the provider's answer: the person is who they say; the code
// goes back to the app.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		page(w, http.StatusBadRequest, "Unreadable form.")
		return
	}
	id := r.PostForm.Get("login")
	s.mu.Lock()
	req, ok := s.logins[id]
	delete(s.logins, id)
	s.mu.Unlock()
	if !ok || !s.cfg.Now().Before(req.expires) {
		page(w, http.StatusBadRequest, "This sign-in has expired. Go back to the app and start again.")
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if !strings.Contains(email, "@") || name == "" {
		redirectError(w, r, req.redirectURI, req.state, "invalid_request", "the provider needs an email and a name")
		return
	}
	tokens, err := s.federatedSignIn(r.Context(), email, name)
	if err != nil {
		redirectError(w, r, req.redirectURI, req.state, "access_denied", err.Error())
		return
	}
	code := randomString(32)
	s.mu.Lock()
	s.codes[code] = issued{redirectURI: req.redirectURI, challenge: req.challenge, tokens: tokens, expires: s.cfg.Now().Add(CodeValidity)}
	s.mu.Unlock()
	u, _ := url.Parse(req.redirectURI)
	q := u.Query()
	q.Set("code", code)
	if req.state != "" {
		q.Set("state", req.state)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// token trades a code for the tokens (RFC 6749 4.1.3, RFC 7636 4.6).
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.cors(w, r)
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "unreadable form")
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code")
		return
	}
	if f.Get("client_id") != s.cfg.ClientID {
		tokenError(w, http.StatusBadRequest, "invalid_client", "unknown client_id")
		return
	}
	code := f.Get("code")
	s.mu.Lock()
	is, ok := s.codes[code]
	delete(s.codes, code) // a code is good for one try, whatever its outcome
	s.mu.Unlock()
	switch {
	case !ok || !s.cfg.Now().Before(is.expires):
		tokenError(w, http.StatusBadRequest, "invalid_grant", "unknown, used or expired code")
	case f.Get("redirect_uri") != is.redirectURI:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request's")
	case !verifierMatches(f.Get("code_verifier"), is.challenge):
		tokenError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
	default:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id_token":      aws.ToString(is.tokens.IdToken),
			"access_token":  aws.ToString(is.tokens.AccessToken),
			"refresh_token": aws.ToString(is.tokens.RefreshToken),
			"expires_in":    max(is.tokens.ExpiresIn, 3600),
			"token_type":    "Bearer",
		})
	}
}

func (s *Server) preflight(w http.ResponseWriter, r *http.Request) {
	s.cors(w, r)
	w.Header().Set("Access-Control-Allow-Methods", "POST")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
	w.WriteHeader(http.StatusNoContent)
}

// cors lets the app's origins (those of the callback URLs) read the token
// answer, as Cognito does for the app client's callback origins.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, cb := range s.callbacks {
		if originOf(cb) == origin {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Add("Vary", "Origin")
			return
		}
	}
}

// federatedSignIn makes sure the provider's person exists in the pool and
// returns real tokens of it.
func (s *Server) federatedSignIn(ctx context.Context, email, name string) (*ciptypes.AuthenticationResultType, error) {
	c := s.cfg.Cognito
	pool := aws.String(s.cfg.PoolID)
	u, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String(email)})
	var notFound *ciptypes.UserNotFoundException
	switch {
	case errors.As(err, &notFound):
		identities, _ := json.Marshal([]map[string]any{{"providerName": s.cfg.Provider, "providerType": "OIDC", "userId": email, "primary": true, "dateCreated": s.cfg.Now().UnixMilli()}})
		_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: pool, Username: aws.String(email), MessageAction: ciptypes.MessageActionTypeSuppress,
			UserAttributes: []ciptypes.AttributeType{
				{Name: aws.String("email"), Value: aws.String(email)},
				{Name: aws.String("email_verified"), Value: aws.String("true")},
				{Name: aws.String("name"), Value: aws.String(name)},
				{Name: aws.String("identities"), Value: aws.String(string(identities))},
			},
		})
		if err != nil {
			return nil, fmt.Errorf("creating the federated user: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("looking the user up: %w", err)
	default:
		if !s.federated(u.UserAttributes) {
			return nil, fmt.Errorf("%s already has an account with a password; the local provider does not take it over", email)
		}
	}
	password := "Fed-" + randomString(24) + "-1a!"
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: pool, Username: aws.String(email), Password: aws.String(password), Permanent: true}); err != nil {
		return nil, fmt.Errorf("setting the federated user's password: %w", err)
	}
	out, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(s.cfg.ClientID), AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	if err != nil {
		return nil, fmt.Errorf("signing in: %w", err)
	}
	if out.AuthenticationResult == nil {
		return nil, fmt.Errorf("signing in: unexpected challenge %s", out.ChallengeName)
	}
	return out.AuthenticationResult, nil
}

// federated: the user came from this provider (its identities attribute).
func (s *Server) federated(attrs []ciptypes.AttributeType) bool {
	for _, a := range attrs {
		if aws.ToString(a.Name) != "identities" {
			continue
		}
		var ids []struct {
			ProviderName string `json:"providerName"`
		}
		if json.Unmarshal([]byte(aws.ToString(a.Value)), &ids) == nil {
			for _, id := range ids {
				if id.ProviderName == s.cfg.Provider {
					return true
				}
			}
		}
	}
	return false
}

// sweep forgets expired logins and codes; s.mu is held.
func (s *Server) sweep() {
	now := s.cfg.Now()
	for k, v := range s.logins {
		if !now.Before(v.expires) {
			delete(s.logins, k)
		}
	}
	for k, v := range s.codes {
		if !now.Before(v.expires) {
			delete(s.codes, k)
		}
	}
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// validChallenge: BASE64URL(SHA-256(...)) is 43 characters.
func validChallenge(c string) bool {
	b, err := base64.RawURLEncoding.DecodeString(c)
	return err == nil && len(b) == sha256.Size
}

func verifierMatches(verifier, challenge string) bool {
	// RFC 7636 4.1: 43 to 128 unreserved characters.
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func redirectError(w http.ResponseWriter, r *http.Request, redirect, state, code, desc string) {
	u, err := url.Parse(redirect)
	if err != nil {
		page(w, http.StatusBadRequest, desc)
		return
	}
	q := u.Query()
	q.Set("error", code)
	q.Set("error_description", desc)
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func tokenError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func page(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = errorPage.Execute(w, msg)
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Provider}}: sign in</title></head>
<body><main>
<h1>{{.Provider}}</h1>
<p>A local stand-in for an external identity provider: it signs you in as whoever you say.</p>
<form method="post" action="/login">
<input type="hidden" name="login" value="{{.Login}}">
<p><label>Email <input name="email" type="email" autocomplete="email" required></label></p>
<p><label>Name <input name="name" autocomplete="name" required maxlength="80"></label></p>
<p><button type="submit">Continue</button></p>
</form>
</main></body></html>
`))

var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in error</title></head>
<body><main><h1>Sign-in error</h1><p>{{.}}</p></main></body></html>
`))
