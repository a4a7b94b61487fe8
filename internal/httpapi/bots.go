package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/wsapi"
)

// The bot API (issue #16; docs/INTEGRATIONS.md "Bots and the HTTP API"): a
// bot token as the bearer credential, and the WebSocket protocol's actions
// over HTTP. Every route ends in wsapi.ActionHandler.Call, which decodes the
// request as a frame of that action, charges the same rate budget and
// calls the same service method, so the access policy (a bot only in the
// rooms it was added to) applies exactly as over the WebSocket.
//
//	POST /api/v1/actions/{action}                body: the action's request fields
//	GET  /api/v1/me                              the bot's own profile
//	GET  /api/v1/rooms                           its rooms (getState)
//	GET  /api/v1/rooms/{roomId}/members          listMembers
//	GET  /api/v1/rooms/{roomId}/messages         history (?before=&after=&limit=)
//	POST /api/v1/rooms/{roomId}/messages         sendMessage {"text", "clientId"?, "parentSeq"?}
//	GET  /api/v1/rooms/{roomId}/messages/{seq}/replies   threadHistory
//	POST /api/v1/rooms/{roomId}/messages/{seq}/replies   sendMessage with parentSeq
//	POST /api/v1/rooms/{roomId}/messages/{seq}/reactions react {"emoji", "on"?}
//	DELETE /api/v1/rooms/{roomId}/messages/{seq}/reactions/{emoji}
//
// Answers are the action's reply event as JSON (200), or 204 for actions
// that reply nothing; refusals are {"error":{"code","message"}} with the
// code's status (403 forbidden, 404 not_found, 429 rate_limited, ...), and
// 401 for a missing or unknown token.

// botRoutes registers the bot API.
func (a *API) botRoutes() {
	a.handle("POST /api/v1/actions/{action}", a.botAction)
	a.handle("GET /api/v1/me", a.botMe)
	a.handle("GET /api/v1/rooms", a.botRooms)
	a.handle("GET /api/v1/rooms/{roomId}/members", a.botMembers)
	a.handle("GET /api/v1/rooms/{roomId}/messages", a.botHistory)
	a.handle("POST /api/v1/rooms/{roomId}/messages", a.botSend)
	a.handle("GET /api/v1/rooms/{roomId}/messages/{seq}/replies", a.botThread)
	a.handle("POST /api/v1/rooms/{roomId}/messages/{seq}/replies", a.botSend)
	a.handle("POST /api/v1/rooms/{roomId}/messages/{seq}/reactions", a.botReact)
	a.handle("DELETE /api/v1/rooms/{roomId}/messages/{seq}/reactions/{emoji}", a.botReact)
}

// botState is the API's part for bots: the action table bound to the
// service (wsapi's binding), made on first use.
type botState struct {
	once    sync.Once
	handler *wsapi.ActionHandler
	err     error
}

// actions binds the action table once, on first use.
func (a *API) actions() (*wsapi.ActionHandler, error) {
	a.bots.once.Do(func() {
		if a.chat == nil {
			a.bots.err = chat.Errorf(chat.Internal, "the bot API has no chat service")
			return
		}
		a.bots.handler, a.bots.err = wsapi.NewActionHandler(a.chat, a.log)
	})
	return a.bots.handler, a.bots.err
}

// botCaller verifies the bearer token: only a current bot token. The
// identity comes from the token alone.
func (a *API) botCaller(ctx context.Context, r *Request) (chat.Connection, error) {
	auth := r.Header("authorization")
	scheme, token, ok := strings.Cut(strings.TrimSpace(auth), " ")
	if auth == "" || !ok || !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(token) == "" {
		return chat.Connection{}, unauthorized("send the bot's token as Authorization: Bearer bcb_…")
	}
	if a.chat == nil {
		return chat.Connection{}, chat.Errorf(chat.Internal, "the bot API has no chat service")
	}
	id, err := a.chat.BotIdentity(ctx, strings.TrimSpace(token))
	if chat.ErrorCode(err) == chat.Forbidden {
		return chat.Connection{}, unauthorized("the token is not a current bot token (rotated or deleted?)")
	}
	if err != nil {
		return chat.Connection{}, err
	}
	// Not a WebSocket connection: an id no connection has, so pushes
	// about this request leave out nobody.
	return chat.Connection{ID: "http-" + r.Event.RequestContext.RequestID, Identity: id}, nil
}

func unauthorized(msg string) *StatusError {
	return Errorf(http.StatusUnauthorized, "unauthorized", "%s", msg)
}

// call runs action for the bot with the request object req (marshalled
// when it is not already bytes) and answers its reply.
func (a *API) call(ctx context.Context, r *Request, action string, req any) (events.APIGatewayV2HTTPResponse, error) {
	ev, err := a.callEvent(ctx, r, action, req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if ev == nil {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNoContent, Headers: map[string]string{"cache-control": "no-store"}}, nil
	}
	return JSON(http.StatusOK, ev), nil
}

func (a *API) callEvent(ctx context.Context, r *Request, action string, req any) (any, error) {
	conn, err := a.botCaller(ctx, r)
	if err != nil {
		return nil, err
	}
	h, err := a.actions()
	if err != nil {
		return nil, err
	}
	var body []byte
	switch v := req.(type) {
	case nil:
	case []byte:
		body = v
	default:
		if body, err = json.Marshal(v); err != nil {
			return nil, chat.Wrap(err, "encode request")
		}
	}
	return h.Call(ctx, conn, action, body)
}

