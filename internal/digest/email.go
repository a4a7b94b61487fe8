package digest

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// PreviewRunes is how much of a message the mail shows.
const PreviewRunes = 140

// Entry is one missed message as the mail lists it.
type Entry struct {
	Room, Sender, Time, Preview, Link, Reason string
}

type strings_ struct {
	subjectOne, subjectMany, intro, dm, mention, all, open, more, why, unsubscribe, attachment, gif string
	// encrypted stands for an end-to-end encrypted message's preview.
	encrypted string
}

var texts = map[string]strings_{
	"en": {
		subjectOne:  "You missed a message on Backchannel",
		subjectMany: "You missed %d messages on Backchannel",
		intro:       "While you were away, these messages were for you:",
		dm:          "direct message", mention: "mentioned you", all: "new message",
		open: "Open", more: "and %d more in the app.",
		why:         "You get this email because you were away for a while and had unread direct messages or mentions. At most one an hour.",
		unsubscribe: "Turn these emails off", attachment: "[file]", gif: "[GIF]",
		encrypted: "New encrypted message",
	},
	"de": {
		subjectOne:  "Du hast eine Nachricht in Backchannel verpasst",
		subjectMany: "Du hast %d Nachrichten in Backchannel verpasst",
		intro:       "Während du weg warst, kamen diese Nachrichten für dich:",
		dm:          "Direktnachricht", mention: "hat dich erwähnt", all: "neue Nachricht",
		open: "Öffnen", more: "und %d weitere in der App.",
		why:         "Du bekommst diese E-Mail, weil du eine Weile weg warst und ungelesene Direktnachrichten oder Erwähnungen hattest. Höchstens eine pro Stunde.",
		unsubscribe: "Diese E-Mails abbestellen", attachment: "[Datei]", gif: "[GIF]",
		encrypted: "Neue verschlüsselte Nachricht",
	},
}

func textsFor(lang string) (string, strings_) {
	lang = strings.ToLower(lang)
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		lang = lang[:i]
	}
	if t, ok := texts[lang]; ok {
		return lang, t
	}
	return "en", texts["en"]
}

