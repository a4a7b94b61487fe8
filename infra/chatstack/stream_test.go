package chatstack_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

// TestStreamMapping: the table's stream feeds the stream function with
// bounded batching, partial-batch responses, bisection, bounded retries and
// an on-failure queue, from the latest record.
func TestStreamMapping(t *testing.T) {
	s := synth(t, cfgDefault)
	esm := s.one(t, "AWS::Lambda::EventSourceMapping", "StreamEventSource")
	table := s.one(t, "AWS::DynamoDB::Table", "Table").ID
	queue := s.one(t, "AWS::SQS::Queue", "StreamFailureQueue").ID
	fn := functionNamed(t, s, "stream")
	p := esm.Props
	checks := map[string][2]string{
		"function":          {refID(p["FunctionName"]), fn.ID},
		"source":            {render(p["EventSourceArn"]), "${" + table + ".StreamArn}"},
		"starting":          {render(p["StartingPosition"]), "LATEST"},
		"batch size":        {render(p["BatchSize"]), "100"},
		"batch window":      {render(p["MaximumBatchingWindowInSeconds"]), "1"},
		"parallelization":   {render(p["ParallelizationFactor"]), "1"},
		"bisect":            {render(p["BisectBatchOnFunctionError"]), "true"},
		"retries":           {render(p["MaximumRetryAttempts"]), "3"},
		"max record age":    {render(p["MaximumRecordAgeInSeconds"]), "3600"},
		"response types":    {render(p["FunctionResponseTypes"]), "[ReportBatchItemFailures]"},
		"on failure":        {render(get(p, "DestinationConfig", "OnFailure", "Destination")), "${" + queue + ".Arn}"},
		"enabled (default)": {render(p["Enabled"]), ""},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %s, want %s", what, c[0], c[1])
		}
	}
	// Lambda checks the stream permissions when it creates the mapping.
	policy := s.one(t, "AWS::IAM::Policy", "StreamRoleDefaultPolicy").ID
	if !slices.Contains(strList(esm.Raw["DependsOn"]), policy) {
		t.Errorf("the mapping must wait for %s, depends on %v", policy, strList(esm.Raw["DependsOn"]))
	}
	// This one, the fan-out queue's (TestFanoutWorker), the push
	// queue's (TestPushQueue), the unfurl queue's (TestUnfurlQueue) and
	// the export queue's (TestExportQueue) and the erasure queue's
	// (TestErasureQueue).
	if n := len(s.resources("AWS::Lambda::EventSourceMapping")); n != 6 {
		t.Errorf("%d event source mappings, want 6", n)
	}
}

