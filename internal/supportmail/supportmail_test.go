package supportmail

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

var secret = bytes.Repeat([]byte("k"), 32)

func TestReopenToken(t *testing.T) {
	s, err := NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	r := Reopen{VisitorID: "vis_abc", RoomID: "room_1", WidgetID: "wid_1", Exp: now.Add(ReopenTTL).Unix()}
	tok := s.Token(r)
	got, err := s.Verify(tok, now)
	if err != nil || got != r {
		t.Fatalf("Verify = %+v, %v", got, err)
	}
	if _, err := s.Verify(tok, now.Add(ReopenTTL)); err != ErrBadToken {
		t.Fatalf("expired: %v", err)
	}
	p, m, _ := strings.Cut(tok, ".")
	forged := Reopen{VisitorID: "vis_other", RoomID: "room_1", WidgetID: "wid_1", Exp: r.Exp}
	for _, bad := range []string{"", "x", p, p + ".", p + "." + m + "x", s.Token(forged)[:len(p)] + "." + m, strings.Repeat("a", 2000)} {
		if _, err := s.Verify(bad, now); err != ErrBadToken {
			t.Errorf("Verify(%q) = %v", bad, err)
		}
	}
	other, _ := NewSigner(bytes.Repeat([]byte("j"), 32))
	if _, err := other.Verify(tok, now); err != ErrBadToken {
		t.Fatal("another secret verified the token")
	}
	if _, err := NewSigner([]byte("short")); err == nil {
		t.Fatal("a short secret was accepted")
	}
}

func TestDerivedKeysAreSeparatedByLabel(t *testing.T) {
	a, _ := DeriveKey(secret, ReopenLabel)
	b, _ := DeriveKey(secret, "backchannel/visitor-token/v1")
	if len(a) != 32 || bytes.Equal(a, b) || bytes.Equal(a, secret) {
		t.Fatal("labels must give distinct 32-byte keys")
	}
}

func TestReopenLink(t *testing.T) {
	allowed := []string{"https://shop.example", "http://127.0.0.1:8081"}
	cases := []struct{ page, want string }{
		{"https://shop.example/help?x=1#top", "https://shop.example/help?x=1#bc-reopen=T"},
		{"http://127.0.0.1:8081/", "http://127.0.0.1:8081/#bc-reopen=T"},
		{"https://evil.example/phish", "https://shop.example/#bc-reopen=T"},
		{"https://shop.example.evil.example/", "https://shop.example/#bc-reopen=T"},
		{"javascript:alert(1)", "https://shop.example/#bc-reopen=T"},
		{"https://user@shop.example/", "https://shop.example/#bc-reopen=T"},
		{"", "https://shop.example/#bc-reopen=T"},
	}
	for _, c := range cases {
		if got := ReopenLink(c.page, allowed, "T"); got != c.want {
			t.Errorf("ReopenLink(%q) = %q, want %q", c.page, got, c.want)
		}
	}
	if got := ReopenLink("https://shop.example/", nil, "T"); got != "" {
		t.Errorf("no allowed origin: %q", got)
	}
}

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