var htmlMail = template.Must(template.New("mail").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Subject}}</title></head>
<body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#1d1d1f;max-width:36rem;margin:0 auto;padding:1rem">
<p>{{.Intro}}</p>
{{range .Entries}}<div style="border-left:3px solid #6b5bd6;padding:.25rem .75rem;margin:.75rem 0">
<div style="font-size:.85rem;color:#555"><strong>{{.Room}}</strong> · {{.Sender}}{{if .Reason}} · {{.Reason}}{{end}} · {{.Time}}</div>
<div style="margin:.25rem 0">{{.Preview}}</div>
<a href="{{.Link}}">{{$.Open}}</a></div>
{{end}}{{if .More}}<p>{{.More}}</p>{{end}}
<hr style="border:0;border-top:1px solid #ddd;margin:1.5rem 0 .75rem">
<p style="font-size:.8rem;color:#666">{{.Why}} <a href="{{.Unsubscribe}}">{{.UnsubscribeLabel}}</a></p>
</body></html>
`))

// compose builds the mail for the still-unread items (oldest first). It
// returns the items it lists (a message deleted meanwhile is left out);
// none means there is nothing to send.
func (s *Service) compose(ctx context.Context, user string, p Prefs, items []Item) (Email, []Item, error) {
	lang, t := textsFor(p.Lang)
	zone := p.Zone
	if zone == nil {
		zone = time.UTC
	}
	rooms := map[string]chat.Room{}
	var entries []Entry
	var listed []Item
	for _, it := range items {
		m, err := s.c.Chat.GetMessage(ctx, it.RoomID, it.Seq)
		if chat.ErrorCode(err) == chat.NotFound || (err == nil && (m.Deleted || m.System != nil)) {
			continue
		}
		if err != nil {
			return Email{}, nil, fmt.Errorf("digest: message: %w", err)
		}
		r, ok := rooms[it.RoomID]
		if !ok {
			if r, err = s.c.Chat.GetRoom(ctx, it.RoomID); err != nil && chat.ErrorCode(err) != chat.NotFound {
				return Email{}, nil, fmt.Errorf("digest: room: %w", err)
			}
			rooms[it.RoomID] = r
		}
		// "#general · Ana · mentioned you · time", "direct message · Ana · time".
		room, reason := "#"+r.Name, t.all
		switch {
		case r.Kind == chat.KindDirect || it.Reason == ReasonDM || r.Name == "":
			room, reason = t.dm, ""
		case it.Reason == ReasonMention:
			reason = t.mention
		}
		pv := preview(m, t.attachment, t.gif)
		if m.Encrypted != nil || r.Encrypted { // end-to-end encrypted: no preview
			pv = t.encrypted
		}
		entries = append(entries, Entry{
			Room: room, Sender: m.SenderName, Reason: reason,
			Time:    m.CreatedAt.In(zone).Format("2006-01-02 15:04 MST"),
			Preview: pv,
			Link:    s.link(it.RoomID, it.Seq),
		})
		listed = append(listed, it)
	}
	if len(entries) == 0 {
		return Email{}, nil, nil
	}
	to, err := s.c.Addresses.EmailAddress(ctx, user)
	if err != nil {
		return Email{}, nil, fmt.Errorf("digest: address: %w", err)
	}
	subject := t.subjectOne
	if len(entries) > 1 {
		subject = fmt.Sprintf(t.subjectMany, len(entries))
	}
	more := ""
	if extra := len(entries) - s.c.MaxItems; extra > 0 {
		entries = entries[extra:] // the newest
		more = fmt.Sprintf(t.more, extra)
	}
	unsub := s.UnsubscribeLink(user)

	var text strings.Builder
	text.WriteString(t.intro + "\n\n")
	for _, e := range entries {
		meta := []string{e.Room, e.Sender, e.Reason, e.Time}
		if e.Reason == "" {
			meta = []string{e.Room, e.Sender, e.Time}
		}
		fmt.Fprintf(&text, "%s\n%s\n%s\n\n", strings.Join(meta, " · "), e.Preview, e.Link)
	}
	if more != "" {
		text.WriteString(more + "\n\n")
	}
	fmt.Fprintf(&text, "--\n%s\n%s: %s\n", t.why, t.unsubscribe, unsub)

	var h bytes.Buffer
	err = htmlMail.Execute(&h, map[string]any{
		"Lang": lang, "Subject": subject, "Intro": t.intro, "Entries": entries, "Open": t.open, "More": more,
		"Why": t.why, "Unsubscribe": unsub, "UnsubscribeLabel": t.unsubscribe,
	})
	if err != nil {
		return Email{}, nil, fmt.Errorf("digest: render: %w", err)
	}
	return Email{
		To: to, Subject: subject, Text: text.String(), HTML: h.String(),
		Headers: map[string]string{
			// RFC 2369 + RFC 8058: mail clients show an unsubscribe
			// button that POSTs List-Unsubscribe=One-Click to the URL.
			"List-Unsubscribe":      "<" + unsub + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
	}, listed, nil
}

// link opens the room at the message.
func (s *Service) link(roomID string, seq int64) string {
	return strings.TrimRight(s.c.SiteURL, "/") + "/?room=" + url.QueryEscape(roomID) + "&seq=" + strconv.FormatInt(seq, 10)
}

// UnsubscribeLink is the signed one-click link for userID.
func (s *Service) UnsubscribeLink(userID string) string {
	sep := "?"
	if strings.Contains(s.c.UnsubscribeURL, "?") {
		sep = "&"
	}
	return s.c.UnsubscribeURL + sep + "t=" + s.c.Signer.Token(userID, s.c.Clock())
}

// preview is the message's text, whitespace collapsed, cut at
// PreviewRunes; files are "[file]", a GIF "[GIF]".
func preview(m chat.Message, attachment, gif string) string {
	text := strings.Join(strings.Fields(m.Text), " ")
	if utf8.RuneCountInString(text) > PreviewRunes {
		r := []rune(text)
		text = strings.TrimSpace(string(r[:PreviewRunes])) + "…"
	}
	if len(m.Attachments) > 0 {
		text = strings.TrimSpace(text + " " + attachment)
	}
	if m.Gif != nil {
		text = strings.TrimSpace(text + " " + gif)
	}
	return text
}
