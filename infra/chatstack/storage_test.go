package chatstack_test

import (
	"slices"
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	s := synth(t, cfgDefault)
	table := s.one(t, "AWS::DynamoDB::Table", "Table")
	p := table.Props
	checks := map[string][2]string{
		"key schema":   {render(p["KeySchema"]), "[AttributeName(pk),KeyType(HASH),AttributeName(sk),KeyType(RANGE)]"},
		"billing":      {render(p["BillingMode"]), "PAY_PER_REQUEST"},
		"PITR":         {render(get(p, "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled")), "true"},
		"TTL":          {render(p["TimeToLiveSpecification"]), "AttributeName(ttl),Enabled(true)"},
		"stream":       {render(get(p, "StreamSpecification", "StreamViewType")), "NEW_AND_OLD_IMAGES"},
		"encryption":   {render(p["SSESpecification"]), "SSEEnabled(true)"},
		"protection":   {render(p["DeletionProtectionEnabled"]), "true"},
		"retained":     {render(table.Raw["DeletionPolicy"]), "Retain"},
		"gsi count":    {render(len(list(p["GlobalSecondaryIndexes"]))), "1"},
		"gsi name":     {render(get(list(p["GlobalSecondaryIndexes"])[0], "IndexName")), "gsi1"},
		"gsi keys":     {render(get(list(p["GlobalSecondaryIndexes"])[0], "KeySchema")), "[AttributeName(gsi1pk),KeyType(HASH),AttributeName(gsi1sk),KeyType(RANGE)]"},
		"gsi projects": {render(get(list(p["GlobalSecondaryIndexes"])[0], "Projection", "ProjectionType")), "ALL"},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %s, want %s", what, c[0], c[1])
		}
	}
	var attrs []string
	for _, a := range list(p["AttributeDefinitions"]) {
		attrs = append(attrs, render(get(a, "AttributeName"))+":"+render(get(a, "AttributeType")))
	}
	slices.Sort(attrs)
	if want := []string{"gsi1pk:S", "gsi1sk:S", "pk:S", "sk:S"}; !slices.Equal(attrs, want) {
		t.Errorf("attributes %v, want %v", attrs, want)
	}
}

// TestRemovalPolicyByContext: data is retained and protected by default and
// destroyed (with objects auto-deleted) only when destroyData is set.
func TestRemovalPolicyByContext(t *testing.T) {
	for cfg, want := range map[string]struct {
		policy, protection string
		autoDelete         int
	}{
		cfgDefault: {"Retain", "true", 0},
		cfgFull:    {"Delete", "false", 3},
	} {
		s := synth(t, cfg)
		table := s.one(t, "AWS::DynamoDB::Table", "Table")
		pool := s.one(t, "AWS::Cognito::UserPool", "UserPool")
		if got := render(table.Raw["DeletionPolicy"]); got != want.policy {
			t.Errorf("%s: table DeletionPolicy %s, want %s", cfg, got, want.policy)
		}
		if got := render(table.Props["DeletionProtectionEnabled"]); got != want.protection {
			t.Errorf("%s: table deletion protection %s, want %s", cfg, got, want.protection)
		}
		if got := render(pool.Raw["DeletionPolicy"]); got != want.policy {
			t.Errorf("%s: user pool DeletionPolicy %s, want %s", cfg, got, want.policy)
		}
		wantPoolProtection := map[string]string{"true": "ACTIVE", "false": "INACTIVE"}[want.protection]
		if got := render(pool.Props["DeletionProtection"]); got != wantPoolProtection {
			t.Errorf("%s: user pool deletion protection %s, want %s", cfg, got, wantPoolProtection)
		}
		for _, b := range s.resources("AWS::S3::Bucket") {
			if got := render(b.Raw["DeletionPolicy"]); got != want.policy {
				t.Errorf("%s: bucket %s DeletionPolicy %s, want %s", cfg, b.ID, got, want.policy)
			}
		}
		if got := len(s.resources("Custom::S3AutoDeleteObjects")); got != want.autoDelete {
			t.Errorf("%s: %d auto-delete custom resources, want %d", cfg, got, want.autoDelete)
		}
	}
}

