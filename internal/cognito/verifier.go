package cognito

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Defaults for VerifierConfig's zero values.
const (
	DefaultCacheTTL           = time.Hour
	DefaultFetchTimeout       = 5 * time.Second
	DefaultMinRefetchInterval = 30 * time.Second
	DefaultLeeway             = 30 * time.Second
	// DefaultMaxStale bounds how long keys stay trusted after the JWKS
	// endpoint last confirmed them, while refreshes fail.
	DefaultMaxStale = 6 * time.Hour
)

// maxTokenBytes refuses absurd inputs before any parsing; Cognito ID tokens
// are 1 to 4 KB even with many groups.
const maxTokenBytes = 16 << 10

// VerifierConfig says which pool and app client tokens must come from.
type VerifierConfig struct {
	// Issuer is the pool URL, exactly as the tokens' iss claim:
	// https://cognito-idp.{region}.amazonaws.com/{poolId} (cognito-local:
	// http://127.0.0.1:{port}/{poolId}). Required.
	Issuer string
	// ClientID is the app client the tokens must be minted for (aud). Required.
	ClientID string
	// JWKSURL defaults to Issuer + "/.well-known/jwks.json".
	JWKSURL string
	// HTTPClient fetches the JWKS; defaults to a fresh http.Client.
	HTTPClient *http.Client
	// CacheTTL is how long fetched keys are trusted without a refetch.
	CacheTTL time.Duration
	// FetchTimeout bounds one JWKS fetch.
	FetchTimeout time.Duration
	// MinRefetchInterval is the least time between two JWKS fetches caused by
	// unknown kids or failures.
	MinRefetchInterval time.Duration
	// Now is the clock; defaults to time.Now.
	Now func() time.Time
	// Leeway is the clock skew tolerated on exp, nbf and iat.
	Leeway time.Duration
	// MaxStale is how long past its last confirmation by the JWKS endpoint a
	// cached key is still trusted while refreshes fail (the endpoint is
	// down, or answers garbage). Past it, tokens signed with that key are
	// refused with Internal until a fetch succeeds: a key the pool withdrew
	// while we could not see it stops working within CacheTTL + MaxStale.
	// Defaults to DefaultMaxStale; must not be shorter than CacheTTL.
	MaxStale time.Duration
}

// Verifier checks Cognito ID tokens. It is safe for concurrent use and meant
// to live as long as the process (the key cache is inside).
type Verifier struct {
	issuer   string
	clientID string
	leeway   time.Duration
	parser   *jwt.Parser
	keys     *jwksCache
}

// NewVerifier validates cfg and fills its defaults. It does not fetch keys:
// the first Verify does.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	// Cognito's iss never ends in "/"; a configured one that does would
	// refuse every token.
	issuer := strings.TrimRight(cfg.Issuer, "/")
	if err := checkURL(issuer); err != nil {
		return nil, fmt.Errorf("cognito: issuer: %w", err)
	}
	if cfg.ClientID == "" {
		return nil, errors.New("cognito: client id is required")
	}
	jwksURL := cfg.JWKSURL
	if jwksURL == "" {
		jwksURL = issuer + "/.well-known/jwks.json"
	}
	if err := checkURL(jwksURL); err != nil {
		return nil, fmt.Errorf("cognito: JWKS URL: %w", err)
	}
	if cfg.CacheTTL < 0 || cfg.FetchTimeout < 0 || cfg.MinRefetchInterval < 0 || cfg.Leeway < 0 || cfg.MaxStale < 0 {
		return nil, errors.New("cognito: durations must not be negative")
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	leeway := orDefault(cfg.Leeway, DefaultLeeway)
	ttl := orDefault(cfg.CacheTTL, DefaultCacheTTL)
	maxStale := orDefault(cfg.MaxStale, DefaultMaxStale)
	if maxStale < ttl {
		return nil, fmt.Errorf("cognito: MaxStale %s is shorter than CacheTTL %s", maxStale, ttl)
	}
	return &Verifier{
		issuer:   issuer,
		clientID: cfg.ClientID,
		leeway:   leeway,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(leeway),
			jwt.WithTimeFunc(now),
		),
		keys: &jwksCache{
			url:          jwksURL,
			client:       client,
			ttl:          ttl,
			maxStale:     maxStale,
			minRefetch:   orDefault(cfg.MinRefetchInterval, DefaultMinRefetchInterval),
			fetchTimeout: orDefault(cfg.FetchTimeout, DefaultFetchTimeout),
			now:          now,
		},
	}, nil
}