// botAction: POST /api/v1/actions/{action}, the generic route: any action
// of the table by name (the policy refuses bots what they may not do).
func (a *API) botAction(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	name := r.Param("action")
	if _, ok := protocol.LookupAction(name); !ok {
		return events.APIGatewayV2HTTPResponse{}, Errorf(http.StatusNotFound, "no_route", "there is no action %q", name)
	}
	var body []byte
	if len(strings.TrimSpace(string(r.Body))) > 0 {
		var obj map[string]json.RawMessage
		if err := r.DecodeJSON(&obj); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		body = r.Body
	}
	return a.call(ctx, r, name, body)
}

// BotMe is GET /api/v1/me's answer.
type BotMe struct {
	UserID      string `json:"userId"`
	DisplayName string `json:"displayName"`
	Bot         bool   `json:"bot"`
}

func (a *API) botMe(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	conn, err := a.botCaller(ctx, r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSON(http.StatusOK, BotMe{UserID: conn.UserID, DisplayName: conn.DisplayName, Bot: true}), nil
}

// BotRooms is GET /api/v1/rooms's answer: the rooms the bot was added to.
type BotRooms struct {
	Rooms []protocol.RoomState `json:"rooms"`
}

func (a *API) botRooms(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	ev, err := a.callEvent(ctx, r, protocol.ActionGetState, nil)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	st, _ := ev.(*protocol.StateEvent)
	out := BotRooms{Rooms: []protocol.RoomState{}}
	if st != nil {
		out.Rooms = append(out.Rooms, st.Rooms...)
	}
	return JSON(http.StatusOK, out), nil
}

func (a *API) botMembers(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	return a.call(ctx, r, protocol.ActionListMembers, protocol.RoomRequest{RoomID: r.Param("roomId")})
}

func (a *API) botHistory(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	req := protocol.HistoryRequest{RoomID: r.Param("roomId")}
	var err error
	if req.Before, err = queryInt(r, "before"); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if req.After, err = queryInt(r, "after"); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	req.Limit = int(limit)
	return a.call(ctx, r, protocol.ActionHistory, req)
}

func (a *API) botThread(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	seq, err := pathSeq(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	req := protocol.ThreadHistoryRequest{RoomID: r.Param("roomId"), ParentSeq: seq}
	if req.Before, err = queryInt(r, "before"); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	req.Limit = int(limit)
	return a.call(ctx, r, protocol.ActionThreadHistory, req)
}

// botPost is the body of the message routes.
type botPost struct {
	Text      string `json:"text"`
	ClientID  string `json:"clientId,omitempty"`
	ParentSeq int64  `json:"parentSeq,omitempty"`
	ToRoom    bool   `json:"toRoom,omitempty"`
}

// botSend posts a message, or a reply when the path names the parent. A
// retry with the same clientId (or Idempotency-Key header) is answered
// with the message stored the first time, never a second copy.
func (a *API) botSend(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var p botPost
	if err := r.DecodeJSON(&p); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if r.Param("seq") != "" {
		seq, err := pathSeq(r)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		p.ParentSeq = seq
	}
	if p.ClientID == "" {
		p.ClientID = r.Header("idempotency-key")
	}
	if p.ClientID == "" {
		p.ClientID = "http-" + randomID()
	}
	return a.call(ctx, r, protocol.ActionSendMessage, protocol.SendMessageRequest{
		RoomID: r.Param("roomId"), ClientID: p.ClientID, Text: p.Text, ParentSeq: p.ParentSeq, ToRoom: p.ToRoom,
	})
}

// botReact adds a reaction (POST, {"emoji", "on"?: default true}) or takes
// it away (DELETE …/reactions/{emoji}).
func (a *API) botReact(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	seq, err := pathSeq(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	req := protocol.ReactRequest{RoomID: r.Param("roomId"), Seq: seq}
	if r.Method == http.MethodDelete {
		emoji, err := url.PathUnescape(r.Param("emoji"))
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, chat.Errorf(chat.Invalid, "the emoji in the path is not valid percent-encoding")
		}
		req.Emoji = emoji
	} else {
		var body struct {
			Emoji string `json:"emoji"`
			On    *bool  `json:"on,omitempty"`
		}
		if err := r.DecodeJSON(&body); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		req.Emoji, req.On = body.Emoji, body.On == nil || *body.On
	}
	return a.call(ctx, r, protocol.ActionReact, req)
}

func pathSeq(r *Request) (int64, error) {
	seq, err := strconv.ParseInt(r.Param("seq"), 10, 64)
	if err != nil || seq <= 0 {
		return 0, chat.Errorf(chat.Invalid, "the message number in the path must be a positive integer, not %q", r.Param("seq"))
	}
	return seq, nil
}

func queryInt(r *Request, name string) (int64, error) {
	s := r.Event.QueryStringParameters[name]
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, chat.Errorf(chat.Invalid, "query parameter %q must be a non-negative integer, not %q", name, s)
	}
	return n, nil
}

func randomID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
