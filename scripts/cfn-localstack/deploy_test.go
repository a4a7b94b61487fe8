package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

func TestFilterKeepsSupportedResourcesAndReplacesReferencesToTheOthers(t *testing.T) {
	raw := []byte(`{
	 "Parameters": {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>"}},
	 "Rules": {"CheckBootstrapVersion": {}},
	 "Resources": {
	  "Table": {"Type": "AWS::DynamoDB::Table", "Metadata": {"cdk_nag": {"rules_to_suppress": []}}, "Properties": {"TableName": "t"}},
	  "Fn": {"Type": "AWS::Lambda::Function", "Properties": {}},
	  "Dist": {"Type": "AWS::CloudFront::Distribution", "Properties": {}},
	  "Bucket": {"Type": "AWS::S3::Bucket", "DependsOn": ["Fn", "Table"], "Properties": {"CorsConfiguration": {"CorsRules": [
	    {"AllowedOrigins": [{"Fn::Join": ["", ["https://", {"Fn::GetAtt": ["Dist", "DomainName"]}]]}]}]}}},
	  "Policy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": {"Statement": [
	    {"Resource": [{"Fn::GetAtt": ["Table", "Arn"]}, {"Fn::Sub": "${Fn.Arn}/x"}, {"Ref": "Fn"}]}]}}}
	 },
	 "Outputs": {"Url": {"Value": {"Fn::GetAtt": ["Dist", "DomainName"]}}, "TableName": {"Value": {"Ref": "Table"}}}
	}`)
	f, err := Filter(raw)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(f.Template)
	got := string(b)
	for _, want := range []string{`"Table"`, `"Bucket"`, `"Policy"`, `"DependsOn":["Table"]`, `"https://",` + fmt.Sprintf("%q", Placeholder("Dist")),
		`{"Fn::Sub":"` + Placeholder("Fn") + `/x"}`, `{"Fn::GetAtt":["Table","Arn"]}`, `"TableName":{"Value":{"Ref":"Table"}}`} {
		if !strings.Contains(got, want) {
			t.Errorf("filtered template lacks %s:\n%s", want, got)
		}
	}
	for _, gone := range []string{`"Fn":{`, `"Dist":{`, `"Rules"`, `BootstrapVersion`, `"Url"`, `"Metadata"`, `cdk_nag`} {
		if strings.Contains(got, gone) {
			t.Errorf("filtered template still has %s:\n%s", gone, got)
		}
	}
	if len(f.Dropped) != 2 {
		t.Errorf("dropped %v, want Fn and Dist", f.Dropped)
	}
}

// TestTemplateDeploysInLocalStack deploys the real template (cdk.out, from
// `make synth`), filtered, through LocalStack's CloudFormation, and checks
// the table and the buckets carry the template's settings that LocalStack
// honours. It runs in `make test-localstack`.
func TestTemplateDeploysInLocalStack(t *testing.T) {
	if os.Getenv("AWS_ENDPOINT_URL_CLOUDFORMATION") == "" {
		t.Skip("needs LocalStack's CloudFormation: make test-localstack")
	}
	cfg := testenv.AWSConfig(t)
	// The templates: LOCALSTACK_TEMPLATE, else cdk.out's (make synth), else
	// the ones `make test` (test-infra) wrote: the default configuration
	// and the full one (mail on: the schedule group, the SES identity, the
	// unsubscribe function URL; a custom domain, Google sign-in, alarms).
	var paths []string
	if p := os.Getenv("LOCALSTACK_TEMPLATE"); p != "" {
		paths = []string{p}
	} else if p, err := FindTemplate(filepath.Join("..", "..", "cdk.out")); err == nil {
		paths = []string{p}
	} else {
		for _, c := range []string{"default", "full"} {
			dumped := filepath.Join("..", "..", ".cache", "infra-templates", c+".template.json")
			if _, statErr := os.Stat(dumped); statErr == nil {
				paths = append(paths, dumped)
			}
		}
		if len(paths) == 0 {
			t.Fatal(err)
		}
	}
	for _, path := range paths {
		// One after the other: the templates name the same resources (the
		// scheduled messages' schedule group is in every one), and one
		// stack's cleanup would delete what the other just made.
		t.Run(strings.TrimSuffix(filepath.Base(path), ".template.json"), func(t *testing.T) {
			deployAndCheck(t, cfg, path)
		})
	}
}

