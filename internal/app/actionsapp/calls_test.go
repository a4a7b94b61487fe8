package actionsapp

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/iceservers"
)

// TestICESource: none builds nothing; turn derives its secret from the
// digest key (the same secret the TURN server is configured with); kvs
// needs a channel's ARN.
func TestICESource(t *testing.T) {
	ctx := context.Background()
	if src, err := ICESource(ctx, aws.Config{}, app.CallSettings{ICE: "none"}); src != nil || err != nil {
		t.Errorf("none: %v, %v", src, err)
	}
	key := strings.Repeat("k", 40)
	src, err := ICESource(ctx, aws.Config{}, app.CallSettings{ICE: "turn", TURNURLs: []string{"turn:t.example:3478"}, STUNURLs: []string{"stun:t.example:3478"}, DigestKey: key})
	if err != nil {
		t.Fatal(err)
	}
	servers, _, err := src.ICEServers(ctx, "u_ada", "c")
	if err != nil || len(servers) != 2 {
		t.Fatalf("turn: %v, %v", servers, err)
	}
	secret, _ := iceservers.DeriveTURNSecret([]byte(key))
	if got := servers[1]; got.Credential != iceservers.Credential(secret, got.Username) {
		t.Errorf("the credential is not the derived secret's: %+v", got)
	}
	if _, err := ICESource(ctx, aws.Config{}, app.CallSettings{ICE: "turn", TURNURLs: []string{"http://t.example"}, DigestKey: key}); err == nil {
		t.Error("an http TURN URL was accepted")
	}
	if _, err := ICESource(ctx, aws.Config{}, app.CallSettings{ICE: "kvs", KVSChannelARN: "arn:aws:s3:::b"}); err == nil {
		t.Error("kvs with a bucket's ARN was accepted")
	}
	src, err = ICESource(ctx, aws.Config{Region: "eu-west-1"}, app.CallSettings{ICE: "kvs", KVSChannelARN: "arn:aws:kinesisvideo:eu-west-1:123456789012:channel/c/1"})
	if _, ok := src.(*iceservers.KVS); !ok || err != nil {
		t.Errorf("kvs: %T, %v", src, err)
	}
}
