package localgw

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	"github.com/coder/websocket"
)

// managementClient is the real SDK client pointed at the gateway, set up as
// the Lambdas set it up (BaseEndpoint = WS_CALLBACK_URL).
func managementClient(t *testing.T, g *Gateway) *apigatewaymanagementapi.Client {
	t.Helper()
	httpClient := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(httpClient.CloseIdleConnections)
	return apigatewaymanagementapi.New(apigatewaymanagementapi.Options{
		BaseEndpoint: aws.String(g.CallbackURL()),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		HTTPClient:   httpClient,
	})
}

// idsWithSlashPlusEquals makes connection ids contain the characters the
// SDK must URL-escape.
func idsWithSlashPlusEquals(g *Gateway) {
	var n atomic.Int64
	g.newID = func() string { return fmt.Sprintf("a/b+%011d=", n.Add(1)) }
}

func isGone(err error) bool {
	var gone *types.GoneException
	return errors.As(err, &gone)
}

func TestManagementAPIWithTheRealSDK(t *testing.T) {
	rec := newRecorder()
	g := startGateway(t, Config{Routes: rec.allRoutes()})
	idsWithSlashPlusEquals(g)
	api := managementClient(t, g)
	ctx := testContext(t)
	c := mustDial(t, g, "", &websocket.DialOptions{HTTPHeader: http.Header{"User-Agent": {"sdk-test/2"}}})
	connect := rec.nextOf(t, RouteConnect)
	id := aws.String(connect.RequestContext.ConnectionID)
	if !strings.ContainsAny(*id, "/+=") {
		t.Fatalf("test id %q lacks the characters to escape", *id)
	}

	t.Run("PostToConnection delivers the raw body as one text frame", func(t *testing.T) {
		if _, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: id, Data: []byte(`{"event":"hello"}`)}); err != nil {
			t.Fatal(err)
		}
		if got := readText(t, c); got != `{"event":"hello"}` {
			t.Errorf("client got %q", got)
		}
		full := []byte(strings.Repeat("x", 128*1024))
		if _, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: id, Data: full}); err != nil {
			t.Fatalf("128 KiB post: %v", err)
		}
		if got := readText(t, c); len(got) != len(full) {
			t.Errorf("client got %d bytes, want %d", len(got), len(full))
		}
	})

	t.Run("PostToConnection over 128 KiB is PayloadTooLargeException", func(t *testing.T) {
		_, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: id, Data: make([]byte, 128*1024+1)})
		var tooLarge *types.PayloadTooLargeException
		if !errors.As(err, &tooLarge) {
			t.Errorf("err = %v, want PayloadTooLargeException", err)
		}
	})

	t.Run("GetConnection describes the connection", func(t *testing.T) {
		out, err := api.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: id})
		if err != nil {
			t.Fatal(err)
		}
		if out.ConnectedAt == nil || out.ConnectedAt.UnixMilli() != connect.RequestContext.ConnectedAt {
			t.Errorf("ConnectedAt = %v, want %d ms", out.ConnectedAt, connect.RequestContext.ConnectedAt)
		}
		if out.LastActiveAt == nil || out.LastActiveAt.Before(*out.ConnectedAt) {
			t.Errorf("LastActiveAt = %v", out.LastActiveAt)
		}
		if out.Identity == nil || aws.ToString(out.Identity.SourceIp) != "127.0.0.1" || aws.ToString(out.Identity.UserAgent) != "sdk-test/2" {
			t.Errorf("Identity = %+v", out.Identity)
		}
	})

	t.Run("DeleteConnection closes it and $disconnect runs", func(t *testing.T) {
		if _, err := api.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: id}); err != nil {
			t.Fatal(err)
		}
		if code := readCloseStatus(t, c); code != websocket.StatusNormalClosure {
			t.Errorf("client saw close %d, want 1000", code)
		}
		if ev := rec.nextOf(t, RouteDisconnect); ev.RequestContext.ConnectionID != *id {
			t.Errorf("$disconnect for %q", ev.RequestContext.ConnectionID)
		}
	})

	t.Run("a closed connection is GoneException for every operation", func(t *testing.T) {
		_, errPost := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: id, Data: []byte("x")})
		_, errGet := api.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: id})
		_, errDelete := api.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: id})
		for name, err := range map[string]error{"post": errPost, "get": errGet, "delete": errDelete} {
			if !isGone(err) {
				t.Errorf("%s: err = %v, want GoneException", name, err)
			}
		}
	})

	t.Run("an unknown id is GoneException", func(t *testing.T) {
		_, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String("AAAAAAAAAAAAAAA="), Data: []byte("x")})
		if !isGone(err) {
			t.Errorf("err = %v, want GoneException", err)
		}
	})
}

func TestGoneWireFormat(t *testing.T) {
	g := startGateway(t, Config{})
	resp, err := http.Post(g.CallbackURL()+"/@connections/"+"nope%2F%2B%3D", "application/octet-stream", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusGone || resp.Header.Get("x-amzn-ErrorType") != "GoneException" || !strings.Contains(string(body), `"message"`) {
		t.Errorf("status %d, error type %q, body %s", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), body)
	}
}

// TestPostDuringConnectIsGone: like API Gateway, the management API knows a
// connection only once its $connect has returned: a post (or a get) while
// $connect runs answers 410 GoneException, and the same connection then
// lives and receives posts. The backend's gone-cleanup must therefore not
// take a 410 as proof that a young connection is dead.
func TestPostDuringConnectIsGone(t *testing.T) {
	var g *Gateway
	var api *apigatewaymanagementapi.Client
	duringConnect := make(chan error, 2)
	ids := make(chan string, 1)
	connect := func(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		id := aws.String(ev.RequestContext.ConnectionID)
		_, errPost := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: id, Data: []byte("early")})
		_, errGet := api.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: id})
		duringConnect <- errPost
		duringConnect <- errGet
		ids <- *id
		return events.APIGatewayProxyResponse{StatusCode: 200}, nil
	}
	rec := newRecorder()
	routes := rec.allRoutes()
	routes[RouteConnect] = connect
	g = startGateway(t, Config{Routes: routes})
	api = managementClient(t, g)
	c := mustDial(t, g, "", nil)
	for _, what := range []string{"post", "get"} {
		if err := <-duringConnect; !isGone(err) {
			t.Errorf("%s during $connect: err = %v, want GoneException", what, err)
		}
	}
	// Established now: the same id is known and receives.
	ctx := testContext(t)
	id := <-ids
	if _, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte("later")}); err != nil {
		t.Fatalf("post after $connect: %v", err)
	}
	if got := readText(t, c); got != "later" {
		t.Errorf("client got %q, want the post made after $connect only", got)
	}
}
