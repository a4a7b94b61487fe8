package sdkposter

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/backchannel-chat/backchannel/internal/apigw"
)

// The behaviour is tested by the contract suite in internal/apigw, which
// runs over this poster and the hand-signed one.

func TestNewClientPoolsEnoughConnections(t *testing.T) {
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	c := NewClient(cfg, "http://127.0.0.1:1/local")
	b, ok := c.Options().HTTPClient.(*awshttp.BuildableClient)
	if !ok {
		t.Fatalf("HTTPClient is %T, want *awshttp.BuildableClient", c.Options().HTTPClient)
	}
	tr := b.GetTransport()
	if tr.MaxIdleConnsPerHost != apigw.PoolSize || tr.MaxIdleConns < apigw.PoolSize {
		t.Errorf("idle pool %d per host / %d total, want %d", tr.MaxIdleConnsPerHost, tr.MaxIdleConns, apigw.PoolSize)
	}
	if got := aws.ToString(c.Options().BaseEndpoint); got != "http://127.0.0.1:1/local" {
		t.Errorf("BaseEndpoint = %q", got)
	}
}
