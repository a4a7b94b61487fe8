package chatstack_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

// TestScheduledResources: scheduled messages and reminders are on in every
// deployment: the schedule group, the function Scheduler invokes with the
// chat's and the push queue's environment, the actions function told the
// group, role, target and dead-letter queue, retries then the dead-letter
// queue, and the alarms.
func TestScheduledResources(t *testing.T) {
	s := synth(t, cfgDefault)
	group := s.one(t, "AWS::Scheduler::ScheduleGroup", "ScheduledScheduleGroup")
	if !strings.HasSuffix(render(group.Props["Name"]), "-scheduled") {
		t.Errorf("group name %s", render(group.Props["Name"]))
	}
	fn := functionNamed(t, s, "scheduled")
	env := get(fn.Props, "Environment", "Variables").(map[string]any)
	for _, k := range []string{"TABLE_NAME", "WS_CALLBACK_URL", "FANOUT_QUEUE_URL", "PUSH_QUEUE_URL", "PUSH_PREVIEWS", "LOG_LEVEL"} {
		if _, ok := env[k]; !ok {
			t.Errorf("scheduled function lacks %s (has %s)", k, render(env))
		}
	}
	for _, k := range []string{"FILES_BUCKET", "USER_POOL_ID", "SCHEDULED_ROLE_ARN"} {
		if _, ok := env[k]; ok {
			t.Errorf("scheduled function has %s", k)
		}
	}
	dlq := s.one(t, "AWS::SQS::Queue", "ScheduledDeadLetterQueue")
	actions := functionNamed(t, s, "actions")
	aenv := get(actions.Props, "Environment", "Variables").(map[string]any)
	if render(aenv["SCHEDULED_GROUP"]) != render(group.Props["Name"]) || !strings.Contains(render(aenv["SCHEDULED_TARGET_ARN"]), fn.ID) ||
		!strings.Contains(render(aenv["SCHEDULED_ROLE_ARN"]), "ScheduledSchedulerRole") || !strings.Contains(render(aenv["SCHEDULED_DEAD_LETTER_ARN"]), dlq.ID) {
		t.Errorf("actions environment %s", render(aenv))
	}
	cfg := s.one(t, "AWS::Lambda::EventInvokeConfig", "ScheduledFunction")
	if get(cfg.Props, "MaximumRetryAttempts") != float64(chatstack.ScheduledRetryAttempts) ||
		!strings.Contains(render(get(cfg.Props, "DestinationConfig", "OnFailure", "Destination")), dlq.ID) {
		t.Errorf("scheduled invoke config %s", render(cfg.Props))
	}
	if get(dlq.Props, "SqsManagedSseEnabled") != true {
		t.Errorf("dead-letter queue not encrypted: %s", render(dlq.Props))
	}
	alarms := map[string]bool{}
	for _, a := range s.resources("AWS::CloudWatch::Alarm") {
		alarms[strings.TrimRightFunc(a.ID, func(r rune) bool { return r >= 'A' && r <= 'F' || r >= '0' && r <= '9' })] = true
	}
	for _, a := range []string{"ScheduledDeadLetterAlarm"} {
		if !alarms[a] {
			t.Errorf("no %s", a)
		}
	}
}

// TestScheduledGrants: least privilege. Scheduler's role may invoke the
// scheduled function and send to the dead-letter queue, nothing else; the
// actions function creates and deletes schedules in the group only and
// passes that role only to Scheduler; the scheduled function has the
// table, the connections and the two queues, no scheduler calls, no files,
// no pool.
func TestScheduledGrants(t *testing.T) {
	s := synth(t, cfgDefault)
	fn, actions := functionNamed(t, s, "scheduled"), functionNamed(t, s, "actions")
	role := s.one(t, "AWS::IAM::Role", "ScheduledSchedulerRole")
	trust := render(role.Props["AssumeRolePolicyDocument"])
	if !strings.Contains(trust, "scheduler.amazonaws.com") || !strings.Contains(trust, "aws:SourceAccount") {
		t.Errorf("scheduler role trust %s", trust)
	}
	dlq := s.one(t, "AWS::SQS::Queue", "ScheduledDeadLetterQueue")
	granted, resources := s.grantsOf(t, role.ID)
	slices.Sort(granted)
	if !slices.Equal(granted, []string{"lambda:InvokeFunction", "sqs:SendMessage"}) || len(resources) != 2 ||
		!slices.Contains(resources, "${"+fn.ID+".Arn}") || !slices.Contains(resources, "${"+dlq.ID+".Arn}") {
		t.Errorf("scheduler role may %v on %v, want exactly InvokeFunction on the scheduled function and SendMessage to its dead-letter queue", granted, resources)
	}

	group := render(s.one(t, "AWS::Scheduler::ScheduleGroup", "ScheduledScheduleGroup").Props["Name"])
	schedules := "arn:aws:scheduler:eu-west-1:123456789012:schedule/" + group + "/*"
	sawCreate := map[string]bool{}
	for _, st := range s.statements() {
		sender := ""
		for _, r := range []string{"ActionsRole", "HttpapiRole"} { // the HTTP API: a bot's scheduleMessage
			if strings.Contains(st.Where, r) {
				sender = r
			}
		}
		if sender == "" {
			continue
		}
		for _, a := range st.Actions {
			switch {
			case strings.HasPrefix(a, "scheduler:"):
				sawCreate[sender] = sawCreate[sender] || a == "scheduler:CreateSchedule"
				if !slices.Equal(st.Resources, []string{schedules}) {
					t.Errorf("%s: %s on %v, want %s", st.Where, a, st.Resources, schedules)
				}
			case a == "iam:PassRole":
				if !slices.Equal(st.Resources, []string{"${" + role.ID + ".Arn}"}) {
					t.Errorf("%s: iam:PassRole on %v", st.Where, st.Resources)
				}
			}
		}
	}
	if !sawCreate["ActionsRole"] || !sawCreate["HttpapiRole"] {
		t.Errorf("the actions and HTTP API functions cannot both create schedules: %v", sawCreate)
	}
	for _, tc := range []struct {
		fn       resource
		want     []string
		wantNone []string
	}{
		{actions, []string{"scheduler:CreateSchedule", "scheduler:DeleteSchedule", "iam:PassRole"}, []string{"lambda:InvokeFunction", "scheduler:GetSchedule", "scheduler:UpdateSchedule"}},
		{fn, []string{"dynamodb:UpdateItem", "dynamodb:Query", "execute-api:ManageConnections", "sqs:SendMessage"},
			[]string{"scheduler:CreateSchedule", "scheduler:DeleteSchedule", "iam:PassRole", "s3:GetObject", "s3:PutObject", "cognito-idp:AdminGetUser", "dynamodb:Scan"}},
	} {
		got, _ := s.grantsOf(t, s.roleOf(t, tc.fn).ID)
		for _, a := range tc.want {
			if !slices.Contains(got, a) {
				t.Errorf("%s lacks %s (has %v)", tc.fn.ID, a, got)
			}
		}
		for _, a := range tc.wantNone {
			if slices.Contains(got, a) {
				t.Errorf("%s must not have %s", tc.fn.ID, a)
			}
		}
	}
}