// deployAndCheck deploys the filtered template at path and checks the
// table, the buckets and the schedule groups against it.
func deployAndCheck(t *testing.T, cfg aws.Config, path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Filter(raw)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: dropped %d resources:\n%s", path, len(f.Dropped), f.Summary())
	body, _ := json.Marshal(f.Template)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cfn := cloudformation.NewFromConfig(cfg)
	name := fmt.Sprintf("backchannel-%d", time.Now().UnixNano())
	started := time.Now()
	in := &cloudformation.CreateStackInput{
		StackName:    aws.String(name),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam, cfntypes.CapabilityCapabilityNamedIam, cfntypes.CapabilityCapabilityAutoExpand},
	}
	if len(body) <= maxTemplateBody {
		in.TemplateBody = aws.String(string(body))
	} else {
		// As cdk deploy does with a large template: from S3.
		in.TemplateURL = aws.String(uploadTemplate(t, ctx, cfg, name, body))
	}
	if _, err := cfn.CreateStack(ctx, in); err != nil {
		t.Fatalf("create stack: %v", err)
	}
	t.Cleanup(func() {
		// Waited for, so that the next template's stack does not make what
		// this deletion is about to remove.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if _, err := cfn.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(name)}); err != nil {
			t.Logf("delete stack %s: %v", name, err)
			return
		}
		for ctx.Err() == nil {
			out, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
			if err != nil || len(out.Stacks) == 0 || !strings.HasSuffix(string(out.Stacks[0].StackStatus), "_IN_PROGRESS") {
				return
			}
			time.Sleep(time.Second)
		}
		t.Logf("stack %s still deleting after 2 minutes", name)
	})
	var status cfntypes.StackStatus
	for {
		out, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		status = out.Stacks[0].StackStatus
		if !strings.HasSuffix(string(status), "_IN_PROGRESS") {
			break
		}
		time.Sleep(time.Second)
	}
	if status != cfntypes.StackStatusCreateComplete {
		evs, _ := cfn.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(name)})
		var failed []string
		for _, e := range evs.StackEvents {
			if strings.HasSuffix(string(e.ResourceStatus), "_FAILED") {
				failed = append(failed, fmt.Sprintf("%s %s: %s", aws.ToString(e.LogicalResourceId), aws.ToString(e.ResourceType), aws.ToString(e.ResourceStatusReason)))
			}
		}
		t.Fatalf("stack %s, want CREATE_COMPLETE:\n%s", status, strings.Join(failed, "\n"))
	}
	t.Logf("CREATE_COMPLETE in %s", time.Since(started).Round(100*time.Millisecond))

	res, err := cfn.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	props := func(id string) map[string]any {
		return f.Template["Resources"].(map[string]any)[id].(map[string]any)["Properties"].(map[string]any)
	}
	ddb := dynamodb.NewFromConfig(cfg)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	tables, buckets := 0, 0
	for _, r := range res.StackResources {
		id, phys := aws.ToString(r.LogicalResourceId), aws.ToString(r.PhysicalResourceId)
		switch aws.ToString(r.ResourceType) {
		case "AWS::DynamoDB::Table":
			tables++
			checkTable(ctx, t, ddb, phys, props(id))
		case "AWS::S3::Bucket":
			buckets++
			checkBucket(ctx, t, s3c, phys, props(id))
		case "AWS::Scheduler::ScheduleGroup":
			g, err := scheduler.NewFromConfig(cfg).GetScheduleGroup(ctx, &scheduler.GetScheduleGroupInput{Name: aws.String(phys)})
			if err != nil || g.State != schedtypes.ScheduleGroupStateActive {
				t.Errorf("schedule group %s (%s): %+v, %v; want ACTIVE", id, phys, g, err)
			} else if want, ok := props(id)["Name"].(string); ok && aws.ToString(g.Name) != want {
				t.Errorf("schedule group %s named %s, template %s", id, aws.ToString(g.Name), want)
			}
		}
	}
	if tables != 1 || buckets == 0 {
		t.Errorf("deployed %d tables and %d buckets, want 1 and some", tables, buckets)
	}
}

