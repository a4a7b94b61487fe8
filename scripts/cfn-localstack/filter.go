package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Supported are the resource types of the stack that LocalStack's free
// edition deploys through CloudFormation. Everything else (API Gateway
// WebSocket APIs, Cognito, CloudFront, Lambda functions and their
// permissions and mappings, CloudWatch alarms and dashboards, custom
// resources, the CDK's metadata) is dropped.
var Supported = map[string]bool{
	"AWS::DynamoDB::Table":          true,
	"AWS::S3::Bucket":               true,
	"AWS::S3::BucketPolicy":         true,
	"AWS::SQS::Queue":               true,
	"AWS::SQS::QueuePolicy":         true,
	"AWS::Events::EventBus":         true,
	"AWS::Events::Rule":             true,
	"AWS::SecretsManager::Secret":   true,
	"AWS::KMS::Key":                 true,
	"AWS::KMS::Alias":               true,
	"AWS::Logs::LogGroup":           true,
	"AWS::IAM::Role":                true,
	"AWS::IAM::Policy":              true,
	"AWS::IAM::ManagedPolicy":       true,
	"AWS::SNS::Topic":               true,
	"AWS::SNS::TopicPolicy":         true,
	"AWS::SSM::Parameter":           true,
	"AWS::Scheduler::ScheduleGroup": true,
}

// Placeholder is what a reference to a dropped resource becomes: an
// ARN-shaped string (IAM policies accept it) naming the resource.
func Placeholder(logicalID string) string {
	return "arn:aws:unsupported:us-east-1:000000000000:" + logicalID
}

// Filtered is a template cut down for LocalStack, and what was dropped.
type Filtered struct {
	Template map[string]any
	Dropped  map[string]string // logical id -> type
}

var subRef = regexp.MustCompile(`\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}`)

// Filter keeps the supported resources of a synthesized template, replaces
// references to the others (Ref, Fn::GetAtt, ${...} in Fn::Sub) with
// Placeholder, drops DependsOn entries, outputs and bucket notifications
// that name them, the resources' Metadata, and
// the CDK's bootstrap-version parameter and rule (there is no bootstrap
// stack in LocalStack).
func Filter(raw []byte) (*Filtered, error) {
	var t map[string]any
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	resources, _ := t["Resources"].(map[string]any)
	if resources == nil {
		return nil, fmt.Errorf("template has no Resources")
	}
	f := &Filtered{Template: t, Dropped: map[string]string{}}
	for id, r := range resources {
		typ, _ := r.(map[string]any)["Type"].(string)
		if !Supported[typ] {
			f.Dropped[id] = typ
			delete(resources, id)
		}
	}
	delete(t, "Rules")
	if params, ok := t["Parameters"].(map[string]any); ok {
		delete(params, "BootstrapVersion")
		if len(params) == 0 {
			delete(t, "Parameters")
		}
	}
	for id, r := range resources {
		res := r.(map[string]any)
		// cdk-nag's suppressions and the CDK's paths: nothing LocalStack
		// reads, and they take the full configuration's template past
		// CreateStack's 51,200-byte TemplateBody limit.
		delete(res, "Metadata")
		f.dropNotificationsToDropped(res)
		f.dropTargetsToDropped(res)
		switch deps := res["DependsOn"].(type) {
		case string:
			if _, gone := f.Dropped[deps]; gone {
				delete(res, "DependsOn")
			}
		case []any:
			var kept []any
			for _, d := range deps {
				if _, gone := f.Dropped[d.(string)]; !gone {
					kept = append(kept, d)
				}
			}
			res["DependsOn"] = kept
			if len(kept) == 0 {
				delete(res, "DependsOn")
			}
		}
		resources[id] = f.replace(res)
	}
	if outputs, ok := t["Outputs"].(map[string]any); ok {
		for id, o := range outputs {
			if f.refersToDropped(o) {
				delete(outputs, id)
			}
		}
	}
	return f, nil
}

