package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/iceservers"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

const key = "0123456789abcdef0123456789abcdef-local-digest-key"

func noAWS(context.Context) (aws.Config, error) {
	panic("AWS configured for a key given in the environment")
}

// TestPrintsTheDerivedSecret: DIGEST_KEY read through the app's settings
// gives the secret the actions function signs TURN credentials with.
func TestPrintsTheDerivedSecret(t *testing.T) {
	t.Setenv(app.EnvDigestKey, key)
	t.Setenv(app.EnvDigestKeySecretARN, "")
	t.Setenv(app.EnvTURNSecretARN, "")
	c, err := app.CallSettingsFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), c, noAWS, &out); err != nil {
		t.Fatal(err)
	}
	want, err := iceservers.DeriveTURNSecret([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != want+"\n" {
		t.Errorf("printed %q, want %q", out.String(), want+"\n")
	}
	// A TURN server given this secret accepts the credentials the
	// deployment hands out: they are signed with it.
	src := &iceservers.TURN{Secret: strings.TrimSpace(out.String()), TURN: []string{"turn:turn.example:3478"}}
	servers, _, err := src.ICEServers(context.Background(), "u_ada", "r/k")
	if err != nil || len(servers) != 1 || servers[0].Credential != iceservers.Credential(want, servers[0].Username) {
		t.Errorf("credentials %+v, %v do not verify with the printed secret", servers, err)
	}
}

// TestRefusals: no key, a key too short, and a deployment with its own
// TURN secret (nothing to derive) each fail clearly and print nothing.
func TestRefusals(t *testing.T) {
	for name, c := range map[string]app.CallSettings{
		"no key":          {},
		"short key":       {DigestKey: "short"},
		"own TURN secret": {TURNSecretARN: "arn:aws:secretsmanager:eu-west-1:1:secret:turn", DigestKey: key},
	} {
		var out bytes.Buffer
		err := run(context.Background(), c, noAWS, &out)
		if err == nil || out.Len() != 0 {
			t.Errorf("%s: printed %q, error %v; want an error and nothing printed", name, out.String(), err)
		}
	}
}

// TestReadsTheKeyFromSecretsManager: DIGEST_KEY_SECRET_ARN is read with
// the real SDK client (the Secrets Manager stand-in under scripts/testenv,
// or LocalStack).
func TestReadsTheKeyFromSecretsManager(t *testing.T) {
	svc := testenv.NewSecretsManager(t)
	cfg := testenv.AWSConfig(t)
	arn := testenv.NewSecret(t, svc.Client(cfg), key)
	cfg.BaseEndpoint = aws.String(svc.Endpoint)
	var out bytes.Buffer
	err := run(context.Background(), app.CallSettings{DigestKeySecretARN: arn}, func(context.Context) (aws.Config, error) { return cfg, nil }, &out)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := iceservers.DeriveTURNSecret([]byte(key))
	if out.String() != want+"\n" {
		t.Errorf("printed %q, want %q", out.String(), want+"\n")
	}
}
