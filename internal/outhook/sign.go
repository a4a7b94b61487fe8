// Package outhook signs and sends Backchannel's outbound HTTP requests:
// slash commands (the service calls a command's URL while the caller
// waits) and outgoing webhooks (the delivery function posts a room's
// messages to registered URLs, off the send path).
//
// Every request carries two headers:
//
//	X-Backchannel-Timestamp: <unix seconds>
//	X-Backchannel-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// A receiver recomputes the HMAC over the raw body with the secret it was
// shown once at registration, compares in constant time, and refuses a
// timestamp more than ReplayWindow away from its clock (Verify below is
// the reference; docs/INTEGRATIONS.md has a copy to paste).
package outhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names and the signature's version prefix.
const (
	HeaderTimestamp = "X-Backchannel-Timestamp"
	HeaderSignature = "X-Backchannel-Signature"
	// HeaderDelivery names one delivery (an outgoing webhook's event and
	// hook, a command call); the same delivery retried keeps it, so a
	// receiver can drop a repeat.
	HeaderDelivery   = "X-Backchannel-Delivery"
	SignatureVersion = "v1"
)

// ReplayWindow is how far a request's timestamp may be from the
// receiver's clock (either way) before Verify refuses it.
const ReplayWindow = 5 * time.Minute

// Signature is the v1 signature of body sent at ts with secret:
// "v1=" + hex(HMAC-SHA256(secret, "<unix seconds>." + body)).
func Signature(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(ts, 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return SignatureVersion + "=" + hex.EncodeToString(mac.Sum(nil))
}

// Sign sets the timestamp and signature headers of a request with body.
func Sign(h http.Header, secret string, now time.Time, body []byte) {
	ts := now.Unix()
	h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(HeaderSignature, Signature(secret, ts, body))
}

// Errors of Verify.
var (
	ErrMissing   = errors.New("outhook: missing timestamp or signature header")
	ErrStale     = errors.New("outhook: timestamp outside the replay window")
	ErrSignature = errors.New("outhook: signature does not match")
)

// Verify checks a received request's headers against its raw body: the
// timestamp within ReplayWindow of now, and a v1 signature (the header may
// list several, comma-separated, during a secret rotation) equal in
// constant time to the one secret gives. Receivers copy this function.
func Verify(secret string, h http.Header, body []byte, now time.Time) error {
	tsHeader, sigHeader := h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if tsHeader == "" || sigHeader == "" {
		return ErrMissing
	}
	ts, err := strconv.ParseInt(tsHeader, 10, 64)
	if err != nil {
		return ErrMissing
	}
	if d := now.Sub(time.Unix(ts, 0)); d > ReplayWindow || d < -ReplayWindow {
		return ErrStale
	}
	want := []byte(Signature(secret, ts, body))
	for _, sig := range strings.Split(sigHeader, ",") {
		if hmac.Equal([]byte(strings.TrimSpace(sig)), want) {
			return nil
		}
	}
	return ErrSignature
}
