package localgw

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/coder/websocket"
)

func benchGateway(b *testing.B) *Gateway {
	echo := func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: ev.Body}, nil
	}
	g, err := New(Config{RouteResponses: true, Routes: map[string]Handler{RouteDefault: echo}, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	if err := g.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = g.Close() })
	return g
}

// BenchmarkMessageRoundTrip: client frame → route selection → handler →
// route response frame back to the client.
func BenchmarkMessageRoundTrip(b *testing.B) {
	g := benchGateway(b)
	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, g.URL(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseNow()
	msg := []byte(`{"action":"sendMessage","roomId":"r1","text":"hello"}`)
	for b.Loop() {
		if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.Read(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPostToConnection: one SDK PostToConnection call delivered to the client.
func BenchmarkPostToConnection(b *testing.B) {
	g := benchGateway(b)
	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, g.URL(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseNow()
	var id string
	g.mu.Lock()
	for k := range g.conns {
		id = k
	}
	g.mu.Unlock()
	api := apigatewaymanagementapi.New(apigatewaymanagementapi.Options{BaseEndpoint: aws.String(g.CallbackURL()), Region: "us-east-1",
		Credentials: aws.AnonymousCredentials{}})
	data := []byte(`{"event":"message","text":"hello"}`)
	for b.Loop() {
		if _, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &id, Data: data}); err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.Read(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
