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
	web.mux.Handle("/widget/", gw) // the support widget's config, challenge and session (issue #17)
}

func describeHTTPAPI(out io.Writer, webURL string) {
	fmt.Fprintf(out, "HTTP API: %shooks/{id}/{secret} (incoming webhooks), %sapi/ (docs/INTEGRATIONS.md)\n", webURL, webURL)
}
