package integration

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/backchannel-chat/backchannel/internal/apigw"
	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/inprocess"
	"github.com/backchannel-chat/backchannel/internal/local/localgw"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// testPassword satisfies any pool policy; cognito-local enforces none.
const testPassword = "Corr3ct-Horse-Battery!"

// stack is the whole chat running in-process: the real app (handlers,
// service, DynamoDB store, fan-out through the management API, Cognito
// verifier) behind a real local API Gateway, against the test
// environment's DynamoDB Local and cognito-local.
type stack struct {
	t      testing.TB
	awsCfg aws.Config
	pool   testenv.Pool
	table  string
	gw     *localgw.Gateway
	app    *inprocess.App
	cfg    app.Config
	users  atomic.Int64
}

// appConfig is the configuration the app was built from.
func (s *stack) appConfig() app.Config { return s.cfg }

// limits lets a test change the service's limits; most tests raise the
// rate limit so that only the rate-limit test meets it.
type limits func(*service.Config)

func generousLimits(c *service.Config) { c.RatePerWindow, c.ReadsPerWindow = 10_000, 10_000 }

// newStack starts a stack with its own table and user pool. It skips the
// test unless CHAT_INTEGRATION is set (testenv.AWSConfig does).
func newStack(t testing.TB, adjust limits) *stack {
	t.Helper()
	return newStackWithFiles(t, adjust, "")
}

// newStackWithFiles is newStack with file sharing on bucket (see
// newFilesBucket); "" leaves it off.
func newStackWithFiles(t testing.TB, adjust limits, bucket string, awsOpts ...func(*aws.Config)) *stack {
	t.Helper()
	return newStackWithConfig(t, adjust, bucket, nil, awsOpts...)
}

// newStackWithConfig is newStackWithFiles with the app's configuration
// edited by edit (nil: none) before the app is built.
func newStackWithConfig(t testing.TB, adjust limits, bucket string, edit func(*app.Config), awsOpts ...func(*aws.Config)) *stack {
	t.Helper()
	awsCfg := testenv.AWSConfig(t)
	for _, o := range awsOpts {
		o(&awsCfg)
	}
	s := &stack{t: t, awsCfg: awsCfg}
	s.table = testenv.NewTable(t, awsCfg)
	s.pool = testenv.NewUserPool(t, awsCfg)
	logger := slog.New(slog.NewJSONHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))

	// The app needs the gateway's callback URL and the gateway needs the
	// app's handlers: the routes call through s.app, set before any
	// connection can arrive.
	connection := func(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		return s.app.Connection.Handle(ctx, req)
	}
	actions := func(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		return s.app.Actions.Handle(ctx, req)
	}
	routes := map[string]localgw.Handler{
		localgw.RouteConnect: connection, localgw.RouteDisconnect: connection, localgw.RouteDefault: actions,
	}
	gw, err := localgw.New(localgw.Config{
		Routes: routes,
		Authorizer: func(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
			return s.app.Authorizer.Handle(ctx, req)
		},
		RouteResponses: true,
		Logger:         logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gw.Close() })
	s.gw = gw

	cfg := app.Config{
		TableName:      s.table,
		FilesBucket:    bucket,
		S3UsePathStyle: true,
		CallbackURL:    gw.CallbackURL(),
		Cognito:        app.CognitoConfig{Issuer: s.pool.Issuer, ClientID: s.pool.ClientID, JWKSURL: s.pool.JWKSURL},
		LogLevel:       slog.LevelWarn,
	}
	if edit != nil {
		edit(&cfg)
	}
	s.cfg = cfg
	metrics := t.Output()
	if _, bench := t.(*testing.B); bench {
		metrics = io.Discard // EMF lines are still built, as in Lambda
	}
	opts := []chatapp.Option{chatapp.WithAWSConfig(awsCfg), chatapp.WithLogger(logger), chatapp.WithMetrics(metrics)}
	if adjust != nil {
		opts = append(opts, chatapp.WithServiceConfig(adjust))
	}
	a, err := inprocess.Build(context.Background(), cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	s.app = a
	return s
}

