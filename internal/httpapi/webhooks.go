package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// webhookRoutes registers the incoming webhooks' endpoint.
func (a *API) webhookRoutes() {
	a.handle("POST /hooks/{id}/{secret}", a.postWebhook)
}

// WebhookBody is the JSON body of a post to a webhook.
type WebhookBody struct {
	// Text is Markdown (required unless there are attachments).
	Text string `json:"text"`
	// Username is shown instead of the webhook's name.
	Username string `json:"username,omitempty"`
	// Attachments are links (http or https) shown under the text.
	Attachments []WebhookAttachment `json:"attachments,omitempty"`
}

// WebhookAttachment is one link of a post.
type WebhookAttachment struct {
	URL   string `json:"url"`
	Title string `json:"title,omitempty"`
}

// WebhookReply is the answer to an accepted post (201; 200 for a retry
// with the same Idempotency-Key).
type WebhookReply struct {
	OK        bool   `json:"ok"`
	RoomID    string `json:"roomId"`
	Seq       int64  `json:"seq"`
	Duplicate bool   `json:"duplicate,omitempty"`
}

func (a *API) postWebhook(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	if a.chat == nil {
		return events.APIGatewayV2HTTPResponse{}, chat.Errorf(chat.Internal, "no chat service")
	}
	var body WebhookBody
	if err := r.DecodeJSON(&body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	p := service.WebhookPost{Text: body.Text, Username: body.Username, IdempotencyKey: r.Header("idempotency-key")}
	for _, att := range body.Attachments {
		p.Links = append(p.Links, service.WebhookLink{URL: att.URL, Title: att.Title})
	}
	res, err := a.chat.PostWebhook(ctx, r.Param("id"), r.Param("secret"), p)
	switch {
	case errors.Is(err, chat.ErrWebhookSecret):
		return events.APIGatewayV2HTTPResponse{}, Errorf(http.StatusUnauthorized, "unauthorized", "%s", chat.ErrorMessage(err))
	case errors.Is(err, chat.ErrWebhookRevoked):
		return events.APIGatewayV2HTTPResponse{}, Errorf(http.StatusNotFound, "revoked", "%s", chat.ErrorMessage(err))
	case err != nil:
		return events.APIGatewayV2HTTPResponse{}, err
	}
	status := http.StatusCreated
	if res.Duplicate {
		status = http.StatusOK
	}
	return JSON(status, WebhookReply{OK: true, RoomID: res.RoomID, Seq: res.Seq, Duplicate: res.Duplicate}), nil
}
