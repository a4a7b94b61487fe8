package chatstack_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

func TestAlarms(t *testing.T) {
	s := synth(t, cfgDefault)
	byMetric := map[string]bool{}
	for _, a := range s.resources("AWS::CloudWatch::Alarm") {
		if a.Props["AlarmActions"] != nil {
			t.Errorf("%s has actions without an alarm topic", a.ID)
		}
		if name := render(a.Props["MetricName"]); name != "" {
			byMetric[render(a.Props["Namespace"])+"/"+name+"/"+render(a.Props["Dimensions"])] = true
			continue
		}
		// Metric math: DynamoDB per-operation sums.
		for _, m := range list(a.Props["Metrics"]) {
			if name := render(get(m, "MetricStat", "Metric", "MetricName")); name != "" {
				byMetric[render(get(m, "MetricStat", "Metric", "Namespace"))+"/"+name] = true
			}
		}
	}
	var keys []string
	for k := range byMetric {
		keys = append(keys, k)
	}
	has := func(prefix, contains string) bool {
		return slices.ContainsFunc(keys, func(k string) bool { return strings.HasPrefix(k, prefix) && strings.Contains(k, contains) })
	}
	for _, name := range chatstack.FunctionNames() {
		if name == "presignup" && !hasPreSignUp(s) {
			continue
		}
		fn := functionNamed(t, s, name).ID
		for _, metric := range []string{"Errors", "Throttles"} {
			if !has("AWS/Lambda/"+metric+"/", fn) {
				t.Errorf("no %s alarm for %s", metric, name)
			}
		}
	}
	for _, want := range []string{"AWS/DynamoDB/ThrottledRequests", "AWS/DynamoDB/SystemErrors", "AWS/ApiGateway/IntegrationError/", "AWS/ApiGateway/ExecutionError/"} {
		if !has(want, "") {
			t.Errorf("no alarm on %s (have %v)", want, keys)
		}
	}
}

func TestAlarmTopicByContext(t *testing.T) {
	s := synth(t, cfgFull)
	topic := s.one(t, "AWS::SNS::Topic", "AlarmTopic")
	sub := s.one(t, "AWS::SNS::Subscription", "")
	if sub.Props["Endpoint"] != "ops@example.com" || refID(sub.Props["TopicArn"]) != topic.ID {
		t.Errorf("subscription %s", render(sub.Props))
	}
	for _, a := range s.resources("AWS::CloudWatch::Alarm") {
		if got := strList(a.Props["AlarmActions"]); len(got) != 1 || !strings.Contains(got[0], topic.ID) {
			t.Errorf("%s actions %v", a.ID, got)
		}
	}
}

func TestDashboard(t *testing.T) {
	s := synth(t, cfgDefault)
	body := render(s.one(t, "AWS::CloudWatch::Dashboard", "Dashboard").Props["DashboardBody"])
	for _, want := range []string{"ConnectCount", "MessageCount", "IntegrationLatency", "Invocations", "Duration", "ThrottledRequests"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
	for _, m := range chatstack.FanoutMetrics {
		if !strings.Contains(body, `Namespace=\"Backchannel\" MetricName=\"`+m+`\"`) {
			t.Errorf("dashboard lacks fan-out metric %s", m)
		}
	}
}
