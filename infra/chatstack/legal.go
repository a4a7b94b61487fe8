package chatstack

import (
	"strings"
	"unicode"
)

// Legal is the deployment's terms of service, privacy policy and community
// guidelines (docs/ARCHITECTURE.md "Terms and guidelines"). Each page is
// an https URL or a path on the site; by default the Markdown pages
// bundled with the web client (web/public/legal/*.md), whose text tells
// the operator to replace it. Version, when set, is the version everybody
// must accept (TERMS_VERSION of the actions function): at sign-up, and
// again on their next sign-in after it changes. Empty: the pages are
// linked, nobody is asked to accept them.
type Legal struct {
	TermsURL      string // context termsUrl
	PrivacyURL    string // context privacyUrl
	GuidelinesURL string // context guidelinesUrl
	Version       string // context termsVersion
}

// The bundled pages, served with the web client.
const (
	DefaultTermsURL      = "/legal/terms.md"
	DefaultPrivacyURL    = "/legal/privacy.md"
	DefaultGuidelinesURL = "/legal/guidelines.md"
)

func (l Legal) withDefaults() Legal {
	if l.TermsURL == "" {
		l.TermsURL = DefaultTermsURL
	}
	if l.PrivacyURL == "" {
		l.PrivacyURL = DefaultPrivacyURL
	}
	if l.GuidelinesURL == "" {
		l.GuidelinesURL = DefaultGuidelinesURL
	}
	return l
}

// problems lists what is wrong with l, in the words of the context keys.
func (l Legal) problems() []string {
	var out []string
	for key, u := range map[string]string{"termsUrl": l.TermsURL, "privacyUrl": l.PrivacyURL, "guidelinesUrl": l.GuidelinesURL} {
		if u != "" && !validLegalURL(u) {
			out = append(out, key+" must be an https URL or a path on the site starting with / (no //), got "+u)
		}
	}
	if l.Version != "" && !validLegalVersion(l.Version) {
		out = append(out, "termsVersion must be 1 to 64 printable characters without spaces at either end, got "+l.Version)
	}
	return out
}

func validLegalURL(u string) bool {
	if strings.ContainsAny(u, " \"'<>\\") {
		return false
	}
	if strings.HasPrefix(u, "https://") {
		return len(u) > len("https://")
	}
	return strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//")
}

func validLegalVersion(v string) bool {
	if len(v) > 64 || strings.TrimSpace(v) != v {
		return false
	}
	for _, r := range v {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// WebLegalConfig is config.json's "legal": the pages' URLs and the
// version to accept ("" when none).
func WebLegalConfig(p ChatStackProps) map[string]any {
	l := p.Legal.withDefaults()
	return map[string]any{"terms": l.TermsURL, "privacy": l.PrivacyURL, "guidelines": l.GuidelinesURL, "version": l.Version}
}
