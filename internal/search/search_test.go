package search

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Café": "cafe", "ÜBER": "uber", "Straße": "strasse", "ﬁle": "file", "Ångström": "angstrom", "naïve": "naive",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokenize(t *testing.T) {
	toks := Tokenize("Hi, Zoë! see https://x.io/a-b 42")
	var words []string
	for _, tk := range toks {
		words = append(words, tk.Word)
	}
	if want := []string{"hi", "zoe", "see", "https", "x", "io", "a", "b", "42"}; !slices.Equal(words, want) {
		t.Fatalf("words = %q, want %q", words, want)
	}
	if toks[1].Start != 4 || toks[1].End != 8 { // "Zoë" is 4 bytes
		t.Fatalf("Zoë at %d..%d", toks[1].Start, toks[1].End)
	}
}

// TestStemsMeet: inflections of one word share a stem, in English and in
// German, whatever the case and accents.
func TestStemsMeet(t *testing.T) {
	for _, c := range []struct{ a, b string }{
		{"running", "run"}, {"deployments", "deploying"}, {"Connected", "connection"},
		{"Häuser", "haus"}, {"Bücher", "Buch"}, {"Zeitungen", "zeitung"}, {"kaufen", "kauf"}, {"Straße", "STRASSE"}, {"cafés", "Cafe"},
	} {
		if !meets(Terms(c.a), Stems(c.b)) {
			t.Errorf("%q (terms %q) and %q (stems %q) do not meet", c.a, Terms(c.a), c.b, Stems(c.b))
		}
	}
	for _, c := range []struct{ a, b string }{{"cat", "dog"}, {"deploy", "employ"}, {"haus", "hose"}} {
		if meets(Terms(c.a), Stems(c.b)) {
			t.Errorf("%q and %q meet", c.a, c.b)
		}
	}
}

func day(s string) time.Time { d, _ := time.Parse(dateLayout, s); return d }

func TestParse(t *testing.T) {
	words := func(q Query) []string {
		var out []string
		for _, w := range q.Words {
			out = append(out, w.Text)
		}
		return out
	}
	for _, c := range []struct {
		in     string
		words  []string
		phrase int
		prefix string
		check  func(Query) bool
	}{
		{in: "Deploy Friday ", words: []string{"deploy", "friday"}},
		{in: "deploy fri", words: []string{"deploy"}, prefix: "fri"},
		{in: "deploy f", words: []string{"deploy", "f"}}, // one letter: a word, not a prefix
		{in: `"release notes" deploy`, words: []string{"release", "notes"}, phrase: 1, prefix: "deploy"},
		{in: `"release notes"`, words: []string{"release", "notes"}, phrase: 1},
		{in: "from:@Alice in:#General ci", prefix: "ci", check: func(q Query) bool {
			return slices.Equal(q.From, []string{"alice"}) && slices.Equal(q.In, []string{"#general"})
		}},
		{in: "in:@bob in:random x ", words: []string{"x"}, check: func(q Query) bool {
			return slices.Equal(q.In, []string{"@bob", "#random"})
		}},
		{in: "after:2026-01-31 before:2026-03-01 x ", words: []string{"x"}, check: func(q Query) bool {
			return q.After.Equal(day("2026-02-01")) && q.Before.Equal(day("2026-03-01"))
		}},
		{in: "on:2026-02-03", check: func(q Query) bool {
			return q.After.Equal(day("2026-02-03")) && q.Before.Equal(day("2026-02-04"))
		}},
		{in: "has:file has:IMAGE has:link is:mention", check: func(q Query) bool {
			return q.HasFile && q.HasImage && q.HasLink && q.IsMention
		}},
		{in: "meet at 10:30 ", words: []string{"meet", "at", "10", "30"}}, // not an operator
		{in: "Ärger über", words: []string{"arger"}, prefix: "uber"},
	} {
		q, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if !slices.Equal(words(q), c.words) || len(q.Phrases) != c.phrase || q.Prefix != c.prefix {
			t.Errorf("Parse(%q): words %q phrases %d prefix %q; want %q %d %q", c.in, words(q), len(q.Phrases), q.Prefix, c.words, c.phrase, c.prefix)
		}
		if c.check != nil && !c.check(q) {
			t.Errorf("Parse(%q) = %+v", c.in, q)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	for in, want := range map[string]string{
		"":                                   "empty",
		"   ":                                "empty",
		`"unterminated`:                      "unterminated quote",
		"from:":                              "from: needs a value",
		"from:@a@b":                          "from: takes a @handle",
		"in:a#b":                             "in: takes a #channel",
		"before:yesterday":                   "before: takes a date as YYYY-MM-DD",
		"on:2026-13-01":                      "on: takes a date",
		"after:2026-02-01 before:2026-02-02": "is not before",
		"on:2026-02-01 after:2026-01-01":     "after: given twice",
		"has:video":                          "has: takes file, image or link",
		"is:starred":                         "is: takes mention",
		"a b c d e f g h i j ":               "more than 8 words",
		strings.Repeat("x", 501):             "longer than 500",
	} {
		_, err := Parse(in)
		var ce *chat.Error
		if !errors.As(err, &ce) || ce.Code != chat.Invalid || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an invalid error containing %q", in, err, want)
		}
	}
}

func msg(text string) chat.Message {
	return chat.Message{RoomID: "r1", Seq: 7, SenderID: "u1", Text: text, CreatedAt: day("2026-02-03").Add(time.Hour)}
}

func TestMatchMessage(t *testing.T) {
	img := msg("look")
	img.Attachments = []chat.Attachment{{Key: "k", Type: "image/png"}}
	doc := msg("the doc")
	doc.Attachments = []chat.Attachment{{Key: "k", Type: "application/pdf"}}
	mention := msg("hey @me")
	mention.Mentions = []string{"me"}
	for _, c := range []struct {
		query string
		f     Filter
		m     chat.Message
		want  bool
	}{
		{"deploy", Filter{}, msg("We are DEPLOYING today"), true},
		{"deploy ", Filter{}, msg("nothing here"), false},
		{"häuser ", Filter{}, msg("Das Haus ist rot"), true},
		{"cafe ", Filter{}, msg("Ein Café!"), true},
		{`"release notes"`, Filter{}, msg("the Release Notes are out"), true},
		{`"release notes"`, Filter{}, msg("notes on the release"), false},
		{"dep", Filter{}, msg("deployment done"), true},
		{"depx", Filter{}, msg("deployment done"), false},
		{"deploy from:@x", Filter{From: []string{"u1"}}, msg("deploy"), true},
		{"deploy from:@x", Filter{From: []string{"u2"}}, msg("deploy"), false},
		{"on:2026-02-03", Filter{}, msg("x"), true},
		{"on:2026-02-04", Filter{}, msg("x"), false},
		{"before:2026-02-03", Filter{}, msg("x"), false},
		{"after:2026-02-02", Filter{}, msg("x"), true},
		{"has:image", Filter{}, img, true},
		{"has:image", Filter{}, doc, false},
		{"has:file", Filter{}, doc, true},
		{"has:link", Filter{}, msg("see https://example.com"), true},
		{"has:link", Filter{}, msg("see example"), false},
		{"is:mention", Filter{Me: "me"}, mention, true},
		{"is:mention", Filter{Me: "other"}, mention, false},
		{"look", Filter{}, chat.Message{Deleted: true}, false},
	} {
		q, err := Parse(c.query)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.query, err)
		}
		if _, got := MatchMessage(q, c.f, c.m); got != c.want {
			t.Errorf("MatchMessage(%q, %q) = %v, want %v", c.query, c.m.Text, got, c.want)
		}
	}
}

