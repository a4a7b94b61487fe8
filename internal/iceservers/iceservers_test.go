package iceservers_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/backchannel-chat/backchannel/internal/iceservers"
)

const channelARN = "arn:aws:kinesisvideo:eu-west-1:123456789012:channel/backchannel-calls/1764500000000"

// fakeKVS speaks the two Kinesis Video Streams operations the KVS source
// calls, as AWS does: GetSignalingChannelEndpoint (REST/JSON, POST
// /getSignalingChannelEndpoint on the control plane) and, on the HTTPS
// endpoint that names, GetIceServerConfig (POST /v1/get-ice-server-config),
// both SigV4-signed for the service "kinesisvideo".
type fakeKVS struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	endpoints int
	configs   int
	deny      bool
	ttl       int
}

func newFakeKVS(t *testing.T) *fakeKVS {
	f := &fakeKVS{t: t, ttl: 300}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeKVS) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	auth := r.Header.Get("Authorization")
	if r.Method != http.MethodPost || !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDTEST/") || !strings.Contains(auth, "/eu-west-1/kinesisvideo/aws4_request") || r.Header.Get("X-Amz-Date") == "" {
		f.t.Errorf("%s %s: not SigV4-signed for kinesisvideo in eu-west-1: %q", r.Method, r.URL.Path, auth)
		http.Error(w, `{"message":"bad signature"}`, http.StatusForbidden)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil || in["ChannelARN"] != channelARN {
		f.t.Errorf("%s: body %s", r.URL.Path, body)
	}
	w.Header().Set("Content-Type", "application/json")
	if f.deny {
		w.Header().Set("X-Amzn-Errortype", "AccessDeniedException")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"message":"User is not authorized to perform: kinesisvideo:GetIceServerConfig"}`)
		return
	}
	switch r.URL.Path {
	case "/getSignalingChannelEndpoint":
		f.endpoints++
		cfg, _ := in["SingleMasterChannelEndpointConfiguration"].(map[string]any)
		if cfg == nil || cfg["Role"] != "MASTER" || len(cfg["Protocols"].([]any)) != 1 || cfg["Protocols"].([]any)[0] != "HTTPS" {
			f.t.Errorf("endpoint configuration = %v", cfg)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ResourceEndpointList": []map[string]string{
			{"Protocol": "HTTPS", "ResourceEndpoint": f.srv.URL},
		}})
	case "/v1/get-ice-server-config":
		f.configs++
		if in["Service"] != "TURN" {
			f.t.Errorf("GetIceServerConfig Service = %v", in["Service"])
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"IceServerList": []map[string]any{
			{"Uris": []string{"turn:35-158-1-2.t-4f9d8e1c.kinesisvideo.eu-west-1.amazonaws.com:443?transport=udp", "turns:35-158-1-2.t-4f9d8e1c.kinesisvideo.eu-west-1.amazonaws.com:443?transport=tcp"},
				"Username": "1764525900:djE6YXJu", "Password": "kXc9V2m1tJ0sYb3nQe8rWg==", "Ttl": f.ttl},
			{"Uris": []string{"turn:52-1-2-3.t-4f9d8e1c.kinesisvideo.eu-west-1.amazonaws.com:443?transport=udp"},
				"Username": "1764525900:djE6YXJv", "Password": "p2", "Ttl": f.ttl},
		}})
	default:
		f.t.Errorf("unexpected %s", r.URL.Path)
		http.NotFound(w, r)
	}
}

// kvsSource builds the source as the app does: the real SDK config with
// AWS_ENDPOINT_URL_KINESIS_VIDEO pointing the control plane at the fake.
func kvsSource(t *testing.T, f *fakeKVS, now *time.Time) *iceservers.KVS {
	t.Setenv("AWS_ENDPOINT_URL_KINESIS_VIDEO", f.srv.URL)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("eu-west-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")))
	if err != nil {
		t.Fatal(err)
	}
	k, err := iceservers.NewKVS(cfg, channelARN, "")
	if err != nil {
		t.Fatal(err)
	}
	k.Now = func() time.Time { return *now }
	return k
}

// TestKVSFetchesAndCaches: the SDK client finds the channel's endpoint, the
// signed GetIceServerConfig returns its TURN servers, and the answer is
// reused until shortly before its TTL.
func TestKVSFetchesAndCaches(t *testing.T) {
	f := newFakeKVS(t)
	now := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	k := kvsSource(t, f, &now)
	servers, exp, err := k.ICEServers(context.Background(), "u_ada", "d_x/k")
	if err != nil {
		t.Fatal(err)
	}
	if len(servers) != 3 || servers[0].URLs[0] != "stun:stun.kinesisvideo.eu-west-1.amazonaws.com:443" || servers[0].Username != "" ||
		servers[1].Username != "1764525900:djE6YXJu" || servers[1].Credential != "kXc9V2m1tJ0sYb3nQe8rWg==" || len(servers[1].URLs) != 2 ||
		servers[2].Credential != "p2" {
		t.Fatalf("servers = %+v", servers)
	}
	if !exp.Equal(now.Add(300 * time.Second)) {
		t.Errorf("expires = %v", exp)
	}
	// Within the TTL less the margin: cached, for every user.
	now = now.Add(300*time.Second - iceservers.DefaultKVSMargin - time.Second)
	if _, _, err := k.ICEServers(context.Background(), "u_bo", "d_x/k"); err != nil {
		t.Fatal(err)
	}
	if f.endpoints != 1 || f.configs != 1 {
		t.Errorf("calls: %d endpoint, %d config; want 1, 1", f.endpoints, f.configs)
	}
	// Close to expiry: fetched again (the endpoint stays cached).
	now = now.Add(2 * time.Second)
	_, exp2, err := k.ICEServers(context.Background(), "u_bo", "d_x/k")
	if err != nil || !exp2.After(exp) {
		t.Fatalf("refetch: %v, %v", exp2, err)
	}
	if f.endpoints != 1 || f.configs != 2 {
		t.Errorf("calls: %d endpoint, %d config; want 1, 2", f.endpoints, f.configs)
	}
}

// TestKVSErrors: a refusal is an error naming it, nothing is cached, and
// credentials without a lifetime are refused.
func TestKVSErrors(t *testing.T) {
	f := newFakeKVS(t)
	now := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	k := kvsSource(t, f, &now)
	f.deny = true
	if _, _, err := k.ICEServers(context.Background(), "u", "c"); err == nil || !strings.Contains(err.Error(), "not authorized") && !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("denied: %v", err)
	}
	f.deny = false
	f.ttl = 0
	if _, _, err := k.ICEServers(context.Background(), "u", "c"); err == nil {
		t.Fatal("credentials without a TTL were accepted")
	}
	f.ttl = 300
	if s, _, err := k.ICEServers(context.Background(), "u", "c"); err != nil || len(s) != 3 {
		t.Fatalf("after recovering: %v, %v", s, err)
	}
	if _, err := iceservers.NewKVS(aws.Config{}, "arn:aws:s3:::bucket", ""); err == nil {
		t.Error("a bucket ARN was taken for a channel")
	}
}

// TestTURNRESTCredentials: username "<expiry>:<userId>", credential
// base64(HMAC-SHA1(secret, username)), as coturn's use-auth-secret checks.
func TestTURNRESTCredentials(t *testing.T) {
	now := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	src := &iceservers.TURN{Secret: "north", STUN: []string{"stun:turn.example.org:3478"},
		TURN: []string{"turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp"},
		TTL:  time.Hour, Now: func() time.Time { return now }}
	servers, exp, err := src.ICEServers(context.Background(), "u_ada", "c")
	if err != nil {
		t.Fatal(err)
	}
	wantUser := "1796065200:u_ada" // 2026-11-30T19:00:00Z
	m := hmac.New(sha1.New, []byte("north"))
	m.Write([]byte(wantUser))
	want := base64.StdEncoding.EncodeToString(m.Sum(nil))
	if len(servers) != 2 || servers[0].Username != "" || servers[1].Username != wantUser || servers[1].Credential != want || !exp.Equal(now.Add(time.Hour)) {
		t.Fatalf("servers = %+v, expires %v", servers, exp)
	}
	// A pinned vector: base64(HMAC-SHA1("north", "1796065200:u_ada")).
	if got := iceservers.Credential("north", wantUser); got != "df/x9GopVLu46GYIkolZyILbNsk=" {
		t.Errorf("Credential = %s", got)
	}
	if _, _, err := src.ICEServers(context.Background(), "a:b", "c"); err == nil {
		t.Error("a user id with a colon made a username")
	}
	if _, _, err := (&iceservers.TURN{TURN: []string{"turn:x"}}).ICEServers(context.Background(), "u", "c"); err == nil {
		t.Error("no secret was accepted")
	}
}

// TestDeriveTURNSecret: HKDF from the deployment's key, stable, labelled
// apart from the key itself.
func TestDeriveTURNSecret(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	a, err := iceservers.DeriveTURNSecret(key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := iceservers.DeriveTURNSecret(key)
	c, _ := iceservers.DeriveTURNSecret([]byte(strings.Repeat("j", 32)))
	if a != b || a == c || len(a) < 40 || strings.Contains(a, "kkkk") {
		t.Errorf("derived %q %q %q", a, b, c)
	}
	if _, err := iceservers.DeriveTURNSecret([]byte("short")); err == nil {
		t.Error("a short key was accepted")
	}
}

func TestNoneAndURLs(t *testing.T) {
	s, exp, err := iceservers.None{}.ICEServers(context.Background(), "u", "c")
	if err != nil || s == nil || len(s) != 0 || !exp.IsZero() {
		t.Errorf("None = %v, %v, %v", s, exp, err)
	}
	if err := iceservers.CheckURLs([]string{"turn:a.example:3478?transport=udp", "turns:a.example:5349"}, "turn", "turns"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"http://a", "turn:", "stun:a.example", "turn:a b"} {
		if iceservers.CheckURLs([]string{bad}, "turn", "turns") == nil {
			t.Errorf("%q passed", bad)
		}
	}
}
