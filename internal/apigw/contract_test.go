package apigw_test

// The contract every management API poster keeps, run over both posters:
// the SDK's client (sdkposter, the baseline) and the hand-signed
// apigw.Poster. Over the loopback stand-in (apigwtest), over a server that
// checks the SigV4 signature from the spec, and over the local gateway's
// @connections with real WebSocket clients.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/apigw"
	"github.com/backchannel-chat/backchannel/internal/apigw/sdkposter"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/apigwtest"
	"github.com/backchannel-chat/backchannel/internal/local/localgw"
)

// poster is what both implementations offer.
type poster interface {
	Post(ctx context.Context, connectionID string, payload []byte) error
	Disconnect(ctx context.Context, connectionID string) error
}

type makePoster func(t testing.TB, cfg aws.Config, callbackURL string) poster

// implementations are the posters under contract.
var implementations = []struct {
	name string
	make makePoster
}{
	{"sdk", func(_ testing.TB, cfg aws.Config, u string) poster {
		return sdkposter.NewPoster(sdkposter.NewClient(cfg, u))
	}},
	{"signed", func(t testing.TB, cfg aws.Config, u string) poster {
		p, err := apigw.NewPoster(cfg, u)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}},
}

// forEach runs the contract once per implementation.
func forEach(t *testing.T, test func(t *testing.T, mk makePoster)) {
	for _, impl := range implementations {
		t.Run(impl.name, func(t *testing.T) { test(t, impl.make) })
	}
}

const (
	testKey    = "AKIDTEST"
	testSecret = "secret"
	testRegion = "eu-central-1"
)

func testConfig(session string) aws.Config {
	return aws.Config{
		Region:      testRegion,
		Credentials: credentials.NewStaticCredentialsProvider(testKey, testSecret, session),
	}
}

// replies maps connection ids to the reply the server gives them.
type replies map[string]apigwtest.Reply

func (r replies) respond(_, id string) apigwtest.Reply {
	if reply, ok := r[id]; ok {
		return reply
	}
	return apigwtest.OK
}

func standIn(t *testing.T, r replies) *apigwtest.Server {
	t.Helper()
	srv := apigwtest.NewServer(apigwtest.Options{Respond: r.respond, Record: true})
	t.Cleanup(srv.Close)
	return srv
}

func TestPostSendsSignedRequestToEscapedConnectionPath(t *testing.T) {
	forEach(t, func(t *testing.T, mk makePoster) {
		srv := standIn(t, nil)
		p := mk(t, testConfig(""), srv.URL)
		ids := []string{"L0SM9cOFvHcCIhw=", "ab+c/d/e=="} // API Gateway ids are base64
		payload := []byte(`{"type":"message.new"}`)
		for _, id := range ids {
			if err := p.Post(context.Background(), id, payload); err != nil {
				t.Fatalf("Post(%q): %v", id, err)
			}
		}
		reqs := srv.Requests()
		if len(reqs) != len(ids) {
			t.Fatalf("server saw %d requests, want %d", len(reqs), len(ids))
		}
		for i, req := range reqs {
			if req.Method != "POST" {
				t.Errorf("method = %s", req.Method)
			}
			segment, ok := strings.CutPrefix(req.EscapedPath, "/local/@connections/")
			if !ok {
				t.Fatalf("path %q is not under /local/@connections/", req.EscapedPath)
			}
			if strings.ContainsAny(segment, "/=+") {
				t.Errorf("id segment %q not escaped", segment)
			}
			if got, _ := url.PathUnescape(segment); got != ids[i] {
				t.Errorf("id segment %q decodes to %q, want %q", segment, got, ids[i])
			}
			if string(req.Body) != string(payload) {
				t.Errorf("body = %q", req.Body)
			}
			if !strings.HasPrefix(req.Authorization, "AWS4-HMAC-SHA256 ") {
				t.Errorf("request not SigV4-signed: %q", req.Authorization)
			}
		}
	})
}

