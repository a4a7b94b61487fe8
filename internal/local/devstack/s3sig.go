package devstack

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// S3 checks every request's signature; gofakes3 checks none. S3Verifier
// stands in front of it so that local tests refuse what S3 refuses:
//
//   - a request with neither an Authorization header nor a presigned query
//     (AccessDenied: the buckets are private);
//   - an unknown access key (InvalidAccessKeyId);
//   - a signature that does not match the request as received
//     (SignatureDoesNotMatch): since the canonical request is rebuilt from
//     what arrived, a PUT to a presigned URL whose Content-Length or
//     Content-Type differs from the signed one fails, as on S3;
//   - a presigned URL past X-Amz-Date + X-Amz-Expires (AccessDenied,
//     "Request has expired"), or with X-Amz-Expires over 7 days;
//   - a header-signed request more than 15 minutes off the clock
//     (RequestTimeTooSkewed);
//   - a body whose SHA-256 differs from X-Amz-Content-Sha256
//     (XAmzContentSHA256Mismatch);
//   - a body whose SHA-256 differs from x-amz-checksum-sha256 (BadDigest,
//     s3checksum.go).
//
// Not checked: the chunk signatures of aws-chunked (STREAMING-*) uploads
// (their seed signature is), and policies (any valid signature may do
// anything, as the bucket's owner may). CORS preflights (OPTIONS) carry no
// credentials on S3 either and pass.
type S3Verifier struct {
	Next http.Handler
	// Secrets maps access key ids to secret keys.
	Secrets map[string]string
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// MaxBody bounds the bodies read to check their hash (default 64 MiB).
	MaxBody int64

	sums checksums // per object version (s3checksum.go)
}

// Stand-in credentials: the in-process S3 knows this one key, the one
// devstack's SDKEnv gives clients of the local stack.
const (
	StandInAccessKey = "local"
	StandInSecretKey = "local"
)

const (
	sigAlgorithm    = "AWS4-HMAC-SHA256"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	maxPresignAge   = 7 * 24 * time.Hour
	maxClockSkew    = 15 * time.Minute
	amzDateLayout   = "20060102T150405Z"
)

