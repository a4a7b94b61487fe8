package main

import (
	"strings"
	"testing"
	"time"
)

// TestBannerNamesTheMailPage: make dev's banner says where the mails are.
func TestBannerNamesTheMailPage(t *testing.T) {
	i := readyInfo{WebURL: "http://127.0.0.1:8080/", LogDir: "/tmp/logs", external: map[string]bool{}}
	i.addDigest(&digestRunner{mailsURL: "http://127.0.0.1:8080/dev/mails", sesURL: "http://127.0.0.1:1", schedURL: "http://127.0.0.1:2",
		unsubURL: "http://127.0.0.1:8080/unsubscribe", ses: nil, sched: nil})
	i.external["sesv2"], i.external["scheduler"] = false, false
	var b strings.Builder
	printInfo(&b, i, time.Second)
	out := b.String()
	for _, want := range []string{"mail          http://127.0.0.1:8080/dev/mails", "SES v2 at http://127.0.0.1:1", "scheduler     http://127.0.0.1:2"} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}
}
