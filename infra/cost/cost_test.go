package cost

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPriceTable(t *testing.T) {
	p, err := LoadPrices()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	note := func(typ, list string) {
		if prev, dup := seen[typ]; dup {
			t.Errorf("%s is in both %s and %s", typ, prev, list)
		}
		seen[typ] = list
	}
	for typ, price := range p.Billed {
		note(typ, "billed")
		if price.Source == "" || !strings.HasPrefix(price.Source, "https://aws.amazon.com/") {
			t.Errorf("%s: no source named", typ)
		}
	}
	for typ := range p.Free {
		note(typ, "free")
	}
	for typ := range p.StorageOnly {
		note(typ, "storageOnly")
	}
	for name, price := range p.Provisioned {
		if price.USD <= 0 || price.Source == "" {
			t.Errorf("provisioned %s: price %v, source %q", name, price.USD, price.Source)
		}
	}
	if b, err := Budget(); err != nil || b <= 0 {
		t.Errorf("budget %v, %v", b, err)
	}
}

func TestEstimate(t *testing.T) {
	p, err := LoadPrices()
	if err != nil {
		t.Fatal(err)
	}
	var tmpl map[string]any
	if err := json.Unmarshal([]byte(`{"Resources": {
		"Single": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "Errors", "Period": 300}},
		"HighRes": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "Errors", "Period": 10}},
		"Math": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Metrics": [
			{"Id": "e", "Expression": "a + b"},
			{"Id": "a", "MetricStat": {"Metric": {"MetricName": "A"}, "Period": 300}},
			{"Id": "b", "MetricStat": {"Metric": {"MetricName": "B"}, "Period": 300}}]}},
		"Dash": {"Type": "AWS::CloudWatch::Dashboard"},
		"Secret": {"Type": "AWS::SecretsManager::Secret"},
		"OnDemand": {"Type": "AWS::DynamoDB::Table", "Properties": {"BillingMode": "PAY_PER_REQUEST"}},
		"Provisioned": {"Type": "AWS::DynamoDB::Table", "Properties": {"ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
			"GlobalSecondaryIndexes": [{"ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}]}},
		"Fn": {"Type": "AWS::Lambda::Function"},
		"Alias": {"Type": "AWS::Lambda::Alias", "Properties": {"ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 2}}},
		"Bucket": {"Type": "AWS::S3::Bucket"},
		"Queue": {"Type": "AWS::SQS::Queue"},
		"FromQueue": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}}},
		"FromStream": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"EventSourceArn": {"Fn::GetAtt": ["OnDemand", "StreamArn"]}}},
		"Odd": {"Type": "AWS::Foo::Bar"}
	}}`), &tmpl); err != nil {
		t.Fatal(err)
	}
	r := Estimate(tmpl, p)
	want := 0.10 + 0.30 + 0.20 + 3.00 + 0.40 + 10*0.0949 + 10*0.4745 + 2*8.76 + 0.26
	if diff := r.TotalUSD - want; diff > 1e-9 || diff < -1e-9 {
		t.Errorf("total %.4f, want %.4f; lines %+v", r.TotalUSD, want, r.Lines)
	}
	if len(r.Unpriced) != 1 || r.Unpriced[0] != "AWS::Foo::Bar" {
		t.Errorf("unpriced %v, want the unknown type", r.Unpriced)
	}
	if len(r.Storage) != 3 {
		t.Errorf("storage %v, want both tables and the bucket", r.Storage)
	}
	if r.Lines[0].USD < r.Lines[len(r.Lines)-1].USD {
		t.Error("lines not sorted by cost")
	}
}
