// Package cognitoext is a local stand-in, in front of cognito-local
// 5.3.0, for the parts of the Cognito user pool API that emulator lacks
// and that offboarding depends on. The real SDK client talks to it
// unchanged (it is the AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER); every
// other request passes through untouched.
//
// What it adds, as real Cognito behaves:
//   - AdminUserGlobalSignOut and GlobalSignOut (cognito-local lacks both):
//     the user's refresh tokens issued until then stop working.
//   - A disabled user (AdminDisableUser) cannot sign in (InitiateAuth
//     USER_PASSWORD_AUTH) or refresh (REFRESH_TOKEN_AUTH): Cognito answers
//     NotAuthorizedException "User is disabled." (cognito-local records
//     Enabled=false but lets them in).
//   - A challenge's Session is what ties the answer to the password that
//     was checked: RespondToAuthChallenge (SOFTWARE_TOKEN_MFA,
//     NEW_PASSWORD_REQUIRED, ...) is accepted only with a Session that a
//     sign-in through this stand-in was given, for the same user and
//     challenge, within 3 minutes (Cognito's session validity), once.
//     cognito-local accepts any Session string, so a TOTP code alone would
//     sign a user in without their password.
//
// cognito-local does the rest of TOTP MFA itself, as Cognito does
// (RFC 6238, SHA-1, 6 digits, 30 s steps, one step of tolerance):
// AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference and
// the SOFTWARE_TOKEN_MFA challenge. Two differences remain: its
// VerifySoftwareToken also turns MFA on (Cognito waits for
// SetUserMFAPreference, which the web client calls anyway), and it does not
// keep the refresh token of a sign-in finished by RespondToAuthChallenge,
// so such a local session ends when its ID token does (an hour).
//
// It reads the username and issue time of a refresh token from the token
// itself: cognito-local's refresh tokens are JWTs carrying
// cognito:username and iat (real ones are opaque, which is why this is a
// local stand-in only).
package cognitoext

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

const targetPrefix = "AWSCognitoIdentityProviderService."

// Proxy is the stand-in: an http.Handler.
type Proxy struct {
	upstream *url.URL
	rp       *httputil.ReverseProxy
	client   *http.Client
	now      func() time.Time

	mu        sync.Mutex
	signedOut map[string]int64  // pool/username -> Unix second of the last global sign-out
	pools     map[string]string // client id -> pool id, learnt from DescribeUserPoolClient
	sessions  map[string]challengeSession
}

// challengeSession is a challenge a sign-in was given: its answer must
// come with that Session.
type challengeSession struct {
	pool, username, challenge string
	expires                   time.Time
}

// SessionValidity is how long a challenge's Session may be answered
// (Cognito's default auth session validity).
const SessionValidity = 3 * time.Minute

