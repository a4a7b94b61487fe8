package wsapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/authorizer"
	"github.com/backchannel-chat/backchannel/internal/chat"
)

// visitorConnect completes a support widget visitor's $connect (issue
// #17): the authorizer verified the token and that the WebSocket's Origin
// is the token's; here, with the table at hand, the widget must still
// exist and still allow that origin (an admin may have removed it since),
// and the identity is registered with its widget. A refusal is 403.
func (h *ConnectionHandler) visitorConnect(ctx context.Context, rc events.APIGatewayWebsocketProxyRequestContext, v authorizer.Visitor, id chat.Identity) (chat.Identity, *events.APIGatewayProxyResponse) {
	if err := h.service.CheckVisitorConnect(ctx, v.WidgetID, v.Origin); err != nil {
		if chat.ErrorCode(err) == chat.Internal {
			h.log(ctx, rc, slog.LevelError, "visitor widget lookup failed", err)
			return id, &events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}
		}
		h.log(ctx, rc, slog.LevelInfo, "visitor refused: origin no longer allowed", err)
		return id, &events.APIGatewayProxyResponse{StatusCode: http.StatusForbidden, Body: chat.ErrorMessage(err)}
	}
	return withWidget(id, v.WidgetID), nil
}

// withWidget names the visitor's widget on its identity (stored with the
// connection).
func withWidget(id chat.Identity, widgetID string) chat.Identity {
	id.WidgetID = widgetID
	return id
}
