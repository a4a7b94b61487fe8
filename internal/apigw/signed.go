package apigw

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// signingName is the SigV4 service name of the management API.
const signingName = "execute-api"

var octetStream = []string{"application/octet-stream"}

// emptyPayloadHash is the SHA-256 of no bytes (DELETE has no body).
const emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Poster posts to connections through the management API with requests it
// builds itself and signs with the SDK's SigV4 signer: no per-call
// middleware stack (endpoint resolution, request cloning, retry wrapping),
// which cost more than half the CPU and allocations of a post. A fan-out
// computes the payload's hash once per message (PreparePost).
//
// It keeps the SDK client's contract: 410 wraps chat.ErrGone, 429 and the
// throttling error types wrap chat.ErrThrottled and are not retried here
// (internal/fanout retries them), 5xx and broken connections are retried
// TransientAttempts times with full-jitter backoff, 413 is TooLarge,
// anything else Internal.
type Poster struct {
	http    aws.HTTPClient
	creds   aws.CredentialsProvider
	signer  *v4.Signer
	region  string
	scheme  string
	host    string
	rawBase string // escaped path of the stage + "/@connections/"
	base    string // unescaped path of the same

	sleep func(ctx context.Context, d time.Duration) bool
}

var _ chat.Poster = (*Poster)(nil)

// NewPoster returns a poster for callbackURL, the stage's base URL:
// https://{apiId}.execute-api.{region}.amazonaws.com/{stage} in AWS,
// http://127.0.0.1:{port}/{stage} with the local gateway. Region and
// credentials come from awsCfg; the credentials are cached (one Retrieve
// per expiry, not per post).
func NewPoster(awsCfg aws.Config, callbackURL string) (*Poster, error) {
	u, err := url.Parse(strings.TrimRight(callbackURL, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("apigw: callback URL %q: want http(s)://host/stage", callbackURL)
	}
	if awsCfg.Region == "" {
		return nil, errors.New("apigw: no region to sign with")
	}
	if awsCfg.Credentials == nil {
		return nil, errors.New("apigw: no credentials to sign with")
	}
	creds := awsCfg.Credentials
	if !aws.IsCredentialsProvider(creds, (*aws.CredentialsCache)(nil)) {
		creds = aws.NewCredentialsCache(creds)
	}
	return &Poster{
		http:    pooledHTTPClient(awsCfg.HTTPClient),
		creds:   creds,
		signer:  v4.NewSigner(),
		region:  awsCfg.Region,
		scheme:  u.Scheme,
		host:    u.Host,
		rawBase: u.EscapedPath() + "/@connections/",
		base:    u.Path + "/@connections/",
		sleep:   sleepCtx,
	}, nil
}

// Post sends payload to one connection as one text frame.
func (p *Poster) Post(ctx context.Context, connectionID string, payload []byte) error {
	return p.post(ctx, connectionID, payload, payloadHash(payload))
}

// PreparePost hashes payload once and returns a function posting it to one
// connection: what a fan-out calls per recipient. internal/fanout uses it
// when the poster has it.
func (p *Poster) PreparePost(payload []byte) func(ctx context.Context, connectionID string) error {
	hash := payloadHash(payload)
	return func(ctx context.Context, connectionID string) error {
		return p.post(ctx, connectionID, payload, hash)
	}
}

// Disconnect closes a connection from the server side (forced disconnect,
// ban). A connection that is already gone counts as disconnected.
func (p *Poster) Disconnect(ctx context.Context, connectionID string) error {
	err := p.do(ctx, http.MethodDelete, connectionID, nil, emptyPayloadHash, "disconnect connection")
	if err == nil || errors.Is(err, chat.ErrGone) {
		return nil
	}
	return err
}

func (p *Poster) post(ctx context.Context, connectionID string, payload []byte, hash string) error {
	return p.do(ctx, http.MethodPost, connectionID, payload, hash, "post to connection")
}

func payloadHash(payload []byte) string {
	sum := sha256.Sum256(payload)
	return hex.EncodeToString(sum[:])
}

// do sends one request, retrying transient failures.
func (p *Poster) do(ctx context.Context, method, connectionID string, body []byte, hash, what string) error {
	if connectionID == "" {
		return chat.Errorf(chat.Invalid, "empty connection id")
	}
	rawPath := p.rawBase + escapeSegment(connectionID)
	path := p.base + connectionID
	for attempt := 0; ; attempt++ {
		err := p.once(ctx, method, path, rawPath, body, hash)
		if err == nil {
			return nil
		}
		var t transient
		if !errors.As(err, &t) || attempt+1 >= TransientAttempts || ctx.Err() != nil {
			return classify(err, what)
		}
		if !p.sleep(ctx, rand.N(min(TransientBackoff<<attempt, TransientMaxDelay)+1)) {
			return classify(err, what)
		}
	}
}

// once sends and signs one attempt.
func (p *Poster) once(ctx context.Context, method, path, rawPath string, body []byte, hash string) error {
	creds, err := p.creds.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("apigw: credentials: %w", err)
	}
	req := &http.Request{
		Method:     method,
		URL:        &url.URL{Scheme: p.scheme, Host: p.host, Path: path, RawPath: rawPath},
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     make(http.Header, 4),
		Host:       p.host,
	}
	req = req.WithContext(ctx)
	if body != nil {
		req.ContentLength = int64(len(body))
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		req.Header["Content-Type"] = octetStream // what the SDK client sends (and signs)
	}
	if err := p.signer.SignHTTP(ctx, creds, req, hash, signingName, p.region, time.Now()); err != nil {
		return fmt.Errorf("apigw: sign: %w", err)
	}
	resp, err := p.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return transient{err}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096)) // keep the connection reusable
		return nil
	}
	return responseError(resp)
}