type s3Error struct {
	status  int
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

func (v *S3Verifier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions {
		v.Next.ServeHTTP(w, r)
		return
	}
	e := v.verify(r)
	if e == nil {
		e = v.checkChecksum(r)
	}
	if e != nil {
		w.Header().Set("Content-Type", "application/xml")
		// Browsers must be able to read the error of a failed upload.
		if origin := r.Header.Get("Origin"); origin != "" {
			w.Header().Set("Access-Control-Allow-Origin", origin)
		}
		w.WriteHeader(e.status)
		_ = xml.NewEncoder(w).Encode(struct {
			XMLName xml.Name `xml:"Error"`
			*s3Error
		}{s3Error: e})
		return
	}
	w = v.sums.wrap(w, r)
	v.Next.ServeHTTP(w, headAsGet(r))
	finish(w)
}

func (v *S3Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// sigParams are the signature's inputs, from the header or the query.
type sigParams struct {
	accessKey, date, region, service string // from the credential scope
	amzDate                          string
	signedHeaders                    []string
	signature                        string
	payloadHash                      string
	presigned                        bool
}

func (v *S3Verifier) verify(r *http.Request) *s3Error {
	q := r.URL.Query()
	var p sigParams
	var err error
	switch {
	case q.Get("X-Amz-Algorithm") != "" || q.Get("X-Amz-Signature") != "":
		p, err = presignParams(q)
	case r.Header.Get("Authorization") != "":
		p, err = headerParams(r)
	default:
		return &s3Error{http.StatusForbidden, "AccessDenied", "Access Denied (the request is not signed)"}
	}
	if err != nil {
		return &s3Error{http.StatusBadRequest, "AuthorizationQueryParametersError", err.Error()}
	}
	secret, ok := v.Secrets[p.accessKey]
	if !ok {
		return &s3Error{http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."}
	}
	signedAt, err := time.Parse(amzDateLayout, p.amzDate)
	if err != nil {
		return &s3Error{http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Date must be in the ISO8601 Long Format"}
	}
	now := v.now()
	if p.presigned {
		expires, err := strconv.Atoi(q.Get("X-Amz-Expires"))
		switch {
		case err != nil || expires < 1:
			return &s3Error{http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Expires must be a positive number of seconds"}
		case time.Duration(expires)*time.Second > maxPresignAge:
			return &s3Error{http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"}
		case now.After(signedAt.Add(time.Duration(expires) * time.Second)):
			return &s3Error{http.StatusForbidden, "AccessDenied", "Request has expired"}
		case signedAt.After(now.Add(maxClockSkew)):
			return &s3Error{http.StatusForbidden, "AccessDenied", "Request is not valid yet"}
		}
	} else if d := now.Sub(signedAt); d > maxClockSkew || d < -maxClockSkew {
		return &s3Error{http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."}
	}
	if !contains(p.signedHeaders, "host") {
		return &s3Error{http.StatusBadRequest, "AuthorizationQueryParametersError", "SignedHeaders must include host"}
	}

	canonical := canonicalRequest(r, p)
	scope := strings.Join([]string{p.date, p.region, p.service, "aws4_request"}, "/")
	sum := sha256.Sum256([]byte(canonical))
	stringToSign := sigAlgorithm + "\n" + p.amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := hmacSHA256([]byte("AWS4"+secret), p.date)
	for _, part := range []string{p.region, p.service, "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	want := hex.EncodeToString(hmacSHA256(key, stringToSign))
	if !hmac.Equal([]byte(want), []byte(p.signature)) {
		return &s3Error{http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your key and signing method. Canonical request:\n" + canonical}
	}
	if !p.presigned {
		return v.checkPayload(r, p.payloadHash)
	}
	return nil
}

// checkPayload compares the body with its signed SHA-256, when it has one.
func (v *S3Verifier) checkPayload(r *http.Request, want string) *s3Error {
	if want == unsignedPayload || strings.HasPrefix(want, "STREAMING-") {
		return nil
	}
	max := v.MaxBody
	if max == 0 {
		max = 64 << 20
	}
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, max+1))
		if err != nil {
			return &s3Error{http.StatusBadRequest, "IncompleteBody", err.Error()}
		}
		if int64(len(body)) > max {
			return &s3Error{http.StatusBadRequest, "EntityTooLarge", fmt.Sprintf("the in-process S3 checks bodies up to %d bytes", max)}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	sum := sha256.Sum256(body)
	if got := hex.EncodeToString(sum[:]); got != want {
		return &s3Error{http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."}
	}
	return nil
}

func presignParams(q url.Values) (sigParams, error) {
	p := sigParams{presigned: true, amzDate: q.Get("X-Amz-Date"), signature: q.Get("X-Amz-Signature"), payloadHash: unsignedPayload}
	if q.Get("X-Amz-Algorithm") != sigAlgorithm {
		return p, fmt.Errorf("X-Amz-Algorithm only supports %q", sigAlgorithm)
	}
	if err := p.setCredential(q.Get("X-Amz-Credential")); err != nil {
		return p, err
	}
	p.signedHeaders = strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
	if h := q.Get("X-Amz-Content-Sha256"); h != "" {
		p.payloadHash = h
	}
	if p.signature == "" || p.amzDate == "" {
		return p, fmt.Errorf("query-string authentication requires X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders and X-Amz-Expires")
	}
	return p, nil
}

func headerParams(r *http.Request) (sigParams, error) {
	p := sigParams{amzDate: r.Header.Get("X-Amz-Date"), payloadHash: r.Header.Get("X-Amz-Content-Sha256")}
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, sigAlgorithm+" ")
	if !ok {
		return p, fmt.Errorf("only %s signatures are supported", sigAlgorithm)
	}
	for _, field := range strings.Split(rest, ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(field), "=")
		switch k {
		case "Credential":
			if err := p.setCredential(val); err != nil {
				return p, err
			}
		case "SignedHeaders":
			p.signedHeaders = strings.Split(val, ";")
		case "Signature":
			p.signature = val
		}
	}
	if p.signature == "" || p.accessKey == "" || p.amzDate == "" {
		return p, fmt.Errorf("the Authorization header is malformed")
	}
	if p.payloadHash == "" {
		return p, fmt.Errorf("missing required header for this request: x-amz-content-sha256")
	}
	return p, nil
}

func (p *sigParams) setCredential(c string) error {
	parts := strings.Split(c, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[3] != "s3" {
		return fmt.Errorf("the credential %q is malformed: expecting \"<YOUR-AKID>/YYYYMMDD/REGION/s3/aws4_request\"", c)
	}
	p.accessKey, p.date, p.region, p.service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

// canonicalRequest rebuilds SigV4's canonical request from the request as
// received (S3's rules: the path as sent, not normalized or re-escaped).
func canonicalRequest(r *http.Request, p sigParams) string {
	path, _, _ := strings.Cut(r.RequestURI, "?")
	if path == "" || strings.HasPrefix(path, "http") { // absolute-form: use the parsed URL
		path = r.URL.EscapedPath()
	}
	q := r.URL.Query()
	q.Del("X-Amz-Signature")
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var query []string
	for _, k := range keys {
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			query = append(query, awsEscape(k)+"="+awsEscape(v))
		}
	}
	var headers strings.Builder
	for _, h := range p.signedHeaders {
		headers.WriteString(h + ":" + headerValue(r, h) + "\n")
	}
	return strings.Join([]string{
		r.Method, path, strings.Join(query, "&"), headers.String(), strings.Join(p.signedHeaders, ";"), p.payloadHash,
	}, "\n")
}

func headerValue(r *http.Request, name string) string {
	switch name {
	case "host":
		return r.Host
	case "content-length":
		if r.ContentLength < 0 {
			return ""
		}
		if r.ContentLength == 0 && r.Header.Get("Content-Length") == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodDelete) {
			return ""
		}
		return strconv.FormatInt(r.ContentLength, 10)
	}
	vals := r.Header.Values(name)
	for i, v := range vals {
		vals[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(vals, ",")
}

// awsEscape is SigV4's URI encoding: everything but A-Z a-z 0-9 - _ . ~.
func awsEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
