// Package pushsvc is a local stand-in for a Web Push service (the part of
// FCM, Mozilla autopush or Apple's service that an application server
// talks to): it implements the receiving side of RFC 8030 (push message
// delivery: POST to a subscription's endpoint, TTL, Urgency and Topic
// headers, 201 Created), checks the VAPID authorization (RFC 8292: an
// ES256 JWT whose aud is the service's origin, exp at most 24 h ahead, sub
// a mailto: or https: contact, signed by the key in k) and, since it holds
// the user agent's private keys of the subscriptions it made, decrypts
// the payload (RFC 8291, aes128gcm) so tests and `make dev` can read what
// was pushed.
//
// It serves HTTPS (endpoints are https URLs) with a certificate of its
// own: Client trusts it. A test tells it to answer 410 Gone for an
// endpoint (as a push service does for an unsubscribed one) with Gone.
//
// Over HTTP: POST /push/{id} (the push service), POST /subscriptions (a
// new browser-like subscription as JSON, for e2e tests and curl), GET
// /messages (what was received, decrypted).
package pushsvc

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Subscription is what a browser's PushManager.subscribe returns: the
// endpoint and the public keys (base64url), the shape pushSubscribe takes.
type Subscription struct {
	Endpoint string `json:"endpoint"`
	P256dh   string `json:"p256dh"`
	Auth     string `json:"auth"`
}

// Message is one push received and decrypted.
type Message struct {
	Endpoint   string          `json:"endpoint"`
	Payload    json.RawMessage `json:"payload"` // the decrypted plaintext (JSON for this chat)
	TTL        int             `json:"ttl"`
	Urgency    string          `json:"urgency,omitempty"`
	Topic      string          `json:"topic,omitempty"`
	Subject    string          `json:"subject"` // the VAPID JWT's sub
	VAPIDKey   string          `json:"vapidKey"`
	Bytes      int             `json:"bytes"` // the encrypted body's size
	ReceivedAt time.Time       `json:"receivedAt"`
}

type sub struct {
	priv *ecdh.PrivateKey
	auth []byte
	gone bool
}

// Server is a running stand-in.
type Server struct {
	srv *httptest.Server

	mu       sync.Mutex
	subs     map[string]*sub // by id (the endpoint's last segment)
	messages []Message
	refused  []string // why requests were refused, for tests
	wake     chan struct{}
}

// Start listens on 127.0.0.1 (a free port) with TLS.
func Start() *Server {
	s := &Server{subs: map[string]*sub{}, wake: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /push/{id}", s.push)
	mux.HandleFunc("GET /messages", s.list)
	mux.HandleFunc("POST /subscriptions", s.subscribe)
	s.srv = httptest.NewUnstartedServer(mux)
	s.srv.StartTLS()
	return s
}

// URL is the service's origin (https://127.0.0.1:PORT).
func (s *Server) URL() string { return s.srv.URL }

// Client is an HTTP client that trusts the stand-in's certificate.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// NewSubscription makes a subscription as a browser would: a fresh P-256
// key pair and auth secret, and an endpoint on this service.
func (s *Server) NewSubscription() (Subscription, error) {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return Subscription{}, err
	}
	auth := make([]byte, 16)
	idb := make([]byte, 12)
	if _, err := rand.Read(auth); err != nil {
		return Subscription{}, err
	}
	if _, err := rand.Read(idb); err != nil {
		return Subscription{}, err
	}
	id := hex.EncodeToString(idb)
	s.mu.Lock()
	s.subs[id] = &sub{priv: priv, auth: auth}
	s.mu.Unlock()
	b64 := base64.RawURLEncoding.EncodeToString
	return Subscription{Endpoint: s.srv.URL + "/push/" + id, P256dh: b64(priv.PublicKey().Bytes()), Auth: b64(auth)}, nil
}

// Gone makes the service answer 410 Gone for endpoint from now on, as for
// a subscription the user agent dropped.
func (s *Server) Gone(endpoint string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sb := s.subs[idOf(endpoint)]; sb != nil {
		sb.gone = true
	}
}

