package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/backchannel-chat/backchannel/internal/httpapi"
	"github.com/backchannel-chat/backchannel/internal/local/httpgw"
)

// registerHTTPAPI serves the HTTP API (functions/httpapi's handler, here
// in-process over the chat's service) on the web server under /hooks/
// (incoming webhooks) and /api/ (the bot API), through the local stand-in
// of API Gateway's HTTP API (internal/local/httpgw): the client's
// webhook URLs are the site's origin, as config.json leaves httpApiUrl
// empty.
func registerHTTPAPI(web *webServer, api *httpapi.API, logger *slog.Logger) {
	gw := httpgw.New(api.Handle, logger)
	web.mux.Handle("/hooks/", gw)
	web.mux.Handle("/api/", gw)
	// The support widget's visitor routes (issue #17); the script itself,
	// /widget/v1/widget.js, is served from web/dist beside them.
	web.mux.Handle("/widget/", gw)
}

func describeHTTPAPI(out io.Writer, webURL string) {
	fmt.Fprintf(out, "HTTP API: %shooks/{id}/{secret} (incoming webhooks), %sapi/ (docs/INTEGRATIONS.md), %swidget/v1/{widgetId}/ (support widget sessions, docs/SUPPORT.md)\n", webURL, webURL, webURL)
}
