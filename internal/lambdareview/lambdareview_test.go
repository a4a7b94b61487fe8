package lambdareview_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/lambdareview"
	"github.com/backchannel-chat/backchannel/internal/local/locallambda"
)

// reviewer is the adapter over the real SDK client, talking to the Lambda
// stand-in on a loopback port.
func reviewer(t testing.TB, function string) (*locallambda.Server, *lambdareview.Reviewer) {
	t.Helper()
	s, err := locallambda.Start("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	rv, err := lambdareview.New(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}, function)
	if err != nil {
		t.Fatal(err)
	}
	return s, rv
}

func register(s *locallambda.Server, name string, timeout time.Duration, h any) {
	s.Register(name, locallambda.Function{Handler: awslambda.NewHandler(h), Timeout: timeout})
}

func TestReviewSendsTheRequestAndDecodesTheVerdict(t *testing.T) {
	s, rv := reviewer(t, "arn:aws:lambda:us-east-1:123456789012:function:review")
	var seen chat.ReviewRequest
	register(s, "review", 0, func(ctx context.Context, r chat.ReviewRequest) (chat.ReviewVerdict, error) {
		seen = r
		return chat.ReviewVerdict{Action: chat.ReviewRewrite, Text: strings.ToUpper(r.Text)}, nil
	})
	v, err := rv.Review(t.Context(), chat.ReviewRequest{Kind: chat.ReviewSend, RoomID: "r1", SenderID: "u1", Text: "hi", Attachments: []string{"a.png"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Action != chat.ReviewRewrite || v.Text != "HI" {
		t.Fatalf("verdict %+v", v)
	}
	if seen.RoomID != "r1" || seen.SenderID != "u1" || seen.Kind != chat.ReviewSend || len(seen.Attachments) != 1 {
		t.Fatalf("the function saw %+v", seen)
	}
}

func TestReviewErrors(t *testing.T) {
	s, _ := reviewer(t, "x")
	register(s, "fails", 0, func(context.Context, chat.ReviewRequest) (chat.ReviewVerdict, error) {
		return chat.ReviewVerdict{}, errors.New("database down")
	})
	register(s, "shrugs", 0, func(context.Context, chat.ReviewRequest) (map[string]string, error) {
		return map[string]string{"action": "maybe"}, nil
	})
	register(s, "text", 0, func(context.Context, chat.ReviewRequest) (string, error) { return "ok", nil })
	register(s, "slow", 30*time.Millisecond, func(ctx context.Context, _ chat.ReviewRequest) (chat.ReviewVerdict, error) {
		<-ctx.Done()
		return chat.ReviewVerdict{}, ctx.Err()
	})
	for fn, want := range map[string]string{
		"fails":   "database down",
		"shrugs":  `action "maybe"`,
		"text":    "no verdict",
		"slow":    "Task timed out",
		"missing": "ResourceNotFoundException",
	} {
		_, err := reviewerOn(t, s.URL(), fn).Review(t.Context(), chat.ReviewRequest{Kind: chat.ReviewSend, Text: "x"})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: err = %v, want it to say %q", fn, err, want)
		}
	}
}

// The caller's deadline ends the invocation (the service's time budget).
func TestReviewHonoursTheCallersDeadline(t *testing.T) {
	s, rv := reviewer(t, "slow")
	register(s, "slow", time.Minute, func(ctx context.Context, _ chat.ReviewRequest) (chat.ReviewVerdict, error) {
		time.Sleep(2 * time.Second)
		return chat.ReviewVerdict{Action: chat.ReviewAllow}, nil
	})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err := rv.Review(ctx, chat.ReviewRequest{Kind: chat.ReviewSend, Text: "x"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if time.Since(begin) > time.Second {
		t.Fatal("waited past the deadline")
	}
}

func reviewerOn(t testing.TB, url, fn string) *lambdareview.Reviewer {
	rv, err := lambdareview.New(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}, fn)
	if err != nil {
		t.Fatal(err)
	}
	return rv
}