func TestPostMapsManagementAPIErrors(t *testing.T) {
	r := replies{
		"gone":       apigwtest.Gone,
		"limit":      apigwtest.Throttled,
		"plain429":   {Status: 429},
		"plain410":   {Status: 410},
		"throttling": {Status: 400, ErrorType: "ThrottlingException"},
		"large":      apigwtest.TooLarge,
		"forbidden":  apigwtest.Forbidden,
		"broken":     apigwtest.Internal,
		"plain503":   {Status: 503},
	}
	cases := []struct {
		id        string
		code      chat.Code
		gone      bool
		throttled bool
		attempts  int
	}{
		{id: "ok", code: "", attempts: 1},
		{id: "gone", code: chat.NotFound, gone: true, attempts: 1},
		{id: "plain410", code: chat.NotFound, gone: true, attempts: 1},
		{id: "limit", code: chat.RateLimited, throttled: true, attempts: 1},
		{id: "plain429", code: chat.RateLimited, throttled: true, attempts: 1},
		{id: "throttling", code: chat.RateLimited, throttled: true, attempts: 1},
		{id: "large", code: chat.TooLarge, attempts: 1},
		{id: "forbidden", code: chat.Internal, attempts: 1},
		// 5xx is transient: the poster retries it, fan-out does not.
		{id: "broken", code: chat.Internal, attempts: apigw.TransientAttempts},
		{id: "plain503", code: chat.Internal, attempts: apigw.TransientAttempts},
	}
	forEach(t, func(t *testing.T, mk makePoster) {
		srv := standIn(t, r)
		p := mk(t, testConfig(""), srv.URL)
		for _, c := range cases {
			err := p.Post(context.Background(), c.id, []byte("x"))
			if got := chat.ErrorCode(err); got != c.code {
				t.Errorf("%s: code %q, want %q (err %v)", c.id, got, c.code, err)
			}
			if got := errors.Is(err, chat.ErrGone); got != c.gone {
				t.Errorf("%s: Is(ErrGone) = %v", c.id, got)
			}
			if got := errors.Is(err, chat.ErrThrottled); got != c.throttled {
				t.Errorf("%s: Is(ErrThrottled) = %v", c.id, got)
			}
			if n := countFor(srv, c.id); n != c.attempts {
				t.Errorf("%s: server saw %d attempts, want %d", c.id, n, c.attempts)
			}
		}
	})
}

func TestDisconnectDeletesAndTreatsGoneAsDone(t *testing.T) {
	forEach(t, func(t *testing.T, mk makePoster) {
		srv := standIn(t, replies{"gone": apigwtest.Gone, "forbidden": apigwtest.Forbidden})
		p := mk(t, testConfig(""), srv.URL)
		if err := p.Disconnect(context.Background(), "c1+/="); err != nil {
			t.Fatalf("Disconnect: %v", err)
		}
		if err := p.Disconnect(context.Background(), "gone"); err != nil {
			t.Errorf("Disconnect of a gone connection: %v, want nil", err)
		}
		if err := p.Disconnect(context.Background(), "forbidden"); chat.ErrorCode(err) != chat.Internal {
			t.Errorf("Disconnect forbidden: %v, want Internal", err)
		}
		reqs := srv.Requests()
		if len(reqs) == 0 || reqs[0].Method != "DELETE" || reqs[0].ConnectionID != "c1+/=" {
			t.Errorf("first request = %+v, want DELETE of c1+/=", reqs)
		}
	})
}

func TestPostHonoursContextCancellation(t *testing.T) {
	forEach(t, func(t *testing.T, mk makePoster) {
		srv := standIn(t, nil)
		p := mk(t, testConfig(""), srv.URL)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := p.Post(ctx, "c", []byte("x"))
		if err == nil {
			t.Fatal("Post with a cancelled context succeeded")
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled in the chain", err)
		}
		if srv.Count() != 0 {
			t.Errorf("server saw %d requests", srv.Count())
		}
	})
}

// TestSignatureVerifiesAgainstTheSpec: a server recomputes every request's
// SigV4 signature from the specification (not with the SDK's signer) and
// answers 403 InvalidSignatureException when it differs, as API Gateway
// does. Both posters must pass with long-term and with session
// credentials (X-Amz-Security-Token signed).
func TestSignatureVerifiesAgainstTheSpec(t *testing.T) {
	for _, session := range []string{"", "SESSIONTOKEN+/="} {
		t.Run(fmt.Sprintf("session=%v", session != ""), func(t *testing.T) {
			forEach(t, func(t *testing.T, mk makePoster) {
				v := &verifier{t: t, session: session}
				srv := httptest.NewServer(v)
				t.Cleanup(srv.Close)
				p := mk(t, testConfig(session), srv.URL+"/prod")
				for _, id := range []string{"L0SM9cOFvHcCIhw=", "a/b+c=", "plain"} {
					if err := p.Post(context.Background(), id, []byte(`{"text":"héllo"}`)); err != nil {
						t.Errorf("Post(%q): %v", id, err)
					}
					if err := p.Disconnect(context.Background(), id); err != nil {
						t.Errorf("Disconnect(%q): %v", id, err)
					}
				}
				if v.checked.Load() != 6 {
					t.Errorf("verified %d requests, want 6", v.checked.Load())
				}
			})
		})
	}
	t.Run("a wrong secret is refused", func(t *testing.T) {
		forEach(t, func(t *testing.T, mk makePoster) {
			srv := httptest.NewServer(&verifier{t: t, quiet: true})
			t.Cleanup(srv.Close)
			cfg := testConfig("")
			cfg.Credentials = credentials.NewStaticCredentialsProvider(testKey, "wrong", "")
			err := mk(t, cfg, srv.URL+"/prod").Post(context.Background(), "c", []byte("x"))
			if chat.ErrorCode(err) != chat.Internal || errors.Is(err, chat.ErrGone) {
				t.Errorf("err = %v, want Internal (403)", err)
			}
		})
	})
}