// New returns the stand-in in front of upstream (cognito-local's URL).
func New(upstream string) (*Proxy, error) {
	u, err := url.Parse(upstream)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("cognitoext: bad upstream %q", upstream)
	}
	return &Proxy{
		upstream: u, rp: httputil.NewSingleHostReverseProxy(u), client: &http.Client{Timeout: 10 * time.Second},
		now: time.Now, signedOut: map[string]int64{}, pools: map[string]string{}, sessions: map[string]challengeSession{},
	}, nil
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	switch target {
	case "AdminUserGlobalSignOut", "GlobalSignOut", "InitiateAuth", "AdminInitiateAuth", "RespondToAuthChallenge", "AdminRespondToAuthChallenge":
	default:
		target = ""
	}
	if r.Method != http.MethodPost || target == "" {
		p.rp.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeErr(w, http.StatusBadRequest, "InvalidParameterException", "unreadable body")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	var in struct {
		UserPoolID     string            `json:"UserPoolId"`
		ClientID       string            `json:"ClientId"`
		Username       string            `json:"Username"`
		AuthFlow       string            `json:"AuthFlow"`
		AuthParameters map[string]string `json:"AuthParameters"`
		AccessToken    string            `json:"AccessToken"`
		ChallengeName  string            `json:"ChallengeName"`
		Session        string            `json:"Session"`
		Responses      map[string]string `json:"ChallengeResponses"`
	}
	_ = json.Unmarshal(body, &in)
	if target == "GlobalSignOut" {
		// The user signs themselves out everywhere with their access token.
		var claims struct {
			Username string `json:"username"`
			Issuer   string `json:"iss"`
		}
		if !jwtClaims(in.AccessToken, &claims) || claims.Username == "" {
			writeErr(w, http.StatusBadRequest, "NotAuthorizedException", "Invalid Access Token")
			return
		}
		target, in.UserPoolID, in.Username = "AdminUserGlobalSignOut", claims.Issuer[strings.LastIndex(claims.Issuer, "/")+1:], claims.Username
	}
	switch target {
	case "AdminUserGlobalSignOut":
		u, err := p.getUser(r, in.UserPoolID, in.Username)
		if err != nil {
			writeErr(w, http.StatusBadRequest, "UserNotFoundException", "User does not exist.")
			return
		}
		p.mu.Lock()
		p.signedOut[in.UserPoolID+"/"+u.Username] = p.now().Unix()
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_, _ = w.Write([]byte("{}"))
		return
	case "RespondToAuthChallenge", "AdminRespondToAuthChallenge":
		pool := in.UserPoolID
		if pool == "" {
			pool = p.poolOf(r, in.ClientID)
		}
		u, err := p.getUser(r, pool, in.Responses["USERNAME"])
		if err != nil {
			writeErr(w, http.StatusBadRequest, "NotAuthorizedException", "Invalid session for the user.")
			return
		}
		if !u.Enabled {
			writeErr(w, http.StatusBadRequest, "NotAuthorizedException", "User is disabled.")
			return
		}
		p.mu.Lock()
		s, ok := p.sessions[in.Session]
		p.mu.Unlock()
		if !ok || s.pool != pool || s.username != u.Username || s.challenge != in.ChallengeName || !p.now().Before(s.expires) {
			writeErr(w, http.StatusBadRequest, "NotAuthorizedException", "Invalid session for the user, session is expired.")
			return
		}
		if p.forward(w, r, body, pool) {
			p.mu.Lock()
			delete(p.sessions, in.Session) // answered: used once
			p.mu.Unlock()
		}
		return
	default: // InitiateAuth, AdminInitiateAuth
		pool := in.UserPoolID
		if pool == "" {
			pool = p.poolOf(r, in.ClientID)
		}
		if msg := p.refuse(r, pool, in.AuthFlow, in.AuthParameters); msg != "" {
			writeErr(w, http.StatusBadRequest, "NotAuthorizedException", msg)
			return
		}
		p.forward(w, r, body, pool)
		return
	}
}

// forward sends a sign-in call to cognito-local, relays the answer and
// records the challenge Session it gives, if any. It reports whether the
// call succeeded.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, body []byte, pool string) bool {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, p.upstream.String()+"/", bytes.NewReader(body))
	if err != nil {
		writeErr(w, http.StatusInternalServerError, "InternalErrorException", err.Error())
		return false
	}
	for _, h := range []string{"Content-Type", "X-Amz-Target", "Authorization", "X-Amz-Date", "User-Agent"} {
		if v := r.Header.Get(h); v != "" {
			req.Header.Set(h, v)
		}
	}
	resp, err := p.client.Do(req)
	if err != nil {
		writeErr(w, http.StatusBadGateway, "InternalErrorException", "cognito-local: "+err.Error())
		return false
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		writeErr(w, http.StatusBadGateway, "InternalErrorException", "cognito-local: "+err.Error())
		return false
	}
	if resp.StatusCode == http.StatusOK && pool != "" {
		var ch struct {
			ChallengeName       string            `json:"ChallengeName"`
			Session             string            `json:"Session"`
			ChallengeParameters map[string]string `json:"ChallengeParameters"`
		}
		if json.Unmarshal(out, &ch) == nil && ch.ChallengeName != "" && ch.Session != "" {
			p.mu.Lock()
			now := p.now()
			for k, s := range p.sessions { // forget the stale ones
				if !now.Before(s.expires) {
					delete(p.sessions, k)
				}
			}
			p.sessions[ch.Session] = challengeSession{pool: pool, username: ch.ChallengeParameters["USER_ID_FOR_SRP"], challenge: ch.ChallengeName, expires: now.Add(SessionValidity)}
			p.mu.Unlock()
		}
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(out)
	return resp.StatusCode == http.StatusOK
}

