package supportbot

import "testing"

// BenchmarkReply: one visitor message against a five-entry FAQ (the
// matcher is rebuilt per batch in the consumer; Build is measured apart).
func BenchmarkReply(b *testing.B) {
	m := New(shopFAQ, 0.35)
	b.ReportAllocs()
	for b.Loop() {
		m.Reply("Hallo, wo finde ich die Rechnung für meine Bestellung?", "de")
	}
}

func BenchmarkBuild(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		New(shopFAQ, 0.35)
	}
}
