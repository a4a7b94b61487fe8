package chatstack_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
	"github.com/backchannel-chat/backchannel/internal/analytics"
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
	for _, name := range []string{"authorizer", "connection", "actions"} {
		if fn := functionNamed(t, s, name).ID; !has("AWS/Lambda/Errors/", fn) {
			t.Errorf("no Errors alarm for %s", name)
		}
	}
	for _, want := range []string{"AWS/Lambda/Throttles/", "AWS/DynamoDB/ReadThrottleEvents", "AWS/DynamoDB/WriteThrottleEvents", "AWS/DynamoDB/SystemErrors",
		"AWS/ApiGateway/IntegrationError/", "AWS/ApiGateway/ExecutionError/", "AWS/Lambda/IteratorAge/"} {
		if !has(want, "") {
			t.Errorf("no alarm on %s (have %v)", want, keys)
		}
	}
	// Both failure queues (stream mapping, thumbnail invocations) alarm.
	for _, queue := range []string{"StreamFailureQueue", "ThumbnailFailureQueue"} {
		if q := s.one(t, "AWS::SQS::Queue", queue).ID; !has("AWS/SQS/ApproximateNumberOfMessagesVisible/", q) {
			t.Errorf("no alarm on %s", queue)
		}
	}
}

// TestThumbnailFailureDestination: S3 invokes the thumbnail function
// asynchronously; what still fails after the retries goes to an encrypted,
// SSL-only queue the function may send to.
func TestThumbnailFailureDestination(t *testing.T) {
	s := synth(t, cfgDefault)
	fn := functionNamed(t, s, "thumbnail")
	queue := s.one(t, "AWS::SQS::Queue", "ThumbnailFailureQueue")
	cfg := s.one(t, "AWS::Lambda::EventInvokeConfig", "ThumbnailFunction") // the scheduled function has one too (scheduled_test.go)
	if refID(cfg.Props["FunctionName"]) != fn.ID || render(cfg.Props["MaximumRetryAttempts"]) != "2" {
		t.Errorf("event invoke config %s", render(cfg.Props))
	}
	if dest := render(get(cfg.Props, "DestinationConfig", "OnFailure", "Destination")); dest != "${"+queue.ID+".Arn}" {
		t.Errorf("on-failure destination %s, want the queue", dest)
	}
	if render(queue.Props["SqsManagedSseEnabled"]) != "true" {
		t.Errorf("queue not encrypted: %s", render(queue.Props))
	}
	sslOnly := false
	for _, p := range s.resources("AWS::SQS::QueuePolicy") {
		if strings.Contains(render(p.Props["Queues"]), queue.ID) && strings.Contains(render(p.Props["PolicyDocument"]), "aws:SecureTransport") {
			sslOnly = true
		}
	}
	if !sslOnly {
		t.Error("the thumbnail failure queue does not enforce SSL")
	}
	actions, resources := s.grantsOf(t, s.roleOf(t, fn).ID)
	if !slices.Contains(actions, "sqs:SendMessage") || !slices.Contains(resources, "${"+queue.ID+".Arn}") {
		t.Errorf("thumbnail role cannot send to its failure queue: %v %v", actions, resources)
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
	if n := len(synth(t, cfgDefault).resources("AWS::CloudWatch::Dashboard")); n != 0 {
		t.Errorf("default configuration has %d dashboards, want none (dashboard=true adds it)", n)
	}
	s := synth(t, cfgFull)
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
	// Usage analytics (issue 16): the headline figures, a day each, in the
	// namespace the consumer prints them to.
	if chatstack.MetricsNamespace != analytics.MetricsNamespace {
		t.Errorf("namespaces differ: stack %q, analytics %q", chatstack.MetricsNamespace, analytics.MetricsNamespace)
	}
	for _, m := range chatstack.AnalyticsMetrics {
		if !strings.Contains(body, `Namespace=\"Backchannel\" MetricName=\"`+m+`\"`) {
			t.Errorf("dashboard lacks analytics metric %s", m)
		}
	}
	for _, title := range []string{"Usage: messages and files a day", "Usage: active people a day", "Usage: estimated cost a day (micro-USD)"} {
		if !strings.Contains(body, title) {
			t.Errorf("dashboard lacks the widget %q", title)
		}
	}
}
