package apigw

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/apigwtest"
)

func testConfig() aws.Config {
	return aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
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

func newPoster(t *testing.T, r replies) (*Poster, *apigwtest.Server) {
	t.Helper()
	srv := apigwtest.NewServer(apigwtest.Options{Respond: r.respond, Record: true})
	t.Cleanup(srv.Close)
	return NewPoster(NewClient(testConfig(), srv.URL)), srv
}

func TestPostSendsSignedRequestToEscapedConnectionPath(t *testing.T) {
	p, srv := newPoster(t, nil)
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
		t.Logf("id %q sent as %q", ids[i], req.EscapedPath)
		if !strings.HasPrefix(req.Authorization, "AWS4-HMAC-SHA256 ") {
			t.Errorf("request not SigV4-signed: %q", req.Authorization)
		}
	}
}

func TestPostMapsManagementAPIErrors(t *testing.T) {
	r := replies{
		"gone":       apigwtest.Gone,
		"limit":      apigwtest.Throttled,
		"plain429":   {Status: 429},
		"throttling": {Status: 400, ErrorType: "ThrottlingException"},
		"large":      apigwtest.TooLarge,
		"forbidden":  apigwtest.Forbidden,
		"broken":     apigwtest.Internal,
	}
	p, srv := newPoster(t, r)
	cases := []struct {
		id        string
		code      chat.Code
		gone      bool
		throttled bool
		attempts  int
	}{
		{id: "ok", code: ""},
		{id: "gone", code: chat.NotFound, gone: true, attempts: 1},
		{id: "limit", code: chat.RateLimited, throttled: true, attempts: 1},
		{id: "plain429", code: chat.RateLimited, throttled: true, attempts: 1},
		{id: "throttling", code: chat.RateLimited, throttled: true, attempts: 1},
		{id: "large", code: chat.TooLarge, attempts: 1},
		{id: "forbidden", code: chat.Internal, attempts: 1},
		// 5xx is transient: the SDK retries it, fan-out does not.
		{id: "broken", code: chat.Internal, attempts: transientAttempts},
	}
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
		if c.attempts > 0 {
			if n := countFor(srv, c.id); n != c.attempts {
				t.Errorf("%s: server saw %d attempts, want %d", c.id, n, c.attempts)
			}
		}
	}
}

func TestDisconnectDeletesAndTreatsGoneAsDone(t *testing.T) {
	p, srv := newPoster(t, replies{"gone": apigwtest.Gone, "forbidden": apigwtest.Forbidden})
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
}

func TestPostHonoursContextCancellation(t *testing.T) {
	p, _ := newPoster(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := p.Post(ctx, "c1", []byte("x"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled in chain", err)
	}
	if errors.Is(err, chat.ErrGone) || errors.Is(err, chat.ErrThrottled) {
		t.Errorf("cancellation misclassified: %v", err)
	}
}

func TestNewClientPoolsEnoughConnections(t *testing.T) {
	c := NewClient(testConfig(), "http://127.0.0.1:1/local")
	b, ok := c.Options().HTTPClient.(*awshttp.BuildableClient)
	if !ok {
		t.Fatalf("HTTPClient is %T, want *awshttp.BuildableClient", c.Options().HTTPClient)
	}
	tr := b.GetTransport()
	if tr.MaxIdleConnsPerHost != PoolSize || tr.MaxIdleConns < PoolSize {
		t.Errorf("idle pool %d per host / %d total, want %d", tr.MaxIdleConnsPerHost, tr.MaxIdleConns, PoolSize)
	}
	if got := aws.ToString(c.Options().BaseEndpoint); got != "http://127.0.0.1:1/local" {
		t.Errorf("BaseEndpoint = %q", got)
	}
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