// TestStreamFilters checks the synthesized filter patterns: valid JSON,
// only Lambda's "equals" and "prefix" operators on dynamodb.Keys.pk.S and
// .sk.S, at most Lambda's five filters, and, evaluated over stream records
// of every item kind the table holds, passing exactly the items that make
// domain events.
func TestStreamFilters(t *testing.T) {
	s := synth(t, cfgDefault)
	esm := s.one(t, "AWS::Lambda::EventSourceMapping", "StreamEventSource")
	filters := list(get(esm.Props, "FilterCriteria", "Filters"))
	if len(filters) == 0 || len(filters) > 5 {
		t.Fatalf("%d filters: want 1 to 5 (Lambda's default quota)", len(filters))
	}
	var patterns []map[string]any
	for _, f := range filters {
		raw, ok := get(f, "Pattern").(string)
		if !ok {
			t.Fatalf("pattern %s is not a plain string", render(get(f, "Pattern")))
		}
		var pattern map[string]any
		if err := json.Unmarshal([]byte(raw), &pattern); err != nil {
			t.Fatalf("pattern %q: %v", raw, err)
		}
		checkPatternShape(t, raw, pattern)
		patterns = append(patterns, pattern)
	}

	for _, tc := range []struct {
		item, pk, sk string
		pass         bool
	}{
		{"message", "MSG#01JD4Q", "00000000000000000042", true},
		{"last possible message", "MSG#01JD4Q", "09223372036854775807", true},
		{"message idempotency item", "MSG#01JD4Q", "CLIENT#u1#c-1", false},
		{"room", "ROOM#01JD4Q", "META", true},
		{"room message counter", "ROOM#01JD4Q", "META#SEQ", false},
		{"member", "ROOM#01JD4Q", "MEMBER#u1", true},
		{"profile", "USER#u1", "PROFILE", true},
		{"user-connection link", "USER#u1", "CONN#Ab1=", false},
		{"connection (analytics: opened and closed only)", "CONN#Ab1=", "META", true},
		{"room-connection index", "ROOMCONN#01JD4Q", "Ab1=", false},
		{"rate counter", "RATE#write#u1", "1732900000000", false},
		{"channel-name claim", "CHANNAME#general", "CLAIM", false},
	} {
		for _, event := range []string{"INSERT", "MODIFY", "REMOVE"} {
			record := streamRecord(event, tc.pk, tc.sk)
			matched := slices.ContainsFunc(patterns, func(p map[string]any) bool { return patternMatches(p, record) })
			want := tc.pass && !(strings.HasPrefix(tc.pk, "CONN#") && event == "MODIFY")
			if matched != want {
				t.Errorf("%s %s (%s / %s): passes the filter = %v, want %v", event, tc.item, tc.pk, tc.sk, matched, want)
			}
		}
	}
}

// checkPatternShape allows only what the stream filters may use:
// {"dynamodb":{"Keys":{"pk"|"sk":{"S":[string | {"prefix": string}, ...]}}}}.
func checkPatternShape(t *testing.T, raw string, pattern map[string]any) {
	t.Helper()
	if ev, ok := pattern["eventName"]; ok { // the analytics filter: event names, as strings
		names, _ := ev.([]any)
		for _, n := range names {
			if s, _ := n.(string); s != "INSERT" && s != "REMOVE" && s != "MODIFY" {
				t.Errorf("pattern %s: eventName rule %v", raw, n)
			}
		}
		if len(names) == 0 || len(pattern) != 2 {
			t.Fatalf("pattern %s: want eventName and dynamodb.Keys only", raw)
		}
	} else if len(pattern) != 1 {
		t.Fatalf("pattern %s: want only dynamodb.Keys", raw)
	}
	if len(get(pattern, "dynamodb").(map[string]any)) != 1 {
		t.Fatalf("pattern %s: want only dynamodb.Keys", raw)
	}
	keys, ok := get(pattern, "dynamodb", "Keys").(map[string]any)
	if !ok || keys["pk"] == nil {
		t.Fatalf("pattern %s: want dynamodb.Keys.pk", raw)
	}
	for attr, v := range keys {
		if attr != "pk" && attr != "sk" {
			t.Errorf("pattern %s filters on %s", raw, attr)
		}
		typed, _ := v.(map[string]any)
		rules, ok := typed["S"].([]any)
		if len(typed) != 1 || !ok || len(rules) == 0 {
			t.Fatalf("pattern %s: %s must be {\"S\": [rules]}", raw, attr)
		}
		for _, r := range rules {
			switch x := r.(type) {
			case string:
			case map[string]any:
				if p, ok := x["prefix"].(string); len(x) != 1 || !ok || p == "" {
					t.Errorf("pattern %s: rule %v is not {\"prefix\": \"…\"}", raw, x)
				}
			default:
				t.Errorf("pattern %s: rule %v is neither a string nor a prefix", raw, x)
			}
		}
	}
}

