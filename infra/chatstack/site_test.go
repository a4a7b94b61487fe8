package chatstack_test

import (
	"slices"
	"strings"
	"testing"
)

func TestDistribution(t *testing.T) {
	s := synth(t, cfgDefault)
	d := get(s.one(t, "AWS::CloudFront::Distribution", "Distribution").Props, "DistributionConfig")
	if get(d, "DefaultRootObject") != "index.html" {
		t.Errorf("default root object %v", get(d, "DefaultRootObject"))
	}
	if got := get(d, "DefaultCacheBehavior", "ViewerProtocolPolicy"); got != "redirect-to-https" {
		t.Errorf("viewer protocol %v", got)
	}
	var fallbacks []string
	for _, e := range list(get(d, "CustomErrorResponses")) {
		fallbacks = append(fallbacks, render(get(e, "ErrorCode"))+">"+render(get(e, "ResponseCode"))+":"+render(get(e, "ResponsePagePath")))
	}
	slices.Sort(fallbacks)
	if want := []string{"403>200:/index.html", "404>200:/index.html"}; !slices.Equal(fallbacks, want) {
		t.Errorf("SPA fallback %v, want %v", fallbacks, want)
	}
	origins := list(get(d, "Origins"))
	oac := s.one(t, "AWS::CloudFront::OriginAccessControl", "")
	site := s.one(t, "AWS::S3::Bucket", "SiteBucket")
	// Two origins since issue 17: the site bucket through OAC, and the HTTP
	// API for the support widget's /widget/* (widget_test.go).
	if len(origins) != 2 || refID(get(origins[0], "OriginAccessControlId")) != oac.ID || !strings.Contains(render(get(origins[0], "DomainName")), site.ID) ||
		!strings.Contains(render(get(origins[1], "DomainName")), "execute-api") {
		t.Errorf("origins are not the site bucket through OAC and the HTTP API: %s", render(origins))
	}
	if get(d, "Logging", "Bucket") == nil {
		t.Errorf("no access logging")
	}
	// Only CloudFront (this distribution) may read the site bucket.
	for _, p := range s.resources("AWS::S3::BucketPolicy") {
		if refID(p.Props["Bucket"]) != site.ID {
			continue
		}
		for _, st := range list(get(p.Props, "PolicyDocument", "Statement")) {
			if render(get(st, "Effect")) != "Allow" {
				continue
			}
			principal := render(get(st, "Principal"))
			if principal == "Service(cloudfront.amazonaws.com)" {
				if !strings.Contains(render(get(st, "Condition")), "Distribution830FAC52") {
					t.Errorf("CloudFront read not limited to this distribution: %s", render(st))
				}
				continue
			}
			if !strings.Contains(principal, "CustomCDKBucketDeployment") && !strings.Contains(principal, "AutoDelete") {
				t.Errorf("site bucket allows %s", principal)
			}
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := synth(t, cfgDefault)
	h := get(s.one(t, "AWS::CloudFront::ResponseHeadersPolicy", "SecurityHeaders").Props, "ResponseHeadersPolicyConfig", "SecurityHeadersConfig")
	csp := parseCSP(render(get(h, "ContentSecurityPolicy", "ContentSecurityPolicy")))
	// The bucket's host, derived from its name expression (stack GUID).
	files := "https://backchannel-files-Fn::Select([2,Fn::Split([/,${AWS::StackId}])]).s3.eu-west-1.${AWS::URLSuffix}"
	got := func(d string) string { return strings.Join(csp[d], " ") }
	ws := "${WebSocketApi34BCF99B.ApiEndpoint}" // wss://<api id>.execute-api.<region>.amazonaws.com
	want := map[string]string{
		"default-src":     "'self'",
		"script-src":      "'self'",
		"style-src":       "'self'",
		"img-src":         "'self' data: blob: " + files + " https:",
		"connect-src":     "'self' " + ws + " https://cognito-idp.eu-west-1.${AWS::URLSuffix} " + files,
		"object-src":      "'none'",
		"frame-ancestors": "'none'",
		"base-uri":        "'self'",
		// The web app manifest and the service worker (issue 13).
		"manifest-src": "'self'",
		"worker-src":   "'self'",
	}
	for d, w := range want {
		if got(d) != w {
			t.Errorf("CSP %s = %q, want %q", d, got(d), w)
		}
	}
	for d, sources := range csp {
		for _, src := range sources {
			// https: only for images (link previews load theirs from the
			// linked site, without a referrer).
			if strings.Contains(src, "unsafe") || src == "*" || (src == "https:" && d != "img-src") {
				t.Errorf("CSP %s allows %s", d, src)
			}
		}
	}
	checks := map[string][2]string{
		"HSTS":     {render(get(h, "StrictTransportSecurity", "AccessControlMaxAgeSec")) + render(get(h, "StrictTransportSecurity", "IncludeSubdomains")), "63072000true"},
		"nosniff":  {render(get(h, "ContentTypeOptions", "Override")), "true"},
		"frame":    {render(get(h, "FrameOptions", "FrameOption")), "DENY"},
		"referrer": {render(get(h, "ReferrerPolicy", "ReferrerPolicy")), "no-referrer"},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %s, want %s", what, c[0], c[1])
		}
	}

	full := synth(t, cfgFull)
	fullCSP := parseCSP(render(get(full.one(t, "AWS::CloudFront::ResponseHeadersPolicy", "SecurityHeaders").Props,
		"ResponseHeadersPolicyConfig", "SecurityHeadersConfig", "ContentSecurityPolicy", "ContentSecurityPolicy")))
	for _, src := range []string{"wss://ws.example.com", "https://${UserPoolHostedDomainE2BAC752}.auth.eu-west-1.amazoncognito.com"} {
		if !slices.Contains(fullCSP["connect-src"], src) {
			t.Errorf("full config connect-src %v lacks %s", fullCSP["connect-src"], src)
		}
	}
}

func parseCSP(policy string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(policy, ";") {
		fields := strings.Fields(d)
		if len(fields) > 0 {
			out[fields[0]] = fields[1:]
		}
	}
	return out
}

// TestSiteDeployment: config.json is always deployed; the web build only
// when web/dist exists.
func TestSiteDeployment(t *testing.T) {
	def := synth(t, cfgDefault)
	deployments := def.resources("Custom::CDKBucketDeployment")
	if len(deployments) != 1 || len(list(deployments[0].Props["SourceObjectKeys"])) != 1 {
		t.Fatalf("without web/dist want one deployment with one source (config.json), got %d", len(deployments))
	}
	markers := render(deployments[0].Props["SourceMarkers"])
	for _, want := range []string{"UserPool", "WebSocketApi", "UserPoolWebClient"} {
		if !strings.Contains(markers, want) {
			t.Errorf("config.json lacks a token of %s: %s", want, markers)
		}
	}
	if got := render(deployments[0].Props["DistributionPaths"]); got != "[/*]" {
		t.Errorf("invalidation paths %s", got)
	}

	full := synth(t, cfgFull)
	if n := len(full.resources("Custom::CDKBucketDeployment")); n != 2 {
		t.Errorf("with web/dist want 2 deployments (assets, entry), got %d", n)
	}
}

func TestSiteCustomDomain(t *testing.T) {
	d := get(synth(t, cfgFull).one(t, "AWS::CloudFront::Distribution", "Distribution").Props, "DistributionConfig")
	if got := strList(get(d, "Aliases")); !slices.Equal(got, []string{"chat.example.com"}) {
		t.Errorf("aliases %v", got)
	}
	cert := get(d, "ViewerCertificate")
	if render(get(cert, "AcmCertificateArn")) != "arn:aws:acm:us-east-1:123456789012:certificate/site" ||
		render(get(cert, "MinimumProtocolVersion")) != "TLSv1.2_2021" || render(get(cert, "SslSupportMethod")) != "sni-only" {
		t.Errorf("viewer certificate %s", render(cert))
	}
	if got := render(get(synth(t, cfgFull).tmpl, "Outputs", "SiteUrl", "Value")); got != "https://chat.example.com/" {
		t.Errorf("SiteUrl %s", got)
	}
}