// Messages lists what was received, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Refused lists why requests were refused (bad VAPID, bad encryption…).
func (s *Server) Refused() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.refused...)
}

// Wait blocks until at least n messages were received for endpoint
// ("" any) or ctx ends, and returns them.
func (s *Server) Wait(ctx context.Context, endpoint string, n int) ([]Message, error) {
	for {
		s.mu.Lock()
		var got []Message
		for _, m := range s.messages {
			if endpoint == "" || m.Endpoint == endpoint {
				got = append(got, m)
			}
		}
		wake := s.wake
		s.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-ctx.Done():
			return got, ctx.Err()
		case <-wake:
		}
	}
}

func idOf(endpoint string) string { return endpoint[strings.LastIndex(endpoint, "/")+1:] }

func (s *Server) refuse(w http.ResponseWriter, code int, why string) {
	s.mu.Lock()
	s.refused = append(s.refused, why)
	s.mu.Unlock()
	http.Error(w, why, code)
}

// push is RFC 8030 §5: a push message delivery request.
func (s *Server) push(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	sb := s.subs[id]
	s.mu.Unlock()
	if sb == nil {
		s.refuse(w, http.StatusNotFound, "no such subscription")
		return
	}
	if sb.gone {
		http.Error(w, "subscription expired", http.StatusGone)
		return
	}
	ttl, err := strconv.Atoi(r.Header.Get("TTL"))
	if err != nil || ttl < 0 {
		s.refuse(w, http.StatusBadRequest, "TTL header missing or invalid (RFC 8030 §5.2)")
		return
	}
	urgency := r.Header.Get("Urgency")
	switch urgency {
	case "", "very-low", "low", "normal", "high":
	default:
		s.refuse(w, http.StatusBadRequest, "bad Urgency (RFC 8030 §5.3)")
		return
	}
	topic := r.Header.Get("Topic")
	if len(topic) > 32 || strings.Trim(topic, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
		s.refuse(w, http.StatusBadRequest, "bad Topic (RFC 8030 §5.4)")
		return
	}
	subject, vapidKey, err := verifyVAPID(r.Header.Get("Authorization"), s.srv.URL)
	if err != nil {
		s.refuse(w, http.StatusUnauthorized, "VAPID: "+err.Error())
		return
	}
	if r.Header.Get("Content-Encoding") != "aes128gcm" {
		s.refuse(w, http.StatusUnsupportedMediaType, "Content-Encoding must be aes128gcm (RFC 8291)")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4097))
	if err != nil {
		s.refuse(w, http.StatusBadRequest, "read body")
		return
	}
	if len(body) > 4096 {
		s.refuse(w, http.StatusRequestEntityTooLarge, "payload over 4096 bytes")
		return
	}
	plain, err := Decrypt(sb.priv, sb.auth, body)
	if err != nil {
		s.refuse(w, http.StatusBadRequest, "decrypt: "+err.Error())
		return
	}
	m := Message{
		Endpoint: s.srv.URL + "/push/" + id, Payload: json.RawMessage(plain), TTL: ttl, Urgency: urgency,
		Topic: topic, Subject: subject, VAPIDKey: vapidKey, Bytes: len(body), ReceivedAt: time.Now(),
	}
	if !json.Valid(plain) {
		m.Payload, _ = json.Marshal(string(plain))
	}
	s.mu.Lock()
	s.messages = append(s.messages, m)
	close(s.wake)
	s.wake = make(chan struct{})
	n := len(s.messages)
	s.mu.Unlock()
	w.Header().Set("Location", fmt.Sprintf("%s/messages#%d", s.srv.URL, n))
	w.WriteHeader(http.StatusCreated)
}

// list serves the received messages as JSON (make dev links it).
func (s *Server) list(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s.Messages())
}

// subscribe makes a subscription over HTTP (e2e tests, curl): the JSON of
// NewSubscription, to pass to pushSubscribe.
func (s *Server) subscribe(w http.ResponseWriter, _ *http.Request) {
	sub, err := s.NewSubscription()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(sub)
}

