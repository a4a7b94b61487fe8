package httpapi

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// commandRoutes registers the slash commands' delayed answers: the
// responseUrl of a command's payload (service.RespondToCommand).
func (a *API) commandRoutes() {
	a.handle("POST /api/v1/commands/respond/{token}", a.respondToCommand)
}

// CommandRespondReply is the answer to an accepted delayed answer (201).
type CommandRespondReply struct {
	OK     bool   `json:"ok"`
	RoomID string `json:"roomId"`
	Seq    int64  `json:"seq"`
}

// respondToCommand posts {"text", "visibility": "room"}. A forged or
// voided URL is 403 forbidden; an expired one 410 expired; one that took
// its answers 410 used_up (retrying cannot help either); a bad body 400.
func (a *API) respondToCommand(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	if a.chat == nil {
		return events.APIGatewayV2HTTPResponse{}, chat.Errorf(chat.Internal, "no chat service")
	}
	var body service.CommandReply
	if err := r.DecodeJSON(&body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	res, err := a.chat.RespondToCommand(ctx, r.Param("token"), body)
	switch chat.ErrorCode(err) {
	case "":
	case chat.SessionExpired:
		return events.APIGatewayV2HTTPResponse{}, Errorf(http.StatusGone, "expired", "%s", chat.ErrorMessage(err))
	case chat.RateLimited:
		return events.APIGatewayV2HTTPResponse{}, Errorf(http.StatusGone, "used_up", "%s", chat.ErrorMessage(err))
	default:
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSON(http.StatusCreated, CommandRespondReply{OK: true, RoomID: res.RoomID, Seq: res.Seq}), nil
}
