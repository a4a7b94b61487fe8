package main

import (
	"encoding/json"
	"testing"
)

// A rule whose target is a dropped function keeps its other targets (the
// queue) and loses that one: LocalStack refuses a placeholder target.
func TestFilterDropsRuleTargetsToDroppedResources(t *testing.T) {
	raw := []byte(`{"Resources": {
	  "Fn": {"Type": "AWS::Lambda::Function", "Properties": {}},
	  "Q": {"Type": "AWS::SQS::Queue", "Properties": {}},
	  "OnlyFn": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {"source": ["x"]},
	    "Targets": [{"Id": "Target0", "Arn": {"Fn::GetAtt": ["Fn", "Arn"]}, "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["Q", "Arn"]}}}]}},
	  "Both": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {"source": ["x"]},
	    "Targets": [{"Id": "Target0", "Arn": {"Fn::GetAtt": ["Fn", "Arn"]}}, {"Id": "Target1", "Arn": {"Fn::GetAtt": ["Q", "Arn"]}}]}}
	}}`)
	f, err := Filter(raw)
	if err != nil {
		t.Fatal(err)
	}
	res := f.Template["Resources"].(map[string]any)
	only := res["OnlyFn"].(map[string]any)["Properties"].(map[string]any)
	if _, ok := only["Targets"]; ok {
		t.Errorf("OnlyFn keeps targets %v", only["Targets"])
	}
	both := res["Both"].(map[string]any)["Properties"].(map[string]any)
	b, _ := json.Marshal(both["Targets"])
	if string(b) != `[{"Arn":{"Fn::GetAtt":["Q","Arn"]},"Id":"Target1"}]` {
		t.Errorf("Both's targets %s", b)
	}
}