// refuse says why a sign-in or refresh must fail, or "".
func (p *Proxy) refuse(r *http.Request, pool, flow string, params map[string]string) string {
	if pool == "" {
		return ""
	}
	var username string
	var issued int64
	switch flow {
	case "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH":
		username = params["USERNAME"]
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		var claims struct {
			Username string `json:"cognito:username"`
			IAT      int64  `json:"iat"`
		}
		if !jwtClaims(params["REFRESH_TOKEN"], &claims) {
			return "" // let cognito-local refuse it
		}
		username, issued = claims.Username, claims.IAT
	default:
		return ""
	}
	if username == "" {
		return ""
	}
	u, err := p.getUser(r, pool, username)
	if err != nil {
		return "" // unknown user: cognito-local answers as it does
	}
	if !u.Enabled {
		return "User is disabled."
	}
	if issued > 0 {
		p.mu.Lock()
		out, ok := p.signedOut[pool+"/"+u.Username]
		p.mu.Unlock()
		if ok && issued <= out {
			return "Refresh Token has been revoked"
		}
	}
	return ""
}

type upstreamUser struct {
	Username string `json:"Username"`
	Enabled  bool   `json:"Enabled"`
}

// getUser asks cognito-local (AdminGetUser) for the account.
func (p *Proxy) getUser(r *http.Request, pool, username string) (upstreamUser, error) {
	var u upstreamUser
	err := p.call(r, "AdminGetUser", map[string]string{"UserPoolId": pool, "Username": username}, &u)
	return u, err
}

// poolOf finds the pool of an app client (DescribeUserPoolClient needs the
// pool, so it lists the pools and their clients once per client id).
func (p *Proxy) poolOf(r *http.Request, clientID string) string {
	if clientID == "" {
		return ""
	}
	p.mu.Lock()
	pool, ok := p.pools[clientID]
	p.mu.Unlock()
	if ok {
		return pool
	}
	var pools struct {
		UserPools []struct{ Id string } `json:"UserPools"`
	}
	if p.call(r, "ListUserPools", map[string]any{"MaxResults": 60}, &pools) != nil {
		return ""
	}
	for _, up := range pools.UserPools {
		var clients struct {
			UserPoolClients []struct{ ClientId string } `json:"UserPoolClients"`
		}
		if p.call(r, "ListUserPoolClients", map[string]any{"UserPoolId": up.Id, "MaxResults": 60}, &clients) != nil {
			continue
		}
		for _, c := range clients.UserPoolClients {
			if c.ClientId == clientID {
				p.mu.Lock()
				p.pools[clientID] = up.Id
				p.mu.Unlock()
				return up.Id
			}
		}
	}
	return ""
}

// call makes one JSON call to cognito-local with the caller's signature
// headers (cognito-local checks none).
func (p *Proxy) call(r *http.Request, target string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, p.upstream.String()+"/", bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", targetPrefix+target)
	if auth := r.Header.Get("Authorization"); auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d", target, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func jwtClaims(token string, v any) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	return err == nil && json.Unmarshal(b, v) == nil
}

// writeErr answers as Cognito's JSON protocol does, which the SDK turns
// into the typed exception.
func writeErr(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("Access-Control-Allow-Origin", "*") // as cognito-local answers browsers
	w.Header().Set("Access-Control-Expose-Headers", "x-amzn-errortype, x-amzn-requestid")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}