// TestBucketsPrivateEncryptedTLSOnly: every bucket blocks public access,
// is encrypted, and has a policy denying requests without TLS.
func TestBucketsPrivateEncryptedTLSOnly(t *testing.T) {
	s := synth(t, cfgDefault)
	buckets := s.resources("AWS::S3::Bucket")
	if len(buckets) != 3 {
		t.Fatalf("want 3 buckets (logs, files, site), got %d", len(buckets))
	}
	policies := map[string]any{}
	for _, p := range s.resources("AWS::S3::BucketPolicy") {
		policies[refID(p.Props["Bucket"])] = p.Props["PolicyDocument"]
	}
	for _, b := range buckets {
		pab := render(b.Props["PublicAccessBlockConfiguration"])
		if pab != "BlockPublicAcls(true),BlockPublicPolicy(true),IgnorePublicAcls(true),RestrictPublicBuckets(true)" {
			t.Errorf("%s public access block %s", b.ID, pab)
		}
		if got := render(get(list(get(b.Props, "BucketEncryption", "ServerSideEncryptionConfiguration"))[0], "ServerSideEncryptionByDefault", "SSEAlgorithm")); got != "AES256" {
			t.Errorf("%s encryption %q, want AES256 (S3 managed)", b.ID, got)
		}
		if !denysInsecureTransport(policies[b.ID]) {
			t.Errorf("%s has no policy denying aws:SecureTransport=false", b.ID)
		}
		if !strings.HasPrefix(b.ID, "LogBucket") && get(b.Props, "LoggingConfiguration", "DestinationBucketName") == nil {
			t.Errorf("%s has no server access logging", b.ID)
		}
	}
}

func denysInsecureTransport(doc any) bool {
	for _, st := range list(get(doc, "Statement")) {
		if render(get(st, "Effect")) == "Deny" && render(get(st, "Condition", "Bool", "aws:SecureTransport")) == "false" {
			return true
		}
	}
	return false
}

func TestFilesBucket(t *testing.T) {
	for cfg, origin := range map[string]string{
		cfgDefault: "https://${Distribution830FAC52.DomainName}",
		cfgFull:    "https://chat.example.com",
	} {
		s := synth(t, cfg)
		b := s.one(t, "AWS::S3::Bucket", "FilesBucket")
		rules := list(get(b.Props, "CorsConfiguration", "CorsRules"))
		if len(rules) != 1 {
			t.Fatalf("%s: want one CORS rule, got %d", cfg, len(rules))
		}
		rule := rules[0]
		if got := strList(get(rule, "AllowedOrigins")); !slices.Equal(got, []string{origin}) {
			t.Errorf("%s: CORS origins %v, want only %s", cfg, got, origin)
		}
		methods := strList(get(rule, "AllowedMethods"))
		slices.Sort(methods)
		if want := []string{"GET", "HEAD", "POST", "PUT"}; !slices.Equal(methods, want) {
			t.Errorf("%s: CORS methods %v, want %v", cfg, methods, want)
		}
		if got := strList(get(rule, "AllowedHeaders")); !slices.Contains(got, "Content-Type") || slices.Contains(got, "*") {
			t.Errorf("%s: CORS headers %v: want Content-Type and no bare *", cfg, got)
		}
		abort := ""
		for _, r := range list(get(b.Props, "LifecycleConfiguration", "Rules")) {
			if v := get(r, "AbortIncompleteMultipartUpload", "DaysAfterInitiation"); v != nil {
				abort = render(v)
			}
		}
		if abort != "1" {
			t.Errorf("%s: abort incomplete multipart after %q days, want 1", cfg, abort)
		}
		// Retention (issue 15): uploads still tagged state=pending (never
		// sent, or a replaced picture) expire after a day.
		pending := ""
		for _, r := range list(get(b.Props, "LifecycleConfiguration", "Rules")) {
			tags := list(get(r, "TagFilters"))
			if len(tags) == 1 && render(get(tags[0], "Key")) == "state" && render(get(tags[0], "Value")) == "pending" && render(get(r, "Status")) == "Enabled" {
				pending = render(get(r, "ExpirationInDays"))
			}
		}
		if pending != "1" {
			t.Errorf("%s: pending uploads expire after %q days, want 1", cfg, pending)
		}
		// The name embeds the stack's GUID: unique per stack creation.
		if got := render(b.Props["BucketName"]); !strings.HasPrefix(got, "backchannel-files-") || !strings.Contains(got, "AWS::StackId") {
			t.Errorf("%s: files bucket name %s", cfg, got)
		}
	}
}
