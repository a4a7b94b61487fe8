package exportapp

import (
	"context"
	"html"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/digest"
)

// Mail tells a person by email that their archive is ready, when they had
// no open connection to hear it (the digest's mailer: SES, and its
// address lookup: a verified email in the user pool). The email links to
// the app's settings, never to the archive: the archive is handed out to
// the signed-in person only (requestExportDownload).
type Mail struct {
	Addresses digest.Addresses
	Mailer    digest.Mailer
	// SiteURL is the web client's origin (https://chat.example.com).
	SiteURL string
}

// ExportReady sends the email.
func (m *Mail) ExportReady(ctx context.Context, e chat.Export) error {
	to, err := m.Addresses.EmailAddress(ctx, e.UserID)
	if err != nil {
		return err
	}
	link := strings.TrimRight(m.SiteURL, "/") + "/?settings=privacy"
	when := e.ExpiresAt.UTC().Format("2006-01-02 15:04 MST")
	text := "Your Backchannel data export is ready.\n\nDownload it from Settings > Privacy in the app until " + when + ":\n" + link + "\n"
	body := "<p>Your Backchannel data export is ready.</p><p>Download it from <b>Settings &gt; Privacy</b> in the app until " +
		html.EscapeString(when) + ":<br><a href=\"" + html.EscapeString(link) + "\">" + html.EscapeString(link) + "</a></p>"
	return m.Mailer.Send(ctx, digest.Email{To: to, Subject: "Your Backchannel data export is ready", Text: text, HTML: body})
}
