// Package localgw is a local stand-in for an Amazon API Gateway WebSocket
// API stage. It serves ws://127.0.0.1:{port}/{stage} and the @connections
// management API at http://127.0.0.1:{port}/{stage}/@connections/{id} on
// one listener, and invokes the project's real Lambda handlers in-process.
// No free emulator of WebSocket APIs exists (SAM CLI has none, LocalStack
// only in paid plans), hence this package.
//
// Faithful to API Gateway:
//   - $connect runs the REQUEST authorizer first (401 without calling it
//     when the identity source is missing; error "Unauthorized" → 401,
//     explicit or implicit Deny → 403, other errors → 500), then the
//     $connect route; the upgrade completes only when both succeed, a
//     non-2xx $connect status refuses the handshake with that status, and a
//     Sec-WebSocket-Protocol header in the $connect response selects the
//     subprotocol.
//   - Events are events.APIGatewayWebsocketProxyRequest filled as API
//     Gateway fills them (checked key by key against aws-lambda-go's
//     captured fixtures in testdata/), passed through JSON as the Lambda
//     runtime does. requestContext.authorizer (the authorizer's context plus
//     principalId) is on every event of the connection; headers and query
//     string only on $connect.
//   - Route selection on $request.body.action with $default fallback; with
//     no route, the client gets {"message": "Forbidden", ...}; a failing or
//     panicking handler gives {"message": "Internal server error", ...} and
//     the connection stays open. Handlers get a 29 s deadline.
//   - Limits: frame over 32 KiB or message over 128 KiB → close 1009; no
//     data from the client for 10 min or a connection older than 2 h →
//     close 1001 "Going away"; a binary frame → close 1003 (AWS refuses
//     binary frames so).
//   - A text message that is not valid UTF-8 → close 1007, as RFC 6455
//     requires; AWS does not document what API Gateway does here.
//   - $disconnect runs exactly once per established connection, whatever
//     ended it, never for a refused handshake.
//   - @connections POST/GET/DELETE with API Gateway's status codes and error
//     types (410 GoneException, 413 PayloadTooLargeException) and its JSON
//     member names, so the real apigatewaymanagementapi client works against
//     CallbackURL(). A connection exists for this API only once $connect
//     succeeded: a post or get while its $connect runs (from any handler)
//     answers 410, as on AWS.
//   - Only data frames count as activity for the idle timeout and for
//     GetConnection's lastActiveAt; pings do not.
//
// Differences (deliberate or unknowable locally):
//   - Messages of one connection are handed to handlers one at a time in
//     arrival order. AWS promises no ordering and may run them
//     concurrently: handlers must not rely on this order.
//   - The identity source is either the "token" query parameter or the
//     Sec-WebSocket-Protocol header. AWS requires every configured identity
//     source, so configure only one there. Authorizer results are not cached.
//   - The authorizer event is the Go type aws-lambda-go offers, which has no
//     field for WebSocket-only requestContext values (connectionId,
//     routeKey, eventType...). A Go authorizer in Lambda decodes the same
//     subset.
//   - Header names other than Sec-WebSocket-* reach handlers in Go's
//     canonical form (API Gateway keeps the client's spelling): look
//     headers up case-insensitively. X-Forwarded-Proto is "http".
//   - No TLS, no SigV4 verification on the management API, no throttling,
//     no permessage-deflate. Disconnect codes are chosen locally: the
//     client's close code (1005 when it sent none), 1006 for a dropped
//     connection, 1000 after DeleteConnection, 1009 for limits, 1001 for
//     timeouts and gateway shutdown, 1003 for binary frames, 1007 for
//     invalid UTF-8.
//   - A handler that ignores its context's deadline is waited for (it
//     cannot be killed in-process); the client then gets
//     {"message": "Endpoint request timed out", ...}.
package localgw
