package apigw

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Poster posts to connections with the management API.
type Poster struct {
	client *apigatewaymanagementapi.Client
}

var _ chat.Poster = (*Poster)(nil)

// NewPoster wraps a client made by NewClient.
func NewPoster(client *apigatewaymanagementapi.Client) *Poster {
	return &Poster{client: client}
}

// Post sends payload to one connection as one text frame. Errors wrap
// chat.ErrGone (410: the connection no longer exists) or chat.ErrThrottled
// (429 or a throttling code: back off and retry), are TooLarge for a
// payload over the 128 KB message limit, and Internal otherwise.
func (p *Poster) Post(ctx context.Context, connectionID string, payload []byte) error {
	_, err := p.client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{
		ConnectionId: aws.String(connectionID),
		Data:         payload,
	})
	if err != nil {
		return classify(err, "post to connection")
	}
	return nil
}

// Disconnect closes a connection from the server side (forced disconnect,
// ban). A connection that is already gone counts as disconnected.
func (p *Poster) Disconnect(ctx context.Context, connectionID string) error {
	_, err := p.client.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{
		ConnectionId: aws.String(connectionID),
	})
	if err == nil || errors.Is(classify(err, ""), chat.ErrGone) {
		return nil
	}
	return classify(err, "disconnect connection")
}

var throttleCodes = retry.IsErrorThrottles(retry.DefaultThrottles)

// classify maps an SDK error onto the domain's codes and sentinels. The
// SDK error stays in the chain for logs.
func classify(err error, what string) error {
	var (
		gone     *types.GoneException
		limit    *types.LimitExceededException
		tooLarge *types.PayloadTooLargeException
		httpErr  *smithyhttp.ResponseError
	)
	switch {
	case errors.As(err, &gone):
		return &chat.Error{Code: chat.NotFound, Message: "connection gone", Err: fmt.Errorf("%w: %w", chat.ErrGone, err)}
	case errors.As(err, &limit),
		errors.As(err, &httpErr) && httpErr.HTTPStatusCode() == 429,
		throttleCodes.IsErrorThrottle(err) == aws.TrueTernary:
		return &chat.Error{Code: chat.RateLimited, Message: "throttled", Err: fmt.Errorf("%w: %w", chat.ErrThrottled, err)}
	case errors.As(err, &tooLarge):
		return &chat.Error{Code: chat.TooLarge, Message: "message too large", Err: err}
	default:
		return chat.Wrap(err, "%s", what)
	}
}
