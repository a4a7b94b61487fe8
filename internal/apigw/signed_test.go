package apigw_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/backchannel-chat/backchannel/internal/apigw"
	"github.com/backchannel-chat/backchannel/internal/local/apigwtest"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

// countingProvider counts how often the credentials are fetched.
type countingProvider struct{ n atomic.Int64 }

func (c *countingProvider) Retrieve(context.Context) (aws.Credentials, error) {
	c.n.Add(1)
	return aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret, SessionToken: "tok",
		CanExpire: false}, nil
}

func TestSignedPosterCachesCredentials(t *testing.T) {
	srv := standIn(t, nil)
	prov := &countingProvider{}
	cfg := testConfig("")
	cfg.Credentials = prov
	p, err := apigw.NewPoster(cfg, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if err := p.Post(context.Background(), "c", []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if n := prov.n.Load(); n != 1 {
		t.Errorf("credentials retrieved %d times for 20 posts, want 1", n)
	}
}

func TestPreparePostSendsTheSameRequests(t *testing.T) {
	srv := standIn(t, replies{"gone": apigwtest.Gone})
	p, err := apigw.NewPoster(testConfig(""), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"type":"message"}`)
	post := p.PreparePost(payload)
	for _, id := range []string{"a/b=", "c+d"} {
		if err := post(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
	if err := post(context.Background(), "gone"); err == nil {
		t.Error("prepared post to a gone id succeeded")
	}
	reqs := srv.Requests()
	if len(reqs) != 3 || string(reqs[0].Body) != string(payload) || reqs[1].ConnectionID != "c+d" {
		t.Errorf("requests = %+v", reqs)
	}
}

func TestNewPosterRefusesWhatItCannotSign(t *testing.T) {
	ok := testConfig("")
	noRegion := ok
	noRegion.Region = ""
	noCreds := ok
	noCreds.Credentials = nil
	for name, c := range map[string]struct {
		cfg aws.Config
		url string
	}{
		"no region":      {noRegion, "https://x.execute-api.eu-central-1.amazonaws.com/prod"},
		"no credentials": {noCreds, "https://x.execute-api.eu-central-1.amazonaws.com/prod"},
		"no host":        {ok, "/prod"},
		"not http":       {ok, "wss://x/prod"},
	} {
		if _, err := apigw.NewPoster(c.cfg, c.url); err == nil {
			t.Errorf("%s: NewPoster succeeded", name)
		}
	}
}