// verifier checks SigV4 (AWS4-HMAC-SHA256) as documented: canonical
// request with the path URI-encoded a second time, the signed headers,
// the payload's SHA-256, the scope date/region/execute-api/aws4_request.
type verifier struct {
	t       *testing.T
	session string
	quiet   bool
	checked atomic.Int64
}

func (v *verifier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := v.verify(r, body); err != nil {
		if !v.quiet {
			v.t.Errorf("%s %s: %v", r.Method, r.URL.EscapedPath(), err)
		}
		w.Header().Set("x-amzn-ErrorType", "InvalidSignatureException")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"message":"signature does not match"}`)
		return
	}
	v.checked.Add(1)
}

func (v *verifier) verify(r *http.Request, body []byte) error {
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return fmt.Errorf("authorization %q", auth)
	}
	fields := map[string]string{}
	for f := range strings.SplitSeq(rest, ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(f), "=")
		fields[k] = val
	}
	amzDate := r.Header.Get("X-Amz-Date")
	when, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return fmt.Errorf("X-Amz-Date %q: %v", amzDate, err)
	}
	if d := time.Since(when); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("X-Amz-Date %s is %v off", amzDate, d)
	}
	scope := when.Format("20060102") + "/" + testRegion + "/execute-api/aws4_request"
	if want := testKey + "/" + scope; fields["Credential"] != want {
		return fmt.Errorf("credential %q, want %q", fields["Credential"], want)
	}
	signed := strings.Split(fields["SignedHeaders"], ";")
	for _, must := range []string{"host", "x-amz-date"} {
		if !slices.Contains(signed, must) {
			return fmt.Errorf("%s not signed (%v)", must, signed)
		}
	}
	if r.Method == http.MethodPost && (r.Header.Get("Content-Type") != "application/octet-stream" || !slices.Contains(signed, "content-type")) {
		return fmt.Errorf("Content-Type %q (signed: %v), want application/octet-stream, signed, as the SDK sends it", r.Header.Get("Content-Type"), slices.Contains(signed, "content-type"))
	}
	if tok := r.Header.Get("X-Amz-Security-Token"); tok != v.session {
		return fmt.Errorf("X-Amz-Security-Token %q, want %q", tok, v.session)
	} else if tok != "" && !slices.Contains(signed, "x-amz-security-token") {
		return errors.New("x-amz-security-token not signed")
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != payloadHash {
		return fmt.Errorf("x-amz-content-sha256 %q, body hashes to %q", h, payloadHash)
	}
	var canonHeaders strings.Builder
	sorted := slices.Clone(signed)
	sort.Strings(sorted)
	for _, h := range sorted {
		var value string
		switch h {
		case "host":
			value = r.Host
		case "content-length":
			value = fmt.Sprint(r.ContentLength)
		default:
			value = strings.Join(r.Header.Values(h), ",")
		}
		canonHeaders.WriteString(h + ":" + strings.Join(strings.Fields(value), " ") + "\n")
	}
	canonical := strings.Join([]string{
		r.Method,
		uriEncode(r.URL.EscapedPath()), // non-S3 services: encoded a second time
		r.URL.RawQuery,
		canonHeaders.String(),
		strings.Join(sorted, ";"),
		payloadHash,
	}, "\n")
	crHash := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(crHash[:])
	key := []byte("AWS4" + testSecret)
	for _, part := range []string{when.Format("20060102"), testRegion, "execute-api", "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	if want := hex.EncodeToString(hmacSHA256(key, toSign)); fields["Signature"] != want {
		return fmt.Errorf("signature %s, want %s (canonical request %q)", fields["Signature"], want, canonical)
	}
	return nil
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// uriEncode encodes every byte but the unreserved ones and '/'.
func uriEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~/", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// TestContractOverTheLocalGateway posts to real WebSocket clients through
// the local gateway's @connections: delivered as one text frame, gone
// after a disconnect, and the server-side close.
func TestContractOverTheLocalGateway(t *testing.T) {
	forEach(t, func(t *testing.T, mk makePoster) {
		ids := make(chan string, 4)
		ok := func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
			if ev.RequestContext.RouteKey == localgw.RouteConnect {
				ids <- ev.RequestContext.ConnectionID
			}
			return events.APIGatewayProxyResponse{StatusCode: 200}, nil
		}
		g, err := localgw.New(localgw.Config{
			Routes: map[string]localgw.Handler{localgw.RouteConnect: ok, localgw.RouteDisconnect: ok},
			Logger: quietLogger(),
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = g.Close() })
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, _, err := websocket.Dial(ctx, g.URL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		id := <-ids
		p := mk(t, testConfig(""), g.CallbackURL())

		if err := p.Post(ctx, id, []byte(`{"type":"pong"}`)); err != nil {
			t.Fatalf("Post: %v", err)
		}
		typ, data, err := c.Read(ctx)
		if err != nil || typ != websocket.MessageText || string(data) != `{"type":"pong"}` {
			t.Fatalf("client read %v %q %v", typ, data, err)
		}
		if err := p.Post(ctx, "AAAAAAAAAAAAAAA=", []byte("x")); !errors.Is(err, chat.ErrGone) {
			t.Errorf("Post to an unknown id: %v, want ErrGone", err)
		}
		if err := p.Post(ctx, id, make([]byte, 128*1024+1)); chat.ErrorCode(err) != chat.TooLarge {
			t.Errorf("Post over 128 KiB: %v, want TooLarge", err)
		}
		if err := p.Disconnect(ctx, id); err != nil {
			t.Fatalf("Disconnect: %v", err)
		}
		if _, _, err := c.Read(ctx); websocket.CloseStatus(err) == -1 && err == nil {
			t.Errorf("client still open after Disconnect")
		}
		if err := p.Disconnect(ctx, id); err != nil {
			t.Errorf("second Disconnect: %v, want nil (gone counts as done)", err)
		}
	})
}

// With the SDK's default pool (10 idle connections per host) a burst of 64
// concurrent posts keeps only 10 connections afterwards, so every message
// re-dials about 54 (in AWS: 54 TCP + TLS handshakes per broadcast). Both
// posters keep them all.
func TestConnectionsAreReusedAcrossBursts(t *testing.T) {
	forEach(t, func(t *testing.T, mk makePoster) {
		const burst = 64
		// The server holds every request until the whole burst has arrived,
		// so a burst really has `burst` requests (and connections) open.
		var (
			mu      sync.Mutex
			arrived int
			release = make(chan struct{})
		)
		hold := func(_, _ string) apigwtest.Reply {
			mu.Lock()
			arrived++
			wait := release
			if arrived%burst == 0 {
				close(release)
				release = make(chan struct{})
			}
			mu.Unlock()
			select {
			case <-wait:
			case <-time.After(10 * time.Second): // safety net so a bug cannot hang the suite
			}
			return apigwtest.OK
		}
		srv := apigwtest.NewServer(apigwtest.Options{Respond: hold})
		t.Cleanup(srv.Close)

		var dials atomic.Int64
		dialer := &net.Dialer{}
		cfg := testConfig("")
		cfg.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				dials.Add(1)
				return dialer.DialContext(ctx, network, addr)
			}
		})
		p := mk(t, cfg, srv.URL)

		send := func() {
			var wg sync.WaitGroup
			for range burst {
				wg.Go(func() {
					if err := p.Post(context.Background(), "c", []byte("x")); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
		}
		send()
		first := dials.Load()
		if first != burst {
			t.Fatalf("burst 1 dialed %d connections, want %d", first, burst)
		}
		send()
		send()
		// A few re-dials are tolerated: a connection may not be back in the
		// pool at the instant the next burst starts.
		if again := dials.Load() - first; again > burst/8 {
			t.Errorf("bursts 2 and 3 dialed %d new connections (burst 1: %d), want them reused", again, first)
		}
	})
}

func countFor(srv *apigwtest.Server, id string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.ConnectionID == id {
			n++
		}
	}
	return n
}
