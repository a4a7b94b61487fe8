package digestapp_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/digestapp"
	"github.com/backchannel-chat/backchannel/internal/digest"
)

func build(t *testing.T, prefs digest.PrefsSource) *digestapp.App {
	t.Helper()
	cfg := app.DigestConfig{TableName: "t", UserPoolID: "pool", SiteURL: "https://chat.example.com", From: "noreply@example.com",
		UnsubscribeURL: "https://u.example.com/", Key: strings.Repeat("k", 32), ScheduleGroup: "g",
		SchedulerRole: "arn:aws:iam::123456789012:role/s"}
	if err := cfg.ValidateSender(); err != nil {
		t.Fatal(err)
	}
	a, err := digestapp.Build(context.Background(), cfg, digestapp.WithAWSConfig(aws.Config{Region: "us-east-1"}), digestapp.WithPrefs(prefs))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestFunctionURLAdapter: the function URL's request reaches the
// unsubscribe handler (method, query, base64 body) and its answer comes
// back with status, headers and body.
func TestFunctionURLAdapter(t *testing.T) {
	prefs := digest.NewMemPrefs()
	a := build(t, prefs)
	req := events.LambdaFunctionURLRequest{RawPath: "/", RawQueryString: "t=forged", Headers: map[string]string{"accept-language": "de-DE"}}
	req.RequestContext.HTTP.Method = "GET"
	res, err := a.HandleURL(context.Background(), req)
	if err != nil || res.StatusCode != 400 || !strings.Contains(res.Body, "Dieser Link ist ungültig") ||
		!strings.Contains(res.Headers["Content-Security-Policy"], "default-src 'none'") {
		t.Fatalf("GET forged: %v %+v", err, res)
	}
	// A valid link: GET shows the button and changes nothing.
	signer, _ := digest.NewSigner([]byte(strings.Repeat("k", 32)))
	req.RawQueryString = "t=" + signer.Token("user-1", testNow)
	res, _ = a.HandleURL(context.Background(), req)
	if p, _ := prefs.EmailPrefs(context.Background(), "user-1"); res.StatusCode != 200 || !strings.Contains(res.Body, `<form method="post">`) || !p.Enabled {
		t.Fatalf("GET valid: %+v, enabled %v", res, p.Enabled)
	}
	// A POST body arrives base64-encoded; a forged form token is refused.
	req.RequestContext.HTTP.Method = "POST"
	req.RawQueryString = ""
	req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte("t=forged")), true
	res, _ = a.HandleURL(context.Background(), req)
	if res.StatusCode != 400 {
		t.Fatalf("POST forged: %+v", res)
	}
}

// TestMalformedScheduleEventIsDropped: not retried (nil error).
func TestMalformedScheduleEventIsDropped(t *testing.T) {
	a := build(t, digest.NewMemPrefs())
	if err := a.HandleSchedule(context.Background(), json.RawMessage(`"nope"`)); err != nil {
		t.Fatalf("malformed event: %v", err)
	}
}

var testNow = mustTime("2026-11-30T09:00:00Z")

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