func TestHighlightsAreUTF16(t *testing.T) {
	q, _ := Parse("cafe ")
	m, ok := MatchMessage(q, Filter{}, msg("😀 Café, café"))
	if !ok {
		t.Fatal("no match")
	}
	// 😀 is two UTF-16 units, then a space: Café at 3..7, café at 9..13.
	if want := [][2]int{{3, 7}, {9, 13}}; !slices.Equal(m.Highlights, want) {
		t.Fatalf("highlights %v, want %v", m.Highlights, want)
	}
	long := strings.Repeat("filler word ", 40) + "needle " + strings.Repeat("tail ", 60)
	q, _ = Parse("needle ")
	m, _ = MatchMessage(q, Filter{}, msg(long))
	if !strings.HasPrefix(m.Snippet, "…") || !strings.HasSuffix(m.Snippet, "…") || len(m.Highlights) != 1 {
		t.Fatalf("snippet %q highlights %v", m.Snippet, m.Highlights)
	}
	u := utf16.Encode([]rune(m.Snippet))
	if got := string(utf16.Decode(u[m.Highlights[0][0]:m.Highlights[0][1]])); got != "needle" {
		t.Fatalf("highlight is %q", got)
	}
}

func TestMessageTermsAndDiff(t *testing.T) {
	m := msg("Deploying the Häuser https://x.io")
	m.Mentions = []string{"u9"}
	m.Attachments = []chat.Attachment{{Key: "k", Type: "image/jpeg"}}
	terms := MessageTerms(m)
	for _, want := range []string{"deploying", "deploy", "hauser", "haus", TermFrom("u1"), TermMention("u9"), TermFile, TermImage, TermLink} {
		if !slices.Contains(terms, want) {
			t.Errorf("terms %q lack %q", terms, want)
		}
	}
	if MessageTerms(chat.Message{Text: "x", System: &chat.SystemLine{}}) != nil {
		t.Error("a system line has terms")
	}
	old, edited := msg("red car"), msg("blue car")
	put, del := Diff(old, edited)
	if len(put) != 1 || put[0].Term != "blue" || len(del) != 1 || del[0].Term != "red" {
		t.Fatalf("Diff: put %+v del %+v", put, del)
	}
}

func TestNameWordsAndQueries(t *testing.T) {
	words := NameWords("Zoë Ångström", "zoe.angstrom")
	if want := []string{"zoe", "angstrom"}; !slices.Equal(words, want) {
		t.Fatalf("NameWords = %v, want %v", words, want)
	}
	for q, want := range map[string]bool{
		"zo": true, "ÅNG": true, "@zoe.ang": true, "zoe angstrom": true, "Zoë  Å": true,
		"oe": false, "zoe x": false, "strom": false,
	} {
		qw, lookup := NameQuery(q)
		if got := len(qw) > 0 && MatchNameQuery(qw, words); got != want {
			t.Errorf("%q matches %v: %v, want %v (lookup %q)", q, words, got, want, lookup)
		}
	}
	if _, lookup := NameQuery("@bo.berg"); lookup != "berg" {
		t.Errorf("lookup of @bo.berg = %q, want the longest word berg", lookup)
	}
	if qw, _ := NameQuery("@#!"); len(qw) != 0 {
		t.Errorf("punctuation only: %v", qw)
	}
	long := strings.Repeat("x ", 30)
	if n := len(NameWords(long + "a b c d e f g h i j k l m n")); n != MaxNameWords {
		t.Errorf("NameWords kept %d words, want at most %d", n, MaxNameWords)
	}
}
