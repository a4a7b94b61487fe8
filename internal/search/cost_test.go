package search

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// sampleMessages are chat-sized lines in the client's two languages.
var sampleMessages = []string{
	"Deploying the new release to production on Friday after the review",
	"Can someone review my pull request about the login bug?",
	"lunch?",
	"thanks!",
	"The build is broken again, looking into it now",
	"Meeting moved to 3pm, same room",
	"I pushed a fix for the flaky integration tests, see https://ci.example.com/runs/4711",
	"Who owns the billing service these days?",
	"ok 👍",
	"Could we postpone the retro to next week? Half the team is out",
	"Die Häuser in der Straße werden heute gestrichen",
	"Kannst du mir bitte die Unterlagen für das Angebot schicken?",
	"Ich bin heute im Homeoffice, erreichbar per Chat",
	"Der Server läuft wieder, danke an alle!",
	"Wir treffen uns um 14 Uhr im großen Besprechungsraum",
	"Gute Idee, machen wir so",
	"Das Deployment ist fehlgeschlagen, ich schaue mir die Logs an",
	"Hat jemand die Zugangsdaten für die Testumgebung?",
	"morgen frei",
	"Bitte alle bis Freitag die Stunden eintragen",
}

// TestIndexCostOfSample logs the postings (= write units: each item is
// under 1 KB and BatchWriteItem is not transactional) per message of the
// sample, which docs/ARCHITECTURE.md quotes; it checks the index stays
// within 2 postings per word plus the sender's.
func TestIndexCostOfSample(t *testing.T) {
	words, postings := 0, 0
	for _, text := range sampleMessages {
		w := len(Tokenize(text))
		p := len(Postings(chat.Message{RoomID: "r", Seq: 1, SenderID: "u", Text: text}))
		if p > 2*w+2 {
			t.Errorf("%q: %d words, %d postings", text, w, p)
		}
		words += w
		postings += p
	}
	n := len(sampleMessages)
	t.Logf("%d messages, %.1f words and %.1f postings (write units) per message on average", n, float64(words)/float64(n), float64(postings)/float64(n))
}
