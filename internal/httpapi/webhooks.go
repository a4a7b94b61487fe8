package httpapi

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// webhookRoutes registers the incoming webhooks' endpoint.
func (a *API) webhookRoutes() {
	a.handle("POST /hooks/{id}/{secret}", a.postWebhook)
}

func (a *API) postWebhook(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	return events.APIGatewayV2HTTPResponse{}, chat.Errorf(chat.NotFound, "no such webhook")
}
