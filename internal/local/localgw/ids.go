package localgw

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
)

// newConnectionID returns an id shaped like API Gateway's, e.g.
// "L0SM9cOFvHcCIhw=": 11 random bytes, standard base64, 16 characters.
// Real ids therefore contain '+', '/' and '=' and must be URL-escaped.
func newConnectionID() string { return randomBase64(11) }

// newRequestID returns a requestId/extendedRequestId/messageId shaped like
// API Gateway's WebSocket ones (same form as connection ids).
func newRequestID() string { return randomBase64(11) }

func randomBase64(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.StdEncoding.EncodeToString(b)
}

// newAPIID returns a 10-character lowercase alphanumeric id like "gy415nuibc".
func newAPIID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// newTraceID returns an X-Amzn-Trace-Id value: Root=1-{epoch hex}-{96-bit hex}.
func newTraceID(now time.Time) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return fmt.Sprintf("Root=1-%08x-%s", now.Unix(), hex.EncodeToString(b))
}

// newUUID returns a random version 4 UUID, the form of Lambda request ids.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
