// Package supportbot is the built-in first responder of customer support
// (issue #17): an FAQ matcher that answers a visitor's question from the
// widget's FAQ entries, hands over to a person when asked ("human",
// "agent", "person", "Mensch", "Mitarbeiter", ...) and hands over when it
// is unsure (the best score is below the widget's threshold).
//
// It is pure: no store, no clock, no network. The stream consumer
// (Responder, responder.go) runs it on every visitor message inserted
// into a support room in state "bot".
//
// Scoring: every FAQ question is a document. Texts are normalised
// (lower case, diacritics folded, ß -> ss, split on anything that is not
// a letter or a digit), stop words (en, de) dropped, and each token is
// stemmed lightly (a few plural and verb suffixes). The score of an entry
// is the best cosine similarity, under TF-IDF weights (smoothed idf
// ln((1+N)/(1+df))+1), between the visitor's text and one of the entry's
// questions: 1 for the same words, 0 for none in common.
package supportbot

import (
	"math"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// DefaultThreshold is the score below which the bot hands over when the
// widget sets none (Bot.Threshold 0).
const DefaultThreshold = 0.35

// Entry is one FAQ entry: the questions it answers and its answer.
type Entry struct {
	ID        string
	Questions []string
	Answer    string
}

// Kind is what the bot does with a message.
type Kind string

const (
	Answer   Kind = "answer"   // reply with an FAQ entry's answer
	HandOver Kind = "handover" // get a person (queue the conversation)
)

// Reason says why the bot hands over.
type Reason string

const (
	ReasonRequested Reason = "requested" // the visitor asked for a person
	ReasonUnsure    Reason = "unsure"    // no entry scored at or above the threshold
)

// Decision is the bot's reply to one message.
type Decision struct {
	Kind    Kind
	EntryID string  // Answer: the entry answered
	Score   float64 // the best entry's score (0 when the visitor asked for a person)
	Reason  Reason  // HandOver only
	// Text is what the bot posts: the answer, or the handover line in
	// the conversation's language.
	Text string
}

// Matcher matches texts against FAQ entries. It is safe for concurrent
// use once built.
type Matcher struct {
	entries   []Entry
	docs      [][]vec // per entry, per question
	idf       map[string]float64
	defIDF    float64 // idf of a token no question has
	threshold float64
}

type vec struct {
	w    map[string]float64
	norm float64
}

// New builds a matcher over entries with the threshold (0 or less:
// DefaultThreshold; above 1: 1). Entries without questions or answer are
// skipped.
func New(entries []Entry, threshold float64) *Matcher {
	if threshold <= 0 {
		threshold = DefaultThreshold
	}
	threshold = math.Min(threshold, 1)
	m := &Matcher{threshold: threshold, idf: map[string]float64{}}
	df := map[string]int{}
	var toks [][][]string
	n := 0
	for _, e := range entries {
		if strings.TrimSpace(e.Answer) == "" || len(e.Questions) == 0 {
			continue
		}
		var qs [][]string
		for _, q := range e.Questions {
			t := Tokens(q)
			if len(t) == 0 {
				continue
			}
			qs = append(qs, t)
			n++
			seen := map[string]bool{}
			for _, w := range t {
				if !seen[w] {
					seen[w] = true
					df[w]++
				}
			}
		}
		if len(qs) == 0 {
			continue
		}
		m.entries = append(m.entries, e)
		toks = append(toks, qs)
	}
	for w, d := range df {
		m.idf[w] = math.Log(float64(1+n)/float64(1+d)) + 1
	}
	m.defIDF = math.Log(float64(1+n)) + 1
	for _, qs := range toks {
		var vs []vec
		for _, q := range qs {
			vs = append(vs, m.vector(q))
		}
		m.docs = append(m.docs, vs)
	}
	return m
}

// Threshold is the score an answer needs.
func (m *Matcher) Threshold() float64 { return m.threshold }

func (m *Matcher) vector(tokens []string) vec {
	tf := map[string]float64{}
	for _, t := range tokens {
		tf[t]++
	}
	v := vec{w: make(map[string]float64, len(tf))}
	for t, c := range tf {
		idf, ok := m.idf[t]
		if !ok {
			idf = m.defIDF
		}
		w := (1 + math.Log(c)) * idf
		v.w[t] = w
		v.norm += w * w
	}
	v.norm = math.Sqrt(v.norm)
	return v
}

func cosine(a, b vec) float64 {
	if a.norm == 0 || b.norm == 0 {
		return 0
	}
	if len(a.w) > len(b.w) {
		a, b = b, a
	}
	var dot float64
	for t, w := range a.w {
		dot += w * b.w[t]
	}
	return dot / (a.norm * b.norm)
}

// Scored is one entry's score for a text.
type Scored struct {
	EntryID string
	Score   float64
}

// Scores lists every entry's score for text, best first (ties by entry
// order).
func (m *Matcher) Scores(text string) []Scored {
	q := m.vector(Tokens(text))
	out := make([]Scored, len(m.entries))
	for i, e := range m.entries {
		best := 0.0
		for _, d := range m.docs[i] {
			best = math.Max(best, cosine(q, d))
		}
		out[i] = Scored{EntryID: e.ID, Score: best}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

// Reply decides what the bot does with a visitor's text in lang ("en",
// "de"; anything else answers in English).
func (m *Matcher) Reply(text, lang string) Decision {
	t := linesFor(lang)
	if AsksForPerson(text) {
		return Decision{Kind: HandOver, Reason: ReasonRequested, Text: t.requested}
	}
	scores := m.Scores(text)
	if len(scores) == 0 || scores[0].Score < m.threshold {
		best := 0.0
		if len(scores) > 0 {
			best = scores[0].Score
		}
		return Decision{Kind: HandOver, Reason: ReasonUnsure, Score: best, Text: t.unsure}
	}
	for _, e := range m.entries {
		if e.ID == scores[0].EntryID {
			return Decision{Kind: Answer, EntryID: e.ID, Score: scores[0].Score, Text: e.Answer}
		}
	}
	return Decision{Kind: HandOver, Reason: ReasonUnsure, Text: t.unsure}
}

// handoverWords are the normalised (unstemmed) words that ask for a
// person, in English and German.
var handoverWords = map[string]bool{
	"human": true, "humans": true, "agent": true, "agents": true, "person": true, "persons": true,
	"someone": true, "somebody": true, "operator": true, "representative": true, "staff": true,
	"mensch": true, "menschen": true, "mitarbeiter": true, "mitarbeiterin": true, "mitarbeitende": true,
	"mitarbeitenden": true, "jemand": true, "jemanden": true, "berater": true, "beraterin": true,
	"kundendienst": true,
}

// AsksForPerson reports whether text asks for a person: it has one of
// the handover words ("human", "agent", "person", "Mensch",
// "Mitarbeiter", ...), as a word, in any case.
func AsksForPerson(text string) bool {
	for _, w := range words(text) {
		if handoverWords[w] {
			return true
		}
	}
	return false
}

type lines struct{ requested, unsure string }

var botLines = map[string]lines{
	"en": {
		requested: "Sure, I'm getting a person for you. Someone from the team will reply here shortly.",
		unsure:    "I'm not sure I can answer that, so I'm getting a person for you. Someone from the team will reply here shortly.",
	},
	"de": {
		requested: "Gern, ich hole eine Person dazu. Jemand aus dem Team antwortet gleich hier.",
		unsure:    "Da bin ich mir nicht sicher, deshalb hole ich eine Person dazu. Jemand aus dem Team antwortet gleich hier.",
	},
}

func linesFor(lang string) lines {
	lang = strings.ToLower(lang)
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		lang = lang[:i]
	}
	if l, ok := botLines[lang]; ok {
		return l
	}
	return botLines["en"]
}

// HandOverLine is the line the bot posts when it hands over for reason
// in lang.
func HandOverLine(reason Reason, lang string) string {
	if reason == ReasonRequested {
		return linesFor(lang).requested
	}
	return linesFor(lang).unsure
}

// words splits text into normalised words: lower case, diacritics folded
// (é -> e, ä -> a), ß -> ss, split on anything but letters and digits.
func words(text string) []string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(text)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // a combining mark: the accent of a folded letter
		case r == 'ß':
			b.WriteString("ss")
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

// Tokens are text's words without stop words, stemmed lightly.
func Tokens(text string) []string {
	var out []string
	for _, w := range words(text) {
		if stopWords[w] {
			continue
		}
		if s := stem(w); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// stem strips one common inflection suffix (English and German), keeping
// at least three letters, and a doubled last letter once: "refunds" ->
// "refund", "shipping", "shipped" and "ships" -> "ship", "passwords" -> "password", "Rechnungen" ->
// "rechnung", "bestellen" -> "bestell". Light on purpose: both sides of a
// comparison are stemmed the same way, so it needs to be consistent, not
// linguistically right.
func stem(w string) string {
	for _, suf := range suffixes {
		if strings.HasSuffix(w, suf) && len([]rune(w))-len([]rune(suf)) >= 3 {
			w = strings.TrimSuffix(w, suf)
			break
		}
	}
	// A doubled last letter is one ("shipp" of "shipped" -> "ship").
	if r := []rune(w); len(r) >= 4 && r[len(r)-1] == r[len(r)-2] {
		w = string(r[:len(r)-1])
	}
	return w
}

var suffixes = []string{"ies", "ing", "ed", "es", "en", "er", "s", "e", "n"}

var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
a an the and or but if of to in on at by for with from as is are was were be been being am do does did
done i me my we our you your he she it its they them their this that these those there here what which who
whom how when where why can could would should will shall may might must have has had not no yes please
thanks thank hi hello hey just so about into up out get got any some all also too very much more
der die das den dem des ein eine einen einem einer eines und oder aber wenn ich mich mir mein meine wir
unser ihr sie es er du dich dir dein deine ist sind war waren bin bist sein hat habe haben hatte kann
koennen konnen kann muss mussen soll sollte wie was wo wann warum wer welche welcher welches nicht kein
keine ja nein bitte danke hallo auf an in im zu zum zur mit von fur fuer uber ueber bei als auch noch
schon so nur da dass ob man um aus`) {
		m[w] = true
	}
	return m
}()