func checkTable(ctx context.Context, t *testing.T, c *dynamodb.Client, name string, p map[string]any) {
	t.Helper()
	out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	d := out.Table
	var keys []string
	for _, k := range d.KeySchema {
		keys = append(keys, aws.ToString(k.AttributeName)+"/"+string(k.KeyType))
	}
	var want []string
	for _, k := range p["KeySchema"].([]any) {
		m := k.(map[string]any)
		want = append(want, fmt.Sprint(m["AttributeName"])+"/"+fmt.Sprint(m["KeyType"]))
	}
	if strings.Join(keys, ",") != strings.Join(want, ",") {
		t.Errorf("table keys %v, template %v", keys, want)
	}
	if bm, ok := p["BillingMode"].(string); ok && (d.BillingModeSummary == nil || string(d.BillingModeSummary.BillingMode) != bm) {
		t.Errorf("billing mode %+v, template %s", d.BillingModeSummary, bm)
	}
	if gsis, ok := p["GlobalSecondaryIndexes"].([]any); ok {
		var got, want []string
		for _, g := range d.GlobalSecondaryIndexes {
			got = append(got, aws.ToString(g.IndexName))
		}
		for _, g := range gsis {
			want = append(want, fmt.Sprint(g.(map[string]any)["IndexName"]))
		}
		if strings.Join(got, ",") != strings.Join(want, ",") && len(got) != len(want) {
			t.Errorf("indexes %v, template %v", got, want)
		}
	}
	if ss, ok := p["StreamSpecification"].(map[string]any); ok {
		if d.StreamSpecification == nil || !aws.ToBool(d.StreamSpecification.StreamEnabled) || string(d.StreamSpecification.StreamViewType) != fmt.Sprint(ss["StreamViewType"]) {
			t.Errorf("stream %+v, template %v", d.StreamSpecification, ss)
		}
	}
	if ttl, ok := p["TimeToLiveSpecification"].(map[string]any); ok {
		out, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
		if err != nil || out.TimeToLiveDescription == nil || aws.ToString(out.TimeToLiveDescription.AttributeName) != fmt.Sprint(ttl["AttributeName"]) {
			t.Errorf("time to live %+v (%v), template %v", out, err, ttl)
		}
	}
	if sse, ok := p["SSESpecification"].(map[string]any); ok && sse["SSEEnabled"] == true {
		if d.SSEDescription == nil || d.SSEDescription.Status != "ENABLED" {
			t.Errorf("server-side encryption %+v, template %v", d.SSEDescription, sse)
		}
	}
}

func checkBucket(ctx context.Context, t *testing.T, c *s3.Client, name string, p map[string]any) {
	t.Helper()
	if enc, ok := p["BucketEncryption"].(map[string]any); ok {
		out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(name)})
		want := fmt.Sprint(enc["ServerSideEncryptionConfiguration"].([]any)[0].(map[string]any)["ServerSideEncryptionByDefault"].(map[string]any)["SSEAlgorithm"])
		if err != nil || len(out.ServerSideEncryptionConfiguration.Rules) == 0 ||
			string(out.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm) != want {
			t.Errorf("bucket %s encryption: %v, template %s", name, err, want)
		}
	}
	if pab, ok := p["PublicAccessBlockConfiguration"].(map[string]any); ok {
		out, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(name)})
		if err != nil {
			t.Errorf("bucket %s public access block: %v", name, err)
		} else if got := out.PublicAccessBlockConfiguration; pab["BlockPublicAcls"] == true && !aws.ToBool(got.BlockPublicAcls) ||
			pab["BlockPublicPolicy"] == true && !aws.ToBool(got.BlockPublicPolicy) ||
			pab["IgnorePublicAcls"] == true && !aws.ToBool(got.IgnorePublicAcls) ||
			pab["RestrictPublicBuckets"] == true && !aws.ToBool(got.RestrictPublicBuckets) {
			t.Errorf("bucket %s public access block %+v, template %v", name, got, pab)
		}
	}
	if v, ok := p["VersioningConfiguration"].(map[string]any); ok {
		out, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(name)})
		if err != nil || string(out.Status) != fmt.Sprint(v["Status"]) {
			t.Errorf("bucket %s versioning %+v (%v), template %v", name, out, err, v)
		}
	}
	if cors, ok := p["CorsConfiguration"].(map[string]any); ok {
		out, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(name)})
		if err != nil || len(out.CORSRules) != len(cors["CorsRules"].([]any)) {
			t.Errorf("bucket %s CORS %+v (%v), template %v", name, out, err, cors)
		}
	}
}

// maxTemplateBody is CreateStack's limit on an inline template; a larger
// one (the full configuration's, 54 KB filtered) is given as a URL.
const maxTemplateBody = 51200

// uploadTemplate puts the template in a bucket of LocalStack's S3 and
// returns its URL (path style, on the endpoint CloudFormation is on).
func uploadTemplate(t *testing.T, ctx context.Context, cfg aws.Config, name string, body []byte) string {
	t.Helper()
	endpoint := strings.TrimSuffix(os.Getenv("AWS_ENDPOINT_URL_CLOUDFORMATION"), "/")
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true; o.BaseEndpoint = aws.String(endpoint) })
	bucket, key := name+"-template", "template.json"
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("template bucket: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, _ = s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		_, _ = s3c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	})
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(string(body))}); err != nil {
		t.Fatalf("template upload: %v", err)
	}
	return endpoint + "/" + bucket + "/" + key
}
