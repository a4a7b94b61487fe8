package hostedui_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/backchannel-chat/backchannel/internal/local/cognitoext"
	"github.com/backchannel-chat/backchannel/internal/local/hostedui"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

const callback = "http://app.example/"

type env struct {
	t      *testing.T
	srv    *httptest.Server
	http   *http.Client
	idp    *cip.Client
	pool   testenv.Pool
	awsCfg aws.Config
}

func newEnv(t *testing.T) *env {
	cfg := testenv.AWSConfig(t)
	pool := testenv.NewUserPool(t, cfg)
	ext, err := cognitoext.New(os.Getenv(testenv.EnvEndpointCognito))
	if err != nil {
		t.Fatal(err)
	}
	extSrv := httptest.NewServer(ext)
	t.Cleanup(extSrv.Close)
	idp := cip.NewFromConfig(cfg, func(o *cip.Options) { o.BaseEndpoint = aws.String(extSrv.URL) })
	h, err := hostedui.New(hostedui.Config{Cognito: idp, PoolID: pool.ID, ClientID: pool.ClientID, Provider: "LocalIdP", CallbackURLs: []string{callback}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &env{t: t, srv: srv, http: noFollow, idp: idp, pool: pool, awsCfg: cfg}
}

func challengeOf(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-0123456789" // 54 unreserved characters

// authorize asks for a code; mutate changes the query first.
func (e *env) authorize(mutate func(url.Values)) *http.Response {
	e.t.Helper()
	q := url.Values{
		"response_type": {"code"}, "client_id": {e.pool.ClientID}, "redirect_uri": {callback}, "identity_provider": {"LocalIdP"},
		"scope": {"openid email profile"}, "state": {"st-1"}, "code_challenge": {challengeOf(verifier)}, "code_challenge_method": {"S256"},
	}
	if mutate != nil {
		mutate(q)
	}
	resp, err := e.http.Get(e.srv.URL + "/oauth2/authorize?" + q.Encode())
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

var loginField = regexp.MustCompile(`name="login" value="([^"]+)"`)

// code runs the whole provider sign-in and returns the redirect's query.
func (e *env) code(email, name string) url.Values {
	e.t.Helper()
	resp := e.authorize(nil)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := loginField.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		e.t.Fatalf("authorize: %d %s", resp.StatusCode, body)
	}
	resp, err := e.http.PostForm(e.srv.URL+"/login", url.Values{"login": {string(m[1])}, "email": {email}, "name": {name}})
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), callback+"?") {
		e.t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query()
}

func (e *env) token(code, redirect, verifier string) (int, map[string]any) {
	e.t.Helper()
	resp, err := e.http.PostForm(e.srv.URL+"/oauth2/token", url.Values{
		"grant_type": {"authorization_code"}, "client_id": {e.pool.ClientID}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func claims(t *testing.T, jwt string) map[string]any {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestAuthorizeChecks: a bad client or redirect_uri is refused on the
// page; other faults go back to the app as OAuth errors; PKCE is required.
func TestAuthorizeChecks(t *testing.T) {
	e := newEnv(t)
	for name, tc := range map[string]struct {
		mutate func(url.Values)
		status int
		err    string
	}{
		"unknown client":       {func(q url.Values) { q.Set("client_id", "nope") }, http.StatusBadRequest, ""},
		"foreign redirect_uri": {func(q url.Values) { q.Set("redirect_uri", "https://evil.example/") }, http.StatusBadRequest, ""},
		"redirect_uri prefix":  {func(q url.Values) { q.Set("redirect_uri", callback+"x") }, http.StatusBadRequest, ""},
		"implicit grant":       {func(q url.Values) { q.Set("response_type", "token") }, http.StatusFound, "unsupported_response_type"},
		"unknown provider":     {func(q url.Values) { q.Set("identity_provider", "Other") }, http.StatusFound, "invalid_request"},
		"no PKCE":              {func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, http.StatusFound, "invalid_request"},
		"plain PKCE":           {func(q url.Values) { q.Set("code_challenge_method", "plain") }, http.StatusFound, "invalid_request"},
		"malformed challenge":  {func(q url.Values) { q.Set("code_challenge", "short") }, http.StatusFound, "invalid_request"},
		"no openid scope":      {func(q url.Values) { q.Set("scope", "email") }, http.StatusFound, "invalid_scope"},
	} {
		resp := e.authorize(tc.mutate)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", name, resp.StatusCode, tc.status)
			continue
		}
		if tc.err != "" {
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if q := loc.Query(); q.Get("error") != tc.err || q.Get("state") != "st-1" || !strings.HasPrefix(loc.String(), callback) {
				t.Errorf("%s: redirected to %s, want error %s with the state", name, loc, tc.err)
			}
		}
	}
}

// TestCodeGrant: the code goes back with the state; a wrong verifier is
// refused and spends the code; a wrong redirect_uri is refused; the right
// exchange gives real tokens of the pool (the ID token's audience is the
// app client, GetUser and a refresh work), and a code is good once.
func TestCodeGrant(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	q := e.code("fed@example.com", "Fed Eration")
	if q.Get("state") != "st-1" || q.Get("code") == "" {
		t.Fatalf("redirect query %v", q)
	}
	if st, out := e.token(q.Get("code"), callback, verifier+"x"); st != http.StatusBadRequest || out["error"] != "invalid_grant" {
		t.Fatalf("wrong verifier: %d %v", st, out)
	}
	if st, out := e.token(q.Get("code"), callback, verifier); st != http.StatusBadRequest || out["error"] != "invalid_grant" {
		t.Fatalf("the code after a failed try: %d %v, want invalid_grant (used once)", st, out)
	}

	q = e.code("fed@example.com", "Fed Eration")
	if st, out := e.token(q.Get("code"), "http://app.example/other", verifier); st != http.StatusBadRequest || out["error"] != "invalid_grant" {
		t.Fatalf("wrong redirect_uri: %d %v", st, out)
	}

	q = e.code("fed@example.com", "Fed Eration")
	st, out := e.token(q.Get("code"), callback, verifier)
	if st != http.StatusOK {
		t.Fatalf("exchange: %d %v", st, out)
	}
	if st, again := e.token(q.Get("code"), callback, verifier); st != http.StatusBadRequest || again["error"] != "invalid_grant" {
		t.Fatalf("replayed code: %d %v", st, again)
	}
	id := claims(t, out["id_token"].(string))
	if id["email"] != "fed@example.com" || id["aud"] != e.pool.ClientID || id["iss"] != e.pool.Issuer || id["token_use"] != "id" {
		t.Fatalf("ID token claims %v (pool issuer %s)", id, e.pool.Issuer)
	}
	u, err := e.idp.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(out["access_token"].(string))})
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{}
	for _, a := range u.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	if attrs["name"] != "Fed Eration" || !strings.Contains(attrs["identities"], "LocalIdP") {
		t.Fatalf("user attributes %v", attrs)
	}
	if _, err := e.idp.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(e.pool.ClientID), AuthFlow: ciptypes.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": out["refresh_token"].(string)},
	}); err != nil {
		t.Fatalf("refresh: %v", err)
	}

	// The same person again: the same user.
	q = e.code("fed@example.com", "Fed Eration")
	_, out2 := e.token(q.Get("code"), callback, verifier)
	if sub := claims(t, out2["id_token"].(string))["sub"]; sub != id["sub"] {
		t.Fatalf("second sign-in: sub %v, want %v", sub, id["sub"])
	}
}

// TestPasswordAccountNotTakenOver: an email that has a password account is
// refused by the provider stand-in (its password is left alone).
func TestPasswordAccountNotTakenOver(t *testing.T) {
	e := newEnv(t)
	testenv.SignUp(t, e.awsCfg, e.pool, "pw@example.com", "password-1", "Pat")
	resp := e.authorize(nil)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := loginField.FindSubmatch(body)
	if m == nil {
		t.Fatalf("authorize: %s", body)
	}
	resp, err := e.http.PostForm(e.srv.URL+"/login", url.Values{"login": {string(m[1])}, "email": {"pw@example.com"}, "name": {"Mallory"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Query().Get("error") != "access_denied" {
		t.Fatalf("redirect %s, want error=access_denied", loc)
	}
	if _, err := e.idp.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		ClientId: aws.String(e.pool.ClientID), AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "pw@example.com", "PASSWORD": "password-1"},
	}); err != nil {
		t.Fatalf("the password account's own password: %v", err)
	}
}