// user is someone signed up in the stack's pool.
type user struct {
	name    string // the email's local part
	token   string // Cognito ID token
	id      string // the token's sub: the chat user id
	display string // the display name the token gives (see claimsOf)
}

// newUser signs a user up in cognito-local and signs them in.
func (s *stack) newUser(name, displayName string) user {
	s.t.Helper()
	token := testenv.SignUp(s.t, s.awsCfg, s.pool, name+"@example.com", testPassword, displayName)
	c := claimsOf(s.t, token)
	// The display name comes from the token's name claim; cognito-local
	// leaves it out of ID tokens, and the chat then uses the email's local
	// part.
	display := c.Name
	if display == "" {
		display = name
	}
	return user{name: name, token: token, id: c.Sub, display: display}
}

// connect opens a WebSocket for u with the token in the query string.
func (s *stack) connect(u user) *client {
	s.t.Helper()
	conn, resp, err := dial(s.t, s.gw.URL(), u.token)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		s.t.Fatalf("connect %s: status %d: %v", u.name, status, err)
	}
	return newClient(s.t, u.name, conn)
}

// online connects u and waits for its state, returning both.
func (s *stack) online(u user) (*client, protocol.StateEvent) {
	s.t.Helper()
	c := s.connect(u)
	st := decode[protocol.StateEvent](s.t, c.call(protocol.ActionGetState, nil, protocol.EventState))
	return c, st
}

// forceDisconnect closes a connection from the server side, through the
// management API as the backend would (DELETE @connections/{id}).
func (s *stack) forceDisconnect(connectionID string) {
	s.t.Helper()
	poster, err := apigw.NewPoster(s.awsCfg, s.gw.CallbackURL())
	if err != nil {
		s.t.Fatal(err)
	}
	if err := poster.Disconnect(context.Background(), connectionID); err != nil {
		s.t.Fatalf("delete connection %s: %v", connectionID, err)
	}
}

// post sends a payload to a connection through the management API.
func (s *stack) post(connectionID string) error {
	poster, err := apigw.NewPoster(s.awsCfg, s.gw.CallbackURL())
	if err != nil {
		return err
	}
	return poster.Post(context.Background(), connectionID, []byte(`{"type":"pong","time":0}`))
}

// idClaims are the ID token claims the tests look at.
type idClaims struct {
	Sub  string `json:"sub"`
	Name string `json:"name"`
}

// claimsOf reads a JWT's claims without verifying it (the server does).
func claimsOf(t testing.TB, token string) idClaims {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims idClaims
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Sub == "" {
		t.Fatalf("token has no sub: %s", payload)
	}
	return claims
}

// trio is the usual cast: three users, all online, each with their state.
type trio struct {
	s                      *stack
	ann, bob, cyd          user
	a, b, c                *client
	stateA, stateB, stateC protocol.StateEvent
}

func newTrio(t *testing.T, adjust limits) *trio {
	t.Helper()
	return newTrioWithFiles(t, adjust, "")
}

func newTrioWithFiles(t *testing.T, adjust limits, bucket string) *trio {
	t.Helper()
	s := newStackWithFiles(t, adjust, bucket)
	tr := &trio{s: s}
	tr.ann = s.newUser("ann", "Ann Archer")
	tr.bob = s.newUser("bob", "Bob Baker")
	tr.cyd = s.newUser("cyd", "Cyd Cole")
	tr.a, tr.stateA = s.online(tr.ann)
	tr.b, tr.stateB = s.online(tr.bob)
	tr.c, tr.stateC = s.online(tr.cyd)
	// Start every test from quiet connections: presence and join events of
	// the setup are not what the tests look at.
	tr.a.drain()
	tr.b.drain()
	tr.c.drain()
	return tr
}

// message builds a sendMessage payload.
func message(roomID, clientID, text string) map[string]any {
	return map[string]any{"roomId": roomID, "clientId": clientID, "text": text}
}

func room(roomID string) map[string]any { return map[string]any{"roomId": roomID} }
