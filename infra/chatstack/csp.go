package chatstack

import "strings"

// contentSecurityPolicy allows the page to load only its own code and to
// talk only to: itself (config.json), the WebSocket API, the Cognito user
// pools API (and the hosted domain when on) and the files bucket (presigned
// uploads, downloads and images). No inline scripts, no eval, and no inline
// styles either: the web client ships its CSS as files; styles set from
// script through the CSSOM are not affected by style-src.
func (b *builder) contentSecurityPolicy() string {
	files := "https://" + b.filesBucketDN
	connect := []string{"'self'", b.wsOrigin(), b.cognitoEndpoint(), files}
	if b.cognitoLogin != "" {
		connect = append(connect, b.cognitoLogin)
	}
	// https: for link previews' images, which the client loads from the
	// linked site itself (no referrer; see ARCHITECTURE.md "Link
	// previews"). Scripts, styles and connections stay locked.
	images := []string{"img-src", "'self'", "data:", "blob:", files, "https:"}
	if b.gifsOn() {
		images = append(images, GifMediaOrigins(b.gifProvider())...) // GIFs load from the provider's media hosts
	}
	directives := [][]string{
		{"default-src", "'self'"},
		{"script-src", "'self'"},
		{"style-src", "'self'"},
		images,
		append([]string{"connect-src"}, connect...),
		{"font-src", "'self'"},
		{"manifest-src", "'self'"},
		{"worker-src", "'self'"},
		{"object-src", "'none'"},
		{"base-uri", "'self'"},
		{"form-action", "'self'"},
		{"frame-ancestors", "'none'"},
		{"upgrade-insecure-requests"},
	}
	parts := make([]string, len(directives))
	for i, d := range directives {
		parts[i] = strings.Join(d, " ")
	}
	return strings.Join(parts, "; ")
}

// wsOrigin is the scheme and host of the WebSocket endpoint (no stage path,
// so the policy matches whatever path and query the client uses).
func (b *builder) wsOrigin() string {
	if b.props.APIDomain != "" {
		return "wss://" + b.props.APIDomain
	}
	return *b.api.ApiEndpoint()
}
