package httpapi

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/service"
	"github.com/backchannel-chat/backchannel/internal/visitor/vtoken"
)

// The support widget's public routes (issue #17; docs/SUPPORT.md):
//
//	GET  /widget/v1/{widgetId}/config     the widget's public configuration
//	POST /widget/v1/{widgetId}/challenge  a proof-of-work challenge
//	POST /widget/v1/{widgetId}/session    a visitor token (+ resume token)
//
// and OPTIONS on each for the CORS preflight. Every answer to an allowed
// origin carries Access-Control-Allow-Origin: that origin (never "*", no
// credentials); any other origin, a request without Origin and an
// unknown widget get 403 {"error":{"code":"forbidden","message":"origin
// not allowed"}} without CORS headers, so the browser hides even that.
func (a *API) widgetRoutes() {
	for _, op := range []string{"config", "challenge", "session"} {
		a.handle("OPTIONS /widget/v1/{widgetId}/"+op, a.widgetPreflight)
	}
	a.handle("GET /widget/v1/{widgetId}/config", a.widgetConfig)
	a.handle("POST /widget/v1/{widgetId}/challenge", a.widgetChallenge)
	a.handle("POST /widget/v1/{widgetId}/session", a.widgetSession)
}

// widgetOriginRefused is the refusal of an origin the widget does not allow.
func widgetOriginRefused() *StatusError {
	return Errorf(http.StatusForbidden, "forbidden", "origin not allowed")
}

// widgetCall runs fn for the request's Origin and answers with CORS
// headers for it when allowed.
func (a *API) widgetCall(ctx context.Context, r *Request, fn func(origin string) (any, int, error)) (events.APIGatewayV2HTTPResponse, error) {
	if a.chat == nil {
		return events.APIGatewayV2HTTPResponse{}, chat.Errorf(chat.Internal, "no chat service")
	}
	origin := strings.TrimSpace(r.Header("origin"))
	if origin == "" || origin == "null" {
		return events.APIGatewayV2HTTPResponse{}, widgetOriginRefused()
	}
	v, status, err := fn(origin)
	if err == service.ErrOriginNotAllowed {
		return events.APIGatewayV2HTTPResponse{}, widgetOriginRefused()
	}
	var resp events.APIGatewayV2HTTPResponse
	if err != nil {
		if chat.ErrorCode(err) == chat.Internal {
			a.fail(ctx, r, err)
		}
		resp = ErrorResponse(err)
	} else {
		resp = JSON(status, v)
	}
	// The origin is allowed (fn got past the widget's check): the browser
	// may read the answer, errors included.
	withCORS(resp.Headers, origin)
	return resp, nil
}

// viewerIP is the caller's address for the per-IP limit: behind
// CloudFront (the deployed path, /widget/* on the site's domain) API
// Gateway sees an edge's address, and CloudFront-Viewer-Address
// ("ip:port") names the viewer; called directly, the source address.
// A caller bypassing CloudFront can set the header: the per-widget limit
// and the proof of work still bound it (docs/SUPPORT.md "Security").
func viewerIP(r *Request) string {
	if v := strings.TrimSpace(r.Header("cloudfront-viewer-address")); v != "" {
		if host, _, err := net.SplitHostPort(v); err == nil && net.ParseIP(host) != nil {
			return host
		}
	}
	return r.SourceIP()
}

func withCORS(h map[string]string, origin string) {
	h["access-control-allow-origin"] = origin
	h["vary"] = "Origin"
	h["access-control-expose-headers"] = "retry-after"
}

// widgetPreflight answers the CORS preflight of an allowed origin.
func (a *API) widgetPreflight(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	resp, err := a.widgetCall(ctx, r, func(origin string) (any, int, error) {
		if _, err := a.chat.WidgetForOrigin(ctx, r.Param("widgetId"), origin); err != nil {
			return nil, 0, err
		}
		return nil, http.StatusNoContent, nil
	})
	if err == nil && resp.StatusCode == http.StatusNoContent {
		// The widget POSTs JSON: the browser asks first whether it may.
		resp.Headers["access-control-allow-methods"] = "GET, POST"
		resp.Headers["access-control-allow-headers"] = "content-type"
		resp.Headers["access-control-max-age"] = "600"
	}
	return resp, err
}

func (a *API) widgetConfig(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	resp, err := a.widgetCall(ctx, r, func(origin string) (any, int, error) {
		cfg, err := a.chat.WidgetConfig(ctx, r.Param("widgetId"), origin)
		return cfg, http.StatusOK, err
	})
	if err == nil && resp.StatusCode == http.StatusOK {
		// Short: an admin's change shows within a minute.
		resp.Headers["cache-control"] = "private, max-age=60"
	}
	return resp, err
}

func (a *API) widgetChallenge(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	return a.widgetCall(ctx, r, func(origin string) (any, int, error) {
		ch, err := a.chat.WidgetChallenge(ctx, r.Param("widgetId"), origin, viewerIP(r))
		return ch, http.StatusOK, err
	})
}

func (a *API) widgetSession(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	return a.widgetCall(ctx, r, func(origin string) (any, int, error) {
		// The origin first: a refused origin learns nothing about the body
		// (StartVisitorSession checks it before anything else; a body that
		// does not decode is checked here, one GetItem fewer per session).
		var body service.VisitorSessionRequest
		if err := r.DecodeJSON(&body); err != nil {
			if _, oerr := a.chat.WidgetForOrigin(ctx, r.Param("widgetId"), origin); oerr != nil {
				return nil, 0, oerr
			}
			return nil, 0, err
		}
		sess, err := a.chat.StartVisitorSession(ctx, r.Param("widgetId"), origin, viewerIP(r), body)
		if err != nil {
			return nil, 0, err
		}
		keys, err := a.chat.VisitorKeys(ctx)
		if err != nil {
			return nil, 0, err
		}
		if sess.Token, sess.ExpiresAt, err = vtoken.Issue(keys, sess.Claims, time.Now()); err != nil {
			return nil, 0, &chat.Error{Code: chat.Internal, Message: "cannot issue the visitor token", Err: err}
		}
		sess.WSURL = a.visitorWSURL
		return sess, http.StatusCreated, nil
	})
}