// dropNotificationsToDropped removes a bucket's notifications to a dropped
// function (S3 checks the target's ARN; a placeholder is refused).
func (f *Filtered) dropNotificationsToDropped(res map[string]any) {
	if res["Type"] != "AWS::S3::Bucket" {
		return
	}
	props, _ := res["Properties"].(map[string]any)
	nc, _ := props["NotificationConfiguration"].(map[string]any)
	if nc == nil {
		return
	}
	for _, key := range []string{"LambdaConfigurations", "QueueConfigurations", "TopicConfigurations"} {
		list, _ := nc[key].([]any)
		var kept []any
		for _, c := range list {
			if !f.refersToDropped(c) {
				kept = append(kept, c)
			}
		}
		if len(kept) == 0 {
			delete(nc, key)
		} else {
			nc[key] = kept
		}
	}
	if len(nc) == 0 {
		delete(props, "NotificationConfiguration")
	}
}

// dropTargetsToDropped removes an EventBridge rule's targets that are
// dropped resources (a function: EventBridge refuses a placeholder ARN,
// "Unsupported target for Service"); the rule stays, with the targets
// LocalStack has.
func (f *Filtered) dropTargetsToDropped(res map[string]any) {
	if res["Type"] != "AWS::Events::Rule" {
		return
	}
	props, _ := res["Properties"].(map[string]any)
	targets, _ := props["Targets"].([]any)
	if targets == nil {
		return
	}
	var kept []any
	for _, t := range targets {
		tm, _ := t.(map[string]any)
		if !f.refersToDropped(tm["Arn"]) {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		delete(props, "Targets")
	} else {
		props["Targets"] = kept
	}
}

func (f *Filtered) replace(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if ref, ok := x["Ref"].(string); ok {
				if _, gone := f.Dropped[ref]; gone {
					return Placeholder(ref)
				}
			}
			if ga, ok := x["Fn::GetAtt"].([]any); ok && len(ga) > 0 {
				if id, _ := ga[0].(string); id != "" {
					if _, gone := f.Dropped[id]; gone {
						return Placeholder(id)
					}
				}
			}
			if sub, ok := x["Fn::Sub"]; ok {
				switch s := sub.(type) {
				case string:
					return map[string]any{"Fn::Sub": f.replaceSub(s)}
				case []any:
					if len(s) == 2 {
						if str, ok := s[0].(string); ok {
							return map[string]any{"Fn::Sub": []any{f.replaceSub(str), f.replace(s[1])}}
						}
					}
				}
			}
		}
		for k, val := range x {
			x[k] = f.replace(val)
		}
		return x
	case []any:
		for i, val := range x {
			x[i] = f.replace(val)
		}
		return x
	}
	return v
}

func (f *Filtered) replaceSub(s string) string {
	return subRef.ReplaceAllStringFunc(s, func(m string) string {
		id := subRef.FindStringSubmatch(m)[1]
		if _, gone := f.Dropped[id]; gone {
			return Placeholder(id)
		}
		return m
	})
}

func (f *Filtered) refersToDropped(v any) bool {
	b, _ := json.Marshal(v)
	s := string(b)
	for id := range f.Dropped {
		if strings.Contains(s, `"`+id+`"`) || strings.Contains(s, "${"+id) || strings.Contains(s, `"`+id+`.`) {
			return true
		}
	}
	return false
}

// Summary lists the dropped resources by type.
func (f *Filtered) Summary() string {
	count := map[string]int{}
	for _, typ := range f.Dropped {
		count[typ]++
	}
	types := make([]string, 0, len(count))
	for typ := range count {
		types = append(types, typ)
	}
	sort.Strings(types)
	var b strings.Builder
	for _, typ := range types {
		fmt.Fprintf(&b, "  %3d %s\n", count[typ], typ)
	}
	return b.String()
}