// Certificate is the stand-in's TLS certificate (to trust it beside the
// system's roots).
func (s *Server) Certificate() *x509.Certificate { return s.srv.Certificate() }

// ListHandler serves the received messages as JSON.
func (s *Server) ListHandler() http.Handler { return http.HandlerFunc(s.list) }

// verifyVAPID checks an RFC 8292 Authorization header ("vapid t=JWT,
// k=KEY") for origin and returns the JWT's sub and the key.
func verifyVAPID(header, origin string) (string, string, error) {
	rest, ok := strings.CutPrefix(header, "vapid ")
	if !ok {
		return "", "", errors.New(`Authorization must be "vapid t=…, k=…"`)
	}
	var t, k string
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		switch {
		case strings.HasPrefix(part, "t="):
			t = part[2:]
		case strings.HasPrefix(part, "k="):
			k = part[2:]
		}
	}
	if t == "" || k == "" {
		return "", "", errors.New("t and k are required")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(k, "="))
	if err != nil {
		return "", "", errors.New("k is not base64url")
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		return "", "", fmt.Errorf("k is not an uncompressed P-256 key: %v", err)
	}
	var claims jwt.RegisteredClaims
	_, err = jwt.ParseWithClaims(t, &claims, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithAudience(origin), jwt.WithExpirationRequired())
	if err != nil {
		return "", "", fmt.Errorf("JWT: %v", err)
	}
	if claims.ExpiresAt.After(time.Now().Add(24 * time.Hour)) {
		return "", "", errors.New("exp more than 24 hours ahead (RFC 8292 §2)")
	}
	if !strings.HasPrefix(claims.Subject, "mailto:") && !strings.HasPrefix(claims.Subject, "https:") {
		return "", "", fmt.Errorf("sub %q is not a mailto: or https: URL", claims.Subject)
	}
	return claims.Subject, k, nil
}

// Decrypt opens an aes128gcm body (RFC 8188) with the user agent's key
// pair and auth secret as RFC 8291 §3 derives the key: the header (salt,
// record size, the application server's ephemeral public key as key id),
// then the records; the last ends with the 0x02 delimiter and padding.
func Decrypt(priv *ecdh.PrivateKey, auth, body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("shorter than the header")
	}
	salt := body[:16]
	rs := binary.BigEndian.Uint32(body[16:20])
	idlen := int(body[20])
	if rs < 18 || len(body) < 21+idlen {
		return nil, errors.New("bad header")
	}
	if idlen != 65 {
		return nil, fmt.Errorf("key id is %d bytes, want the 65-byte application server key", idlen)
	}
	asPub, err := ecdh.P256().NewPublicKey(body[21 : 21+idlen])
	if err != nil {
		return nil, fmt.Errorf("application server key: %v", err)
	}
	secret, err := priv.ECDH(asPub)
	if err != nil {
		return nil, err
	}
	keyInfo := append(append([]byte("WebPush: info\x00"), priv.PublicKey().Bytes()...), asPub.Bytes()...)
	ikm, err := hkdf.Key(sha256.New, secret, auth, string(keyInfo), 32)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	records := body[21+idlen:]
	var out []byte
	for seq := uint64(0); len(records) > 0; seq++ {
		n := min(int(rs), len(records))
		rec := records[:n]
		records = records[n:]
		iv := bytes.Clone(nonce)
		for i := range 8 { // nonce XOR the record sequence number (RFC 8188 §2.3)
			iv[11-i] ^= byte(seq >> (8 * i))
		}
		plain, err := gcm.Open(nil, iv, rec, nil)
		if err != nil {
			return nil, fmt.Errorf("record %d: %v", seq, err)
		}
		plain = bytes.TrimRight(plain, "\x00")
		if len(plain) == 0 {
			return nil, fmt.Errorf("record %d has no delimiter", seq)
		}
		last := len(records) == 0
		switch d := plain[len(plain)-1]; {
		case last && d == 2, !last && d == 1:
		default:
			return nil, fmt.Errorf("record %d: delimiter %#x", seq, d)
		}
		out = append(out, plain[:len(plain)-1]...)
	}
	return out, nil
}
