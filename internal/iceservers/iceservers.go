// Package iceservers hands out the STUN/TURN servers a call's browsers use
// for NAT traversal (chat.ICEServerSource), from one of three sources the
// deployment picks (ICE_SERVERS, `-c iceServers=kvs|turn|none`):
//
//   - KVS: the managed TURN of an Amazon Kinesis Video Streams signalling
//     channel. GetSignalingChannelEndpoint (HTTPS) names the channel's
//     endpoint, GetIceServerConfig there returns short-lived TURN URIs and
//     credentials (about five minutes). Nothing runs while nobody calls; it
//     costs the channel's monthly fee and TURN minutes in use. The answer
//     is cached until shortly before its credentials expire.
//   - TURN: a deployment's own STUN/TURN servers (coturn and the like)
//     with time-limited credentials after draft-uberti-behave-turn-rest:
//     username "<expiry unix seconds>:<userId>", credential
//     base64(HMAC-SHA1(secret, username)), the secret shared with the TURN
//     server (static-auth-secret). The secret is derived from the
//     deployment's existing HMAC key (HKDF-SHA256, label TURNSecretLabel),
//     or read from a secret the deployer names.
//   - None: no servers; browsers use host candidates (enough on one
//     machine: make dev).
package iceservers

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Source names (ICE_SERVERS).
const (
	SourceKVS  = "kvs"
	SourceTURN = "turn"
	SourceNone = "none"
)

// None hands out no servers.
type None struct{}

var _ chat.ICEServerSource = None{}

func (None) ICEServers(context.Context, string, string) ([]chat.ICEServer, time.Time, error) {
	return []chat.ICEServer{}, time.Time{}, nil
}

// TURNSecretLabel is the HKDF label deriving the TURN REST secret from the
// deployment's HMAC key (the digest's key: no new secret).
const TURNSecretLabel = "backchannel/turn/v1"

// DeriveTURNSecret derives the TURN REST shared secret from key (at least
// 32 bytes): HKDF-SHA256, no salt, info TURNSecretLabel, 32 bytes, as the
// base64 string a TURN server's static-auth-secret takes (the deployer
// configures their TURN server with it: docs/ARCHITECTURE.md "## Calls").
func DeriveTURNSecret(key []byte) (string, error) {
	if len(key) < 32 {
		return "", errors.New("iceservers: the key must be at least 32 bytes")
	}
	b, err := hkdf.Key(sha256.New, key, nil, TURNSecretLabel, 32)
	if err != nil {
		return "", err
	}
	return base64.RawStdEncoding.EncodeToString(b), nil
}

// DefaultTURNTTL is how long TURN REST credentials last.
const DefaultTURNTTL = 6 * time.Hour

// TURN hands out time-limited TURN REST credentials for its URLs.
type TURN struct {
	// Secret is the static-auth-secret shared with the TURN server.
	Secret string
	// STUN are stun: URLs (no credentials); TURN are turn:/turns: URLs.
	STUN, TURN []string
	// TTL is the credentials' lifetime (0: DefaultTURNTTL).
	TTL time.Duration
	Now func() time.Time
}

var _ chat.ICEServerSource = (*TURN)(nil)

// Credential is the TURN REST credential of username:
// base64(HMAC-SHA1(secret, username)).
func Credential(secret, username string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(username))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func (t *TURN) ICEServers(_ context.Context, userID, _ string) ([]chat.ICEServer, time.Time, error) {
	if t.Secret == "" || len(t.TURN) == 0 {
		return nil, time.Time{}, errors.New("iceservers: TURN needs a secret and at least one turn: URL")
	}
	if strings.Contains(userID, ":") {
		return nil, time.Time{}, fmt.Errorf("iceservers: a user id with a colon cannot be a TURN REST username: %q", userID)
	}
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	ttl := t.TTL
	if ttl <= 0 {
		ttl = DefaultTURNTTL
	}
	exp := now().Add(ttl).Truncate(time.Second)
	username := strconv.FormatInt(exp.Unix(), 10) + ":" + userID
	var out []chat.ICEServer
	if len(t.STUN) > 0 {
		out = append(out, chat.ICEServer{URLs: append([]string(nil), t.STUN...)})
	}
	out = append(out, chat.ICEServer{URLs: append([]string(nil), t.TURN...), Username: username, Credential: Credential(t.Secret, username)})
	return out, exp.UTC(), nil
}

// CheckURLs checks ICE server URLs: stun:, turn: or turns: with a host.
func CheckURLs(urls []string, schemes ...string) error {
	for _, u := range urls {
		scheme, rest, ok := strings.Cut(u, ":")
		if !ok || rest == "" || strings.ContainsAny(u, " \t\n,") {
			return fmt.Errorf("iceservers: %q is not an ICE server URL", u)
		}
		found := false
		for _, s := range schemes {
			found = found || scheme == s
		}
		if !found {
			return fmt.Errorf("iceservers: %q: want a %s URL", u, strings.Join(schemes, " or "))
		}
	}
	return nil
}