// Verify checks token as the package comment describes and returns who it
// names. Errors are *chat.Error: Invalid (not a token), Forbidden (a token we
// refuse) or Internal (keys unavailable).
func (v *Verifier) Verify(ctx context.Context, token string) (chat.Identity, error) {
	if token == "" {
		return chat.Identity{}, chat.Errorf(chat.Invalid, "missing token")
	}
	if len(token) > maxTokenBytes {
		return chat.Identity{}, chat.Errorf(chat.Invalid, "token too large")
	}
	var claims idTokenClaims
	parsed, err := v.parser.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		return v.signingKey(ctx, t)
	})
	if err != nil {
		return chat.Identity{}, classify(err, parsed)
	}
	if err := v.checkClaims(&claims); err != nil {
		return chat.Identity{}, err
	}
	return claims.identity(), nil
}

// signingKey is the jwt.Keyfunc: only ever an RSA key from the pool's JWKS.
func (v *Verifier) signingKey(ctx context.Context, t *jwt.Token) (any, error) {
	// WithValidMethods already refused other algs; checked again because
	// handing an RSA key to any other method is exactly key confusion.
	if t.Method != jwt.SigningMethodRS256 {
		return nil, chat.Errorf(chat.Forbidden, "token algorithm not allowed")
	}
	kid, _ := t.Header["kid"].(string)
	if kid == "" {
		return nil, chat.Errorf(chat.Forbidden, "token has no key id")
	}
	key, err := v.keys.key(ctx, kid)
	if err != nil {
		return nil, err
	}
	return key, nil
}

// checkClaims runs the Cognito-specific checks jwt does not do, after the
// signature and the time claims passed.
func (v *Verifier) checkClaims(c *idTokenClaims) error {
	switch {
	case c.Issuer != v.issuer:
		return chat.Errorf(chat.Forbidden, "token issuer mismatch")
	case c.TokenUse != "id":
		return chat.Errorf(chat.Forbidden, "token is not an ID token")
	case len(c.Audience) != 1 || c.Audience[0] != v.clientID:
		return chat.Errorf(chat.Forbidden, "token audience mismatch")
	case c.Subject == "":
		return chat.Errorf(chat.Forbidden, "token has no subject")
	case c.IssuedAt == nil:
		return chat.Errorf(chat.Forbidden, "token has no issue time")
	case c.AuthTime != nil && c.AuthTime.After(c.IssuedAt.Add(v.leeway)):
		return chat.Errorf(chat.Forbidden, "token authentication time after issue time")
	}
	return nil
}

// classify turns a jwt parse error into a client-safe coded error, keeping
// the cause for logs.
func classify(err error, parsed *jwt.Token) error {
	var coded *chat.Error
	if errors.As(err, &coded) {
		return coded // from signingKey: unknown kid, keys unavailable
	}
	refuse := func(code chat.Code, msg string) error {
		return &chat.Error{Code: code, Message: msg, Err: err}
	}
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return refuse(chat.Invalid, "malformed token")
	case parsed != nil && parsed.Header["alg"] != jwt.SigningMethodRS256.Alg():
		return refuse(chat.Forbidden, "token algorithm not allowed")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return refuse(chat.Forbidden, "token signature invalid")
	case errors.Is(err, jwt.ErrTokenExpired):
		return refuse(chat.Forbidden, "token expired")
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return refuse(chat.Forbidden, "token not valid yet")
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return refuse(chat.Forbidden, "token lacks a required claim")
	default:
		return refuse(chat.Forbidden, "invalid token")
	}
}

func checkURL(raw string) error {
	if raw == "" {
		return errors.New("required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", raw)
	}
	return nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}