// streamRecord is a DynamoDB stream record as Lambda's filter sees it.
func streamRecord(event, pk, sk string) map[string]any {
	keys := map[string]any{"pk": map[string]any{"S": pk}, "sk": map[string]any{"S": sk}}
	dynamodb := map[string]any{"Keys": keys, "StreamViewType": "NEW_AND_OLD_IMAGES", "SequenceNumber": "111", "SizeBytes": 26.0}
	if event != "REMOVE" {
		dynamodb["NewImage"] = keys
	}
	if event != "INSERT" {
		dynamodb["OldImage"] = keys
	}
	return map[string]any{"eventName": event, "eventSource": "aws:dynamodb", "dynamodb": dynamodb}
}

// patternMatches evaluates the subset of EventBridge/Lambda pattern syntax
// checkPatternShape allows: every field of the pattern must be present;
// a leaf matches when the value equals a string rule or has a prefix rule's
// prefix.
func patternMatches(pattern, record map[string]any) bool {
	for k, want := range pattern {
		got, present := record[k]
		if !present {
			return false
		}
		switch w := want.(type) {
		case map[string]any:
			sub, ok := got.(map[string]any)
			if !ok || !patternMatches(w, sub) {
				return false
			}
		case []any:
			value, ok := got.(string)
			if !ok || !slices.ContainsFunc(w, func(rule any) bool {
				if s, ok := rule.(string); ok {
					return value == s
				}
				prefix, _ := get(rule, "prefix").(string)
				return strings.HasPrefix(value, prefix)
			}) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// TestStreamGrants: the stream function's role reads the table's stream
// (ListStreams, which has no resource-level permissions, on *), reads and
// writes the table itself for the room purger and the search indexer, puts
// events on its bus, sends to its failure queue, writes its logs: nothing else.
func TestStreamGrants(t *testing.T) {
	s := synth(t, cfgDefault)
	fn := functionNamed(t, s, "stream")
	table := s.one(t, "AWS::DynamoDB::Table", "Table").ID
	bus := s.one(t, "AWS::Events::EventBus", "EventBus").ID
	queue := s.one(t, "AWS::SQS::Queue", "StreamFailureQueue").ID
	logs := "${" + refID(get(fn.Props, "LoggingConfig", "LogGroup")) + ".Arn}"
	got := map[string][]string{}
	for _, p := range s.resources("AWS::IAM::Policy") {
		if len(list(p.Props["Roles"])) != 1 || refID(list(p.Props["Roles"])[0]) != s.roleOf(t, fn).ID {
			continue
		}
		for _, st := range list(get(p.Props, "PolicyDocument", "Statement")) {
			if render(get(st, "Effect")) != "Allow" {
				t.Errorf("unexpected %s statement", render(get(st, "Effect")))
			}
			for _, a := range oneOrMany(get(st, "Action")) {
				got[a] = append(got[a], oneOrMany(get(st, "Resource"))...)
			}
		}
	}
	stream := "${" + table + ".StreamArn}"
	want := map[string][]string{
		"dynamodb:DescribeStream":   {stream},
		"dynamodb:GetRecords":       {stream},
		"dynamodb:GetShardIterator": {stream},
		"dynamodb:ListStreams":      {"*"},
		"events:PutEvents":          {"${" + bus + ".Arn}"},
		// The failure destination, the notifier's push jobs (issue #13) and
		// the link-preview jobs (issue #14).
		"sqs:SendMessage": {"${" + s.one(t, "AWS::SQS::Queue", "PushQueue").ID + ".Arn}", "${" + queue + ".Arn}",
			"${" + s.one(t, "AWS::SQS::Queue", "UnfurlQueue").ID + ".Arn}"},
		"logs:CreateLogStream": {logs},
		"logs:PutLogEvents":    {logs},
		// The room purger (the table itself, not its indexes) and the search
		// indexer (BatchWriteItem of its posting items, covered by the purger's).
		"dynamodb:BatchWriteItem": {"${" + table + ".Arn}"},
		"dynamodb:DeleteItem":     {"${" + table + ".Arn}"},
		"dynamodb:GetItem":        {"${" + table + ".Arn}"},
		"dynamodb:Query":          {"${" + table + ".Arn}"},
		"dynamodb:UpdateItem":     {"${" + table + ".Arn}"},
		// The notifier: the candidates' profiles (GetProfiles); analytics:
		// the rooms' member counts.
		"dynamodb:BatchGetItem": {"${" + table + ".Arn}"},
		// Analytics: the run markers (ANXRUN#…, by a LeadingKeys condition).
		"dynamodb:PutItem": {"${" + table + ".Arn}"},
		// The workspace default's re-stamp: pages of rooms (RoomsPage).
		"dynamodb:Scan": {"${" + table + ".Arn}"},
		// The file sweeper: originals and thumbnails of deleted messages.
		"s3:DeleteObject": {
			"arn:${AWS::Partition}:s3:::backchannel-files-Fn::Select([2,Fn::Split([/,${AWS::StackId}])])/rooms/*",
			"arn:${AWS::Partition}:s3:::backchannel-files-Fn::Select([2,Fn::Split([/,${AWS::StackId}])])/thumbs/*",
		},
	}
	if render(got) != render(want) {
		t.Errorf("stream grants\n got %v\nwant %v", got, want)
	}
	// No other role may put events on the bus or read the stream.
	for _, st := range s.statements() {
		if strings.HasPrefix(st.Where, "StreamRole") {
			continue
		}
		// The thumbnail function sends to its own failure queue only.
		if strings.HasPrefix(st.Where, "ThumbnailRole") && slices.Equal(st.Resources, []string{"${" + s.one(t, "AWS::SQS::Queue", "ThumbnailFailureQueue").ID + ".Arn}"}) {
			continue
		}
		for _, a := range st.Actions {
			if a == "events:PutEvents" || a == "dynamodb:GetRecords" || a == "sqs:SendMessage" && slices.Contains(st.Resources, "${"+queue+".Arn}") {
				t.Errorf("%s also allows %s", st.Where, a)
			}
		}
	}
}

// TestStreamFailureQueue: encrypted (SQS-managed), TLS only, 14 days.
func TestStreamFailureQueue(t *testing.T) {
	for cfg, policy := range map[string]string{cfgDefault: "Retain", cfgFull: "Delete"} {
		s := synth(t, cfg)
		q := s.one(t, "AWS::SQS::Queue", "StreamFailureQueue")
		if render(q.Props["SqsManagedSseEnabled"]) != "true" {
			t.Errorf("%s: queue encryption %s", cfg, render(q.Props))
		}
		if got := render(q.Props["MessageRetentionPeriod"]); got != "1209600" {
			t.Errorf("%s: retention %s s, want 14 days", cfg, got)
		}
		if got := render(q.Raw["DeletionPolicy"]); got != policy {
			t.Errorf("%s: DeletionPolicy %s, want %s", cfg, got, policy)
		}
		var doc any
		for _, p := range s.resources("AWS::SQS::QueuePolicy") {
			if qs := list(p.Props["Queues"]); len(qs) == 1 && refID(qs[0]) == q.ID {
				doc = p.Props["PolicyDocument"]
			}
		}
		if !denysInsecureTransport(doc) {
			t.Errorf("%s: the failure queue has no policy denying aws:SecureTransport=false", cfg)
		}
	}
}

// TestEventBusByContext: one bus per stack and stage; the archive (all
// events of source backchannel) only when asked, for the days asked; the
// text of messages only when asked.
func TestEventBusByContext(t *testing.T) {
	for cfg, want := range map[string]struct {
		name, archiveDays, includeText string
	}{
		cfgDefault: {"Backchannel-prod-events", "", "false"},
		cfgFull:    {"Backchannel-live-events", "7", "true"},
		cfgGoogle:  {"Backchannel-prod-events", "30", "false"},
	} {
		s := synth(t, cfg)
		bus := s.one(t, "AWS::Events::EventBus", "EventBus")
		if got := render(bus.Props["Name"]); got != want.name {
			t.Errorf("%s: bus name %s, want %s", cfg, got, want.name)
		}
		if bus.Props["Policy"] != nil || len(s.resources("AWS::Events::EventBusPolicy")) != 0 {
			t.Errorf("%s: the bus must have no resource policy (publishers are granted by IAM)", cfg)
		}
		archives := s.resources("AWS::Events::Archive")
		if want.archiveDays == "" {
			if len(archives) != 0 {
				t.Errorf("%s: archive without eventArchive", cfg)
			}
		} else {
			if len(archives) != 1 {
				t.Fatalf("%s: %d archives, want 1", cfg, len(archives))
			}
			a := archives[0].Props
			if refID(a["SourceArn"]) != bus.ID || render(a["RetentionDays"]) != want.archiveDays ||
				render(get(a, "EventPattern", "source")) != "[backchannel]" || a["KmsKeyIdentifier"] != nil {
				t.Errorf("%s: archive %s", cfg, render(a))
			}
		}
		env := get(functionNamed(t, s, "stream").Props, "Environment", "Variables")
		if got := render(get(env, "EVENTS_INCLUDE_TEXT")); got != want.includeText {
			t.Errorf("%s: EVENTS_INCLUDE_TEXT %s, want %s", cfg, got, want.includeText)
		}
		outputs := map[string]string{
			chatstack.OutputEventBusName: "${" + bus.ID + "}",
			chatstack.OutputEventBusArn:  "${" + bus.ID + ".Arn}",
		}
		for name, value := range outputs {
			if got := render(get(s.tmpl, "Outputs", name, "Value")); got != value {
				t.Errorf("%s: output %s = %s, want %s", cfg, name, got, value)
			}
		}
		if got := get(s.tmpl, "Outputs", "EventArchiveName"); (got != nil) != (want.archiveDays != "") {
			t.Errorf("%s: archive output %v", cfg, got)
		}
	}
}

// TestStreamAlarms: the stream function's iterator age and errors, and
// any message in the failure queue.
func TestStreamAlarms(t *testing.T) {
	s := synth(t, cfgDefault)
	fn := functionNamed(t, s, "stream").ID
	queue := s.one(t, "AWS::SQS::Queue", "StreamFailureQueue").ID
	for _, tc := range []struct {
		alarm, metric, stat, threshold, dimension string
	}{
		{"StreamIteratorAgeAlarm", "AWS/Lambda/IteratorAge", "Maximum", "60000", fn},
		{"StreamErrorsAlarm", "AWS/Lambda/Errors", "Sum", "1", fn},
		{"StreamFailureQueueAlarm", "AWS/SQS/ApproximateNumberOfMessagesVisible", "Maximum", "1", queue},
	} {
		a := s.one(t, "AWS::CloudWatch::Alarm", tc.alarm).Props
		if got := render(a["Namespace"]) + "/" + render(a["MetricName"]); got != tc.metric {
			t.Errorf("%s metric %s, want %s", tc.alarm, got, tc.metric)
		}
		if render(a["Statistic"]) != tc.stat || render(a["Threshold"]) != tc.threshold ||
			render(a["ComparisonOperator"]) != "GreaterThanOrEqualToThreshold" {
			t.Errorf("%s: %s %s %s, want %s >= %s", tc.alarm, render(a["Statistic"]), render(a["ComparisonOperator"]), render(a["Threshold"]), tc.stat, tc.threshold)
		}
		if !strings.Contains(render(a["Dimensions"]), tc.dimension) {
			t.Errorf("%s dimensions %s, want %s", tc.alarm, render(a["Dimensions"]), tc.dimension)
		}
	}
	body := render(synth(t, cfgFull).one(t, "AWS::CloudWatch::Dashboard", "Dashboard").Props["DashboardBody"])
	for _, want := range []string{"IteratorAge", "ApproximateNumberOfMessagesVisible"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
}
