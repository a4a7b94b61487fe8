package supportbot

import (
	"strings"
	"testing"
)

// shopFAQ is an online shop's FAQ as an admin would enter it in the
// widget settings: a few phrasings per entry, in English and German.
var shopFAQ = []Entry{
	{ID: "faq_shipping", Questions: []string{
		"How long does shipping take?",
		"When will my order arrive?",
		"Wie lange dauert der Versand?",
		"Wann kommt meine Bestellung an?",
	}, Answer: "Orders ship within 1 business day; delivery takes 2–4 business days in Germany and 5–8 elsewhere in the EU."},
	{ID: "faq_refund", Questions: []string{
		"How do I get a refund?",
		"Can I return an item and get my money back?",
		"Wie bekomme ich mein Geld zurück?",
		"Kann ich einen Artikel zurückgeben?",
	}, Answer: "You can return any item within 30 days: open your order under Account → Orders and choose “Return”. Refunds reach your card within 5 days of us receiving the parcel."},
	{ID: "faq_password", Questions: []string{
		"I forgot my password",
		"How do I reset my password?",
		"Passwort vergessen",
		"Wie setze ich mein Passwort zurück?",
	}, Answer: "Use “Forgot password?” on the sign-in page; the reset link is valid for one hour."},
	{ID: "faq_invoice", Questions: []string{
		"Where can I download my invoice?",
		"I need a receipt for my order",
		"Wo finde ich meine Rechnung?",
	}, Answer: "Invoices are under Account → Orders → Invoice (PDF), available once the order has shipped."},
	{ID: "faq_hours", Questions: []string{
		"What are your opening hours?",
		"When is support available?",
		"Wann ist der Kundenservice erreichbar?",
	}, Answer: "Our team answers Monday to Friday, 9:00–17:00 (Berlin time). Outside these hours, leave a message and we reply by email."},
}

func TestReply(t *testing.T) {
	m := New(shopFAQ, 0.35)
	cases := []struct {
		name, text, lang string
		kind             Kind
		entry            string
		reason           Reason
	}{
		{"answers a close paraphrase", "how long will shipping take to Austria?", "en", Answer, "faq_shipping", ""},
		{"answers the exact question", "How do I reset my password?", "en", Answer, "faq_password", ""},
		{"answers with plural and case", "REFUNDS: how do I get one", "en", Answer, "faq_refund", ""},
		{"answers in German", "Hallo, wo finde ich die Rechnung für meine Bestellung?", "de", Answer, "faq_invoice", ""},
		{"answers in German with an umlaut spelled out", "wie bekomme ich mein geld zuruck", "de", Answer, "faq_refund", ""},
		{"answers a short phrase", "password forgotten", "en", Answer, "faq_password", ""},
		{"hands over on 'agent'", "Can I talk to an agent please", "en", HandOver, "", ReasonRequested},
		{"hands over on 'human'", "HUMAN!", "en", HandOver, "", ReasonRequested},
		{"hands over on 'person' even with an FAQ topic", "I want a real person about my refund", "en", HandOver, "", ReasonRequested},
		{"hands over on 'Mensch'", "Kann ich bitte mit einem Menschen sprechen?", "de", HandOver, "", ReasonRequested},
		{"hands over on 'Mitarbeiter'", "Bitte einen Mitarbeiter!", "de", HandOver, "", ReasonRequested},
		{"hands over when unsure", "My parcel arrived damaged and the box was wet", "en", HandOver, "", ReasonUnsure},
		{"hands over when unsure in German", "Der Akku meines Geräts wird heiß", "de", HandOver, "", ReasonUnsure},
		{"hands over on nothing but stop words", "hi, can you please", "en", HandOver, "", ReasonUnsure},
		{"hands over on emoji only", "🙂🙂", "en", HandOver, "", ReasonUnsure},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := m.Reply(c.text, c.lang)
			if d.Kind != c.kind || d.EntryID != c.entry || d.Reason != c.reason {
				t.Fatalf("Reply(%q) = %+v (scores %v), want %s %s %s", c.text, d, m.Scores(c.text), c.kind, c.entry, c.reason)
			}
			if d.Text == "" {
				t.Fatal("no text")
			}
			if d.Kind == HandOver {
				want := HandOverLine(c.reason, c.lang)
				if d.Text != want {
					t.Fatalf("text %q, want %q", d.Text, want)
				}
			}
		})
	}
}

func TestHandOverLinesInTheConversationLanguage(t *testing.T) {
	m := New(shopFAQ, 0)
	if d := m.Reply("agent", "de-AT"); !strings.Contains(d.Text, "Person dazu") {
		t.Fatalf("de-AT: %q", d.Text)
	}
	if d := m.Reply("agent", "fr"); !strings.Contains(d.Text, "getting a person") {
		t.Fatalf("fr falls back to English: %q", d.Text)
	}
}

func TestThreshold(t *testing.T) {
	text := "shipping to Austria, how long?"
	s := New(shopFAQ, 0).Scores(text)
	if s[0].EntryID != "faq_shipping" || s[0].Score <= 0 || s[0].Score >= 1 {
		t.Fatalf("scores %v", s)
	}
	if d := New(shopFAQ, s[0].Score).Reply(text, "en"); d.Kind != Answer {
		t.Fatalf("at the threshold: %+v", d)
	}
	if d := New(shopFAQ, s[0].Score+0.01).Reply(text, "en"); d.Kind != HandOver || d.Reason != ReasonUnsure {
		t.Fatalf("above the best score: %+v", d)
	}
	if New(nil, 0).Threshold() != DefaultThreshold || New(nil, 7).Threshold() != 1 {
		t.Fatal("threshold defaults")
	}
	if d := New(shopFAQ, 0).Reply("How do I reset my password?", "en"); d.Score < 0.999 {
		t.Fatalf("the same question scores %v, want 1", d.Score)
	}
}

func TestNoFAQAlwaysHandsOver(t *testing.T) {
	m := New([]Entry{{ID: "empty"}, {ID: "noanswer", Questions: []string{"shipping"}}}, 0)
	if d := m.Reply("shipping", "en"); d.Kind != HandOver || d.Reason != ReasonUnsure {
		t.Fatalf("%+v", d)
	}
}

func TestTokens(t *testing.T) {
	cases := map[string]string{
		"How do I reset my Password?":       "reset password",
		"Wie bekomme ich mein Geld zurück?": "bekom geld zuruck",
		"Straße":                            "stras",
		"Café":                              "caf",
		"shipped, shipping; ships":          "ship ship ship",
		"Rechnungen":                        "rechnung",
	}
	for in, want := range cases {
		if got := strings.Join(Tokens(in), " "); got != want {
			t.Errorf("Tokens(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAsksForPersonNeedsAWholeWord(t *testing.T) {
	for text, want := range map[string]bool{
		"agency fees?":              false,
		"personal data export":      false,
		"humane treatment":          false,
		"talk to a human":           true,
		"ein Mensch bitte":          true,
		"Mitarbeiterin, bitte":      true,
		"is there an AGENT online?": true,
	} {
		if got := AsksForPerson(text); got != want {
			t.Errorf("AsksForPerson(%q) = %v, want %v", text, got, want)
		}
	}
}
