// Package supportmail is customer support's mail (issue #17): the mail
// that carries an agent's reply to a visitor who left a message outside
// hours (a conversation with channel "email"), with the signed link that
// reopens the conversation in the widget on the site's page
// (internal/supportlink), and the transcript a visitor asks for (never
// internal notes).
package supportmail

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/backchannel-chat/backchannel/internal/digest"
)

// Line is one message of a conversation as a mail shows it.
type Line struct {
	Sender string
	At     time.Time
	Text   string
}

type texts struct {
	replySubject, replyIntro, replyOpen, replyWhy                               string
	transcriptSubject, transcriptIntro, transcriptEmpty, transcriptWhy, visitor string
	file                                                                        string
}

var langs = map[string]texts{
	"en": {
		replySubject:      "%s replied to your message",
		replyIntro:        "%s from %s replied:",
		replyOpen:         "Continue the chat",
		replyWhy:          "You get this email because you left a message with this address in the chat on %s. Reply in the chat: this address does not receive mail.",
		transcriptSubject: "Your chat transcript from %s",
		transcriptIntro:   "Here is the transcript of your chat with %s, started %s.",
		transcriptEmpty:   "The conversation has no messages yet.",
		transcriptWhy:     "You get this email because you asked for a transcript of this chat.",
		visitor:           "You",
		file:              "[file]",
	},
	"de": {
		replySubject:      "%s hat auf deine Nachricht geantwortet",
		replyIntro:        "%s von %s hat geantwortet:",
		replyOpen:         "Chat fortsetzen",
		replyWhy:          "Du bekommst diese E-Mail, weil du im Chat auf %s eine Nachricht mit dieser Adresse hinterlassen hast. Antworte bitte im Chat: Diese Adresse empfängt keine E-Mails.",
		transcriptSubject: "Dein Chatverlauf mit %s",
		transcriptIntro:   "Hier ist der Verlauf deines Chats mit %s, begonnen am %s.",
		transcriptEmpty:   "Der Chat hat noch keine Nachrichten.",
		transcriptWhy:     "Du bekommst diese E-Mail, weil du den Verlauf dieses Chats angefordert hast.",
		visitor:           "Du",
		file:              "[Datei]",
	},
}

func textsFor(lang string) (string, texts) {
	lang = strings.ToLower(lang)
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		lang = lang[:i]
	}
	if t, ok := langs[lang]; ok {
		return lang, t
	}
	return "en", langs["en"]
}

// VisitorLabel is how a transcript names the visitor's own lines in lang.
func VisitorLabel(lang string) string { _, t := textsFor(lang); return t.visitor }

// FileLabel marks a message's attachment in lang.
func FileLabel(lang string) string { _, t := textsFor(lang); return t.file }

var page = template.Must(template.New("mail").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Subject}}</title></head>
<body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#1d1d1f;max-width:36rem;margin:0 auto;padding:1rem">
<p>{{.Intro}}</p>
{{range .Lines}}<div style="border-left:3px solid {{$.Color}};padding:.25rem .75rem;margin:.75rem 0">
<div style="font-size:.85rem;color:#555"><strong>{{.Sender}}</strong> · {{.Time}}</div>
<div style="margin:.25rem 0;white-space:pre-wrap">{{.Text}}</div></div>
{{else}}<p>{{.Empty}}</p>{{end}}{{if .Link}}<p><a href="{{.Link}}" style="display:inline-block;background:{{.Color}};color:#fff;padding:.5rem 1rem;border-radius:.375rem;text-decoration:none">{{.Open}}</a></p>{{end}}
<hr style="border:0;border-top:1px solid #ddd;margin:1.5rem 0 .75rem">
<p style="font-size:.8rem;color:#666">{{.Why}}</p>
</body></html>
`))

type line struct{ Sender, Time, Text string }

// Common is what both mails need.
type Common struct {
	To       string
	Lang     string
	Site     string         // the business: the widget's title or name ("Acme Shop")
	Color    string         // the widget's primary colour, "#rrggbb" (default a neutral blue)
	Location *time.Location // the times' zone (nil: UTC)
}

func (c Common) zone() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

func (c Common) color() string {
	if len(c.Color) == 7 && c.Color[0] == '#' && strings.Trim(strings.ToLower(c.Color[1:]), "0123456789abcdef") == "" {
		return c.Color
	}
	return "#2f6fde"
}

func render(c Common, lang, subject, intro, empty, open, link, why string, lines []Line) (digest.Email, error) {
	var ls []line
	var text strings.Builder
	text.WriteString(intro + "\n\n")
	for _, l := range lines {
		at := l.At.In(c.zone()).Format("2006-01-02 15:04 MST")
		ls = append(ls, line{Sender: l.Sender, Time: at, Text: l.Text})
		fmt.Fprintf(&text, "%s · %s\n%s\n\n", l.Sender, at, l.Text)
	}
	if len(lines) == 0 {
		text.WriteString(empty + "\n\n")
	}
	if link != "" {
		fmt.Fprintf(&text, "%s: %s\n\n", open, link)
	}
	fmt.Fprintf(&text, "--\n%s\n", why)
	var h bytes.Buffer
	err := page.Execute(&h, map[string]any{
		"Lang": lang, "Subject": subject, "Intro": intro, "Lines": ls, "Empty": empty,
		"Open": open, "Link": template.URL(link), "Why": why, "Color": template.CSS(c.color()),
	})
	if err != nil {
		return digest.Email{}, fmt.Errorf("supportmail: render: %w", err)
	}
	return digest.Email{
		To: c.To, Subject: subject, Text: text.String(), HTML: h.String(),
		// Automatic mail: no auto-replies back (RFC 3834).
		Headers: map[string]string{"Auto-Submitted": "auto-generated"},
	}, nil
}

// ReplyMail is an agent's reply (one or more lines) to a visitor who left
// a message, with the link that reopens the chat.
func ReplyMail(c Common, agent string, replies []Line, link string) (digest.Email, error) {
	lang, t := textsFor(c.Lang)
	return render(c, lang, fmt.Sprintf(t.replySubject, agent), fmt.Sprintf(t.replyIntro, agent, c.Site),
		"", t.replyOpen, link, fmt.Sprintf(t.replyWhy, c.Site), replies)
}

// TranscriptMail is the conversation's transcript: lines must not
// contain internal notes (the caller leaves them out; the mail cannot
// tell). link, if set, reopens the chat.
func TranscriptMail(c Common, started time.Time, lines []Line, link string) (digest.Email, error) {
	lang, t := textsFor(c.Lang)
	date := started.In(c.zone()).Format("2006-01-02 15:04 MST")
	return render(c, lang, fmt.Sprintf(t.transcriptSubject, c.Site), fmt.Sprintf(t.transcriptIntro, c.Site, date),
		t.transcriptEmpty, t.replyOpen, link, t.transcriptWhy, lines)
}
