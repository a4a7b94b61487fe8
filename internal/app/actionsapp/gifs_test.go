package actionsapp_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/actionsapp"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

// TestGifProviderReadsTheKeySecret reads the GIF provider's key the way
// the actions function does in AWS (GetSecretValue on
// GIF_API_KEY_SECRET_ARN, at cold start) from Secrets Manager (the
// stand-in internal/local/localsecrets, or LocalStack), and searches the
// provider stand-in with it.
func TestGifProviderReadsTheKeySecret(t *testing.T) {
	svc := testenv.NewSecretsManager(t)
	cfg := testenv.AWSConfig(t)
	_, local := testenv.NewGifProvider(t)
	ctx := context.Background()
	arn := testenv.NewSecret(t, svc.Client(cfg), testenv.GifTestKey)
	p, err := actionsapp.GifProvider(ctx, cfg, app.GifSettings{KeySecretARN: arn, EndpointURL: local.EndpointURL, MediaOrigins: local.MediaOrigins}, nil)
	if err != nil || p == nil {
		t.Fatalf("provider %v, %v", p, err)
	}
	page, err := p.SearchGifs(ctx, chat.GifQuery{Query: "wave", Limit: 5})
	if err != nil || len(page.Results) != 1 {
		t.Fatalf("search %+v, %v", page, err)
	}
	// An empty secret turns GIFs off; no key at all too; a missing secret
	// fails the cold start.
	empty := testenv.NewSecret(t, svc.Client(cfg), " ")
	if p, err := actionsapp.GifProvider(ctx, cfg, app.GifSettings{KeySecretARN: empty}, nil); p != nil || err != nil {
		t.Errorf("empty secret: %v, %v", p, err)
	}
	if p, err := actionsapp.GifProvider(ctx, cfg, app.GifSettings{}, nil); p != nil || err != nil {
		t.Errorf("no key: %v, %v", p, err)
	}
	if _, err := actionsapp.GifProvider(ctx, cfg, app.GifSettings{KeySecretARN: arn + "-missing"}, nil); err == nil {
		t.Error("a missing secret: no error")
	}
}

// TestGifProviderChoosesTheAdapter: GIF_PROVIDER picks Tenor (default) or
// Giphy; an empty key leaves GIFs off.
func TestGifProviderChoosesTheAdapter(t *testing.T) {
	ctx := context.Background()
	for provider, want := range map[string]string{"": "tenor", "tenor": "tenor", "giphy": "giphy"} {
		p, err := actionsapp.GifProvider(ctx, aws.Config{}, app.GifSettings{Provider: provider, Key: "k"}, nil)
		if err != nil || p == nil || p.Provider() != want {
			t.Errorf("%q: %v, %v", provider, p, err)
		}
	}
}
