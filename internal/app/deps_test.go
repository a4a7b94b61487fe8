package app

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/backchannel-chat/backchannel"

// linked lists the packages pkg links as built for Lambda (make build).
func linked(t *testing.T, pkg string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-tags", "lambda.norpc", "-deps", "-f", "{{.ImportPath}}", pkg)
	cmd.Dir = "../.."
	cmd.Env = append(cmd.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", pkg, err, out)
	}
	return strings.Fields(string(out))
}

// Each function links only what it uses: the authorizer no DynamoDB, S3,
// service or fan-out (its cold start halves), the thumbnail function no
// DynamoDB or service, the connection function no S3 or Cognito, the
// actions function no Cognito, the stream function no service, fan-out
// or Cognito (internal/dynamo for the stream decoder and the room purger,
// and S3 for the file sweeper that deletes deleted messages' files), the
// push sender no service or S3, the VAPID key generator no table; and
// this package,
// which every function imports, no AWS SDK at all.
func TestFunctionsLinkOnlyWhatTheyUse(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not on PATH")
	}
	var (
		dynamodb = "github.com/aws/aws-sdk-go-v2/service/dynamodb"
		s3       = "github.com/aws/aws-sdk-go-v2/service/s3"
		sdk      = "github.com/aws/aws-sdk-go-v2/"
		store    = module + "/internal/dynamo"
		blobs    = module + "/internal/s3blob"
		svc      = module + "/internal/service"
		fan      = module + "/internal/fanout"
		cognito  = module + "/internal/cognito"
		jwt      = "github.com/golang-jwt/jwt"
	)
	for pkg, forbidden := range map[string][]string{
		module + "/functions/authorizer": {dynamodb, s3, store, blobs, svc, fan, "github.com/guregu/dynamo"},
		module + "/functions/thumbnail":  {dynamodb, store, svc, fan, cognito, jwt},
		// The review hook's Lambda client is the senders' (actions, scheduled).
		module + "/functions/connection": {s3, blobs, cognito, jwt, "github.com/aws/aws-sdk-go-v2/service/lambda"},
		module + "/functions/actions":    {cognito, jwt},
		// The stream function links S3 for the file sweeper (filesweep).
		module + "/functions/stream": {svc, fan, cognito, jwt, module + "/internal/apigw"},
		// The big rooms' worker: posts and cleans up, never queues (no
		// sqs producer client), no files, no Cognito.
		module + "/functions/fanout": {s3, blobs, cognito, jwt, module + "/internal/wsapi"},
		// The export worker: the service, the table, the bucket (and the
		// pool and SES for the ready email); no token verification, no
		// action dispatcher.
		module + "/functions/export": {cognito, jwt, module + "/internal/wsapi"},
		// The push sender: subscriptions, the secret and the push
		// services; no service, fan-out, S3 or Cognito. (jwt: the VAPID
		// signature, through webpush-go.)
		module + "/functions/pushsender": {s3, blobs, svc, fan, cognito, module + "/internal/wsapi", module + "/internal/apigw"},
		// The scheduled function: the service over the table and the
		// fan-out, the push queue; no files, no Cognito, no wsapi.
		module + "/functions/scheduled": {s3, blobs, cognito, jwt, module + "/internal/wsapi"},
		// The key generator: Secrets Manager only.
		module + "/functions/vapidkeys": {dynamodb, store, s3, svc, fan, cognito},
		// Nothing links the SDK's management API client any more: the
		// posts are hand-signed (internal/apigw).
		module + "/functions/actions#sdk": {"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi", module + "/internal/apigw/sdkposter"},
		module + "/internal/app":          {sdk, svc, module + "/internal/media"},
		// The digest and its unsubscribe endpoint: the table, SES, the
		// scheduler and the pool's AdminGetUser; no service, no fan-out,
		// no files, no token verifier.
		module + "/functions/digest":      {svc, fan, s3, blobs, cognito, jwt, module + "/internal/wsapi"},
		module + "/functions/unsubscribe": {svc, fan, s3, blobs, cognito, jwt, module + "/internal/wsapi"},
		// The link-preview worker: the service (change log, previews,
		// messageUpdated) and its S3 cache; no actions, no Cognito, and the
		// stream side (the enqueuer) is not the worker's.
		module + "/functions/unfurl": {cognito, jwt, module + "/internal/wsapi", module + "/internal/local", module + "/internal/notify"},
		// The HTTP API (webhooks, bots): the service over the table and the
		// fan-out, and the action table's binding (internal/wsapi: the bot
		// API calls actions through ActionHandler.Call, the WebSocket's
		// decode, budget and invokers); no files, no Cognito, nothing local.
		// It links golang-jwt since issue #17: the support widget's session
		// route signs visitor tokens (internal/visitor/vtoken).
		module + "/functions/httpapi": {s3, blobs, cognito, module + "/internal/local"},
	} {
		pkg, _, _ = strings.Cut(pkg, "#")
		deps := linked(t, pkg)
		if len(deps) < 10 {
			t.Fatalf("go list %s found almost nothing: %v", pkg, deps)
		}
		for _, dep := range deps {
			for _, bad := range forbidden {
				if dep == bad || strings.HasPrefix(dep, strings.TrimSuffix(bad, "/")+"/") {
					t.Errorf("%s links %s", pkg, dep)
				}
			}
		}
	}
}