// ResponseError is a non-2xx answer of the management API.
type ResponseError struct {
	Status    int
	ErrorType string // x-amzn-ErrorType without its ":…" suffix
	Message   string
}

func (e *ResponseError) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("apigw: status %d %s: %s", e.Status, e.ErrorType, e.Message)
	}
	return fmt.Sprintf("apigw: status %d %s", e.Status, e.ErrorType)
}

func responseError(resp *http.Response) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	e := &ResponseError{Status: resp.StatusCode, ErrorType: resp.Header.Get("X-Amzn-Errortype")}
	var body struct {
		Message  string `json:"message"`
		Message2 string `json:"Message"`
		Type     string `json:"__type"`
	}
	if json.Unmarshal(data, &body) == nil {
		e.Message = body.Message + body.Message2
		if e.ErrorType == "" {
			e.ErrorType = body.Type
		}
	}
	// "LimitExceededException:http://internal.amazon.com/…" and
	// "com.amazon…#GoneException" both name the type last.
	e.ErrorType, _, _ = strings.Cut(e.ErrorType, ":")
	if i := strings.LastIndexByte(e.ErrorType, '#'); i >= 0 {
		e.ErrorType = e.ErrorType[i+1:]
	}
	switch {
	case e.Status >= 500 && e.Status != http.StatusNotImplemented,
		e.ErrorType == "RequestTimeout", e.ErrorType == "RequestTimeoutException":
		return transient{e}
	}
	return e
}

// transient marks a failure worth another attempt: a 5xx or a broken
// connection (the SDK's default retryables without throttling).
type transient struct{ err error }

func (t transient) Error() string { return t.err.Error() }
func (t transient) Unwrap() error { return t.err }

// throttleTypes are the SDK's throttling error codes (retry.DefaultThrottles)
// and API Gateway's LimitExceededException.
var throttleTypes = map[string]bool{
	"LimitExceededException":                 true,
	"Throttling":                             true,
	"ThrottlingException":                    true,
	"ThrottledException":                     true,
	"RequestThrottledException":              true,
	"TooManyRequestsException":               true,
	"ProvisionedThroughputExceededException": true,
	"TransactionInProgressException":         true,
	"RequestLimitExceeded":                   true,
	"BandwidthLimitExceeded":                 true,
	"RequestThrottled":                       true,
	"SlowDown":                               true,
	"PriorRequestNotComplete":                true,
	"EC2ThrottledException":                  true,
}

// classify maps a failure onto the domain's codes and sentinels; the
// cause stays in the chain for logs.
func classify(err error, what string) error {
	var re *ResponseError
	if errors.As(err, &re) {
		switch {
		case re.Status == http.StatusGone || re.ErrorType == "GoneException":
			return &chat.Error{Code: chat.NotFound, Message: "connection gone", Err: fmt.Errorf("%w: %w", chat.ErrGone, err)}
		case re.Status == http.StatusTooManyRequests || throttleTypes[re.ErrorType]:
			return &chat.Error{Code: chat.RateLimited, Message: "throttled", Err: fmt.Errorf("%w: %w", chat.ErrThrottled, err)}
		case re.Status == http.StatusRequestEntityTooLarge || re.ErrorType == "PayloadTooLargeException":
			return &chat.Error{Code: chat.TooLarge, Message: "message too large", Err: err}
		}
	}
	return chat.Wrap(err, "%s", what)
}

// escapeSegment escapes a connection id as one path segment the way the
// SDK does (every byte but A-Z a-z 0-9 - _ . ~): API Gateway ids are
// base64 and carry '/', '+' and '='.
func escapeSegment(s string) string {
	const hexDigits = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

// sleepCtx waits d, or less if ctx ends first; false when ctx ended.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
