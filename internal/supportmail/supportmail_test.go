package supportmail

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

var secret = bytes.Repeat([]byte("k"), 32)

func TestReplyMail(t *testing.T) {
	at := time.Date(2026, 11, 30, 18, 5, 0, 0, time.UTC)
	m, err := ReplyMail(Common{To: "kim@example.org", Lang: "de", Site: "Acme <Shop>", Color: "#ff0000"},
		"Ana", []Line{{Sender: "Ana", At: at, Text: "Hallo Kim,\n<b>dein Paket</b> ist unterwegs."}}, "https://shop.example/#bc-reopen=T")
	if err != nil {
		t.Fatal(err)
	}
	if m.To != "kim@example.org" || m.Subject != "Ana hat auf deine Nachricht geantwortet" {
		t.Fatalf("%+v", m)
	}
	for _, want := range []string{"Chat fortsetzen", "https://shop.example/#bc-reopen=T", "&lt;b&gt;dein Paket&lt;/b&gt;", "Acme &lt;Shop&gt;", "#ff0000"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, m.HTML)
		}
	}
	if strings.Contains(m.HTML, "<b>dein") {
		t.Error("the reply's text is not escaped")
	}
	if !strings.Contains(m.Text, "<b>dein Paket</b>") || !strings.Contains(m.Text, "2026-11-30 18:05 UTC") {
		t.Errorf("text part:\n%s", m.Text)
	}
	if m.Headers["Auto-Submitted"] != "auto-generated" {
		t.Error("no Auto-Submitted header")
	}
}

func TestTranscriptMail(t *testing.T) {
	at := time.Date(2026, 11, 30, 18, 5, 0, 0, time.UTC)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	m, err := TranscriptMail(Common{To: "kim@example.org", Lang: "en", Site: "Acme", Color: "red;background:url(x)", Location: berlin},
		at, []Line{{Sender: "You", At: at, Text: "Where is my parcel?"}, {Sender: "Ana", At: at.Add(time.Minute), Text: "On its way."}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Your chat transcript from Acme" || !strings.Contains(m.Text, "You · 2026-11-30 19:05 CET\nWhere is my parcel?") {
		t.Fatalf("%s\n%s", m.Subject, m.Text)
	}
	if strings.Contains(m.HTML, "url(x)") || strings.Contains(m.HTML, "Continue the chat") {
		t.Error("a bad colour or a link without a URL made it into the mail")
	}
	empty, _ := TranscriptMail(Common{To: "kim@example.org"}, at, nil, "")
	if !strings.Contains(empty.Text, "no messages yet") {
		t.Error(empty.Text)
	}
}
