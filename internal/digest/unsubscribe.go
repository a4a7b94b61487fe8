package digest

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Unsubscribe turns email off for the person a valid token names, drops
// their pending digest and deletes its schedule. It returns the person.
func (s *Service) Unsubscribe(ctx context.Context, token string) (string, error) {
	if s.c.Signer == nil {
		return "", errors.New("digest: no unsubscribe key configured")
	}
	user, err := s.c.Signer.Verify(token)
	if err != nil {
		return "", err
	}
	if err := s.c.Prefs.DisableEmail(ctx, user); err != nil {
		return "", fmt.Errorf("digest: turn email off: %w", err)
	}
	head, err := s.c.Store.Clear(ctx, user)
	if err != nil {
		return "", fmt.Errorf("digest: clear: %w", err)
	}
	if head.Schedule != "" {
		if err := s.c.Timer.Cancel(ctx, head.Schedule); err != nil {
			// The schedule fires, finds email off and nothing pending.
			s.c.Logger.WarnContext(ctx, "digest: cancel schedule on unsubscribe", "schedule", head.Schedule, "error", err)
		}
	}
	s.c.Logger.InfoContext(ctx, "digest: unsubscribed", "userId", user)
	return user, nil
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Title}}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">
<h1 style="font-size:1.3rem">{{.Title}}</h1><p>{{.Body}}</p>
{{if .Token}}<form method="post"><input type="hidden" name="t" value="{{.Token}}"><button type="submit" style="font-size:1rem;padding:.5rem 1rem">{{.Button}}</button></form>{{end}}
{{if .Site}}<p><a href="{{.Site}}">Backchannel</a></p>{{end}}
</body></html>
`))

var pageTexts = map[string]map[string]string{
	"en": {
		"confirmTitle": "Turn off emails about missed messages?", "confirmBody": "You will no longer get an email when you miss direct messages or mentions. You can turn it on again in Settings.",
		"button": "Turn off", "doneTitle": "Emails are off", "doneBody": "You will get no more emails about missed messages. You can turn them on again in Settings.",
		"badTitle": "This link is not valid", "badBody": "Open Settings in the app to change your email notifications.",
		"failTitle": "Something went wrong", "failBody": "Please try again in a minute.",
	},
	"de": {
		"confirmTitle": "E-Mails über verpasste Nachrichten abbestellen?", "confirmBody": "Du bekommst dann keine E-Mail mehr, wenn du Direktnachrichten oder Erwähnungen verpasst. In den Einstellungen kannst du sie wieder einschalten.",
		"button": "Abbestellen", "doneTitle": "E-Mails sind aus", "doneBody": "Du bekommst keine E-Mails über verpasste Nachrichten mehr. In den Einstellungen kannst du sie wieder einschalten.",
		"badTitle": "Dieser Link ist ungültig", "badBody": "Öffne die Einstellungen in der App, um deine E-Mail-Benachrichtigungen zu ändern.",
		"failTitle": "Etwas ist schiefgegangen", "failBody": "Bitte versuche es in einer Minute noch einmal.",
	},
}

// UnsubscribeHandler serves the link of the mails:
//
//   - POST (the mail client's one-click request, RFC 8058, body
//     "List-Unsubscribe=One-Click"; or the page's button) with the token in
//     the query or the form: turns email off, answers 200.
//   - GET: a page with a button that POSTs. A GET never unsubscribes: mail
//     scanners and link previews fetch links (RFC 8058 section 3.2).
func (s *Service) UnsubscribeHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		token := r.URL.Query().Get("t")
		if r.Method == http.MethodPost {
			body, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
			if form, err := url.ParseQuery(string(body)); err == nil && form.Get("t") != "" {
				token = form.Get("t")
			}
		}
		lang := s.langOf(r, token)
		t := pageTexts[lang]
		render := func(status int, title, body, formToken string) {
			w.WriteHeader(status)
			_ = page.Execute(w, map[string]string{"Lang": lang, "Title": t[title], "Body": t[body], "Button": t["button"], "Token": formToken, "Site": s.c.SiteURL})
		}
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			if s.c.Signer == nil {
				render(http.StatusInternalServerError, "failTitle", "failBody", "")
				return
			}
			if _, err := s.c.Signer.Verify(token); err != nil {
				render(http.StatusBadRequest, "badTitle", "badBody", "")
				return
			}
			render(http.StatusOK, "confirmTitle", "confirmBody", token)
		case http.MethodPost:
			_, err := s.Unsubscribe(r.Context(), token)
			switch {
			case errors.Is(err, ErrBadToken):
				render(http.StatusBadRequest, "badTitle", "badBody", "")
			case err != nil:
				s.c.Logger.ErrorContext(r.Context(), "digest: unsubscribe failed", "error", err)
				render(http.StatusInternalServerError, "failTitle", "failBody", "")
			default:
				render(http.StatusOK, "doneTitle", "doneBody", "")
			}
		default:
			w.Header().Set("Allow", "GET, HEAD, POST")
			render(http.StatusMethodNotAllowed, "badTitle", "badBody", "")
		}
	})
}

// langOf is the person's language when the token is valid, else the
// browser's first choice of en/de.
func (s *Service) langOf(r *http.Request, token string) string {
	if s.c.Signer == nil {
		return "en"
	}
	if user, err := s.c.Signer.Verify(token); err == nil {
		if p, err := s.c.Prefs.EmailPrefs(r.Context(), user); err == nil && p.Lang != "" {
			l, _ := textsFor(p.Lang)
			return l
		}
	}
	if strings.HasPrefix(strings.ToLower(r.Header.Get("Accept-Language")), "de") {
		return "de"
	}
	return "en"
}
