package chatstack_test

import (
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

// TestLegalConfig: config.json's "legal" names the bundled pages unless
// context gives others, with the version to accept; bad URLs and versions
// are refused at synth.
func TestLegalConfig(t *testing.T) {
	got := chatstack.WebLegalConfig(chatstack.ChatStackProps{})
	if got["terms"] != "/legal/terms.md" || got["privacy"] != "/legal/privacy.md" || got["guidelines"] != "/legal/guidelines.md" || got["version"] != "" {
		t.Errorf("default legal = %v", got)
	}
	got = chatstack.WebLegalConfig(chatstack.ChatStackProps{Legal: chatstack.Legal{TermsURL: "https://example.com/tos", Version: "3"}})
	if got["terms"] != "https://example.com/tos" || got["privacy"] != "/legal/privacy.md" || got["version"] != "3" {
		t.Errorf("legal = %v", got)
	}
	valid := chatstack.ChatStackProps{AssetDir: fixtures.assetDir}
	for _, l := range []chatstack.Legal{
		{TermsURL: "http://example.com/tos"}, {PrivacyURL: "javascript:alert(1)"}, {GuidelinesURL: "//evil.example/x"},
		{TermsURL: "/legal/a b.md"}, {Version: " 1"}, {Version: strings.Repeat("9", 65)},
	} {
		p := valid
		p.Legal = l
		if err := p.Validate(); err == nil {
			t.Errorf("legal %+v accepted", l)
		}
	}
	p := valid
	p.Legal = chatstack.Legal{TermsURL: "https://example.com/tos", PrivacyURL: "/privacy.html", Version: "2026-11-30"}
	if err := p.Validate(); err != nil {
		t.Errorf("valid legal refused: %v", err)
	}
}

// TestTermsVersionReachesTheActionsFunction: TERMS_VERSION is set on the
// actions function when termsVersion is given, and absent otherwise.
func TestTermsVersionReachesTheActionsFunction(t *testing.T) {
	full := synth(t, cfgFull)
	env := get(functionNamed(t, full, "actions").Props, "Environment", "Variables").(map[string]any)
	if env["TERMS_VERSION"] != "2026-11-30" {
		t.Errorf("full: TERMS_VERSION = %v", env["TERMS_VERSION"])
	}
	def := synth(t, cfgDefault)
	env = get(functionNamed(t, def, "actions").Props, "Environment", "Variables").(map[string]any)
	if _, ok := env["TERMS_VERSION"]; ok {
		t.Errorf("default: TERMS_VERSION = %v, want none", env["TERMS_VERSION"])
	}
}
