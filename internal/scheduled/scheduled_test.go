package scheduled_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/localscheduler"
	"github.com/backchannel-chat/backchannel/internal/notify"
	"github.com/backchannel-chat/backchannel/internal/scheduled"
)

const (
	fnARN   = "arn:aws:lambda:us-east-1:000000000000:function:scheduled"
	roleARN = "arn:aws:iam::000000000000:role/scheduled-scheduler"
	dlqARN  = "arn:aws:sqs:us-east-1:000000000000:scheduled-dlq"
)

// TestTimerOnTheSchedulerStandIn: the real SDK client against the
// stand-in: a one-time schedule in the group with the input, the target,
// the role, the retry policy and the dead-letter queue; a retried create
// is success; a cancel deletes it, a second cancel is success too; the
// schedule invokes its target at its time.
func TestTimerOnTheSchedulerStandIn(t *testing.T) {
	s, err := localscheduler.Start("127.0.0.1:0", localscheduler.Config{Groups: []string{"chat-scheduled"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	client := scheduler.New(scheduler.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	timer := &scheduled.Timer{Client: client, Group: "chat-scheduled", RoleARN: roleARN, TargetARN: fnARN, DeadLetterARN: dlqARN}
	ctx := context.Background()
	got := make(chan string, 1)
	s.Register(fnARN, func(_ context.Context, input []byte) error { got <- string(input); return nil })

	far := time.Now().Add(time.Hour)
	if err := timer.At(ctx, "sched-a-1", far, []byte(`{"id":"a"}`)); err != nil {
		t.Fatal(err)
	}
	if err := timer.At(ctx, "sched-a-1", far, []byte(`{"id":"a"}`)); err != nil {
		t.Errorf("a retried create: %v", err)
	}
	out, err := client.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("sched-a-1"), GroupName: aws.String("chat-scheduled")})
	if err != nil {
		t.Fatal(err)
	}
	tg := out.Target
	if aws.ToString(out.ScheduleExpression) != "at("+far.UTC().Format("2006-01-02T15:04:05")+")" || string(out.ActionAfterCompletion) != "DELETE" ||
		aws.ToString(tg.Arn) != fnARN || aws.ToString(tg.RoleArn) != roleARN || aws.ToString(tg.Input) != `{"id":"a"}` ||
		tg.DeadLetterConfig == nil || aws.ToString(tg.DeadLetterConfig.Arn) != dlqARN ||
		aws.ToInt32(tg.RetryPolicy.MaximumEventAgeInSeconds) != scheduled.MaxEventAge {
		t.Errorf("schedule = %+v, target %+v", out, tg)
	}
	if err := timer.Cancel(ctx, "sched-a-1"); err != nil {
		t.Fatal(err)
	}
	if err := timer.Cancel(ctx, "sched-a-1"); err != nil {
		t.Errorf("a second cancel: %v", err)
	}
	if p := s.Pending(); len(p) != 0 {
		t.Errorf("pending after cancel: %v", p)
	}
	if err := timer.At(ctx, "sched-b-1", time.Now().Add(time.Second), []byte(`{"id":"b"}`)); err != nil {
		t.Fatal(err)
	}
	select {
	case in := <-got:
		if in != `{"id":"b"}` {
			t.Errorf("invoked with %s", in)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("not invoked")
	}
	if err := (&scheduled.Timer{Client: client, Group: "chat-scheduled"}).At(ctx, "x", far, nil); err == nil {
		t.Error("a timer without target and role created a schedule")
	}
}

type fakeQueue struct{ jobs []notify.Job }

func (q *fakeQueue) Enqueue(_ context.Context, jobs []notify.Job) error {
	q.jobs = append(q.jobs, jobs...)
	return nil
}

func TestReminderPushJob(t *testing.T) {
	fired := time.Date(2026, 11, 21, 18, 40, 0, 0, time.UTC)
	it := chat.ScheduledItem{ID: "r1", UserID: "u1", Kind: chat.ScheduledReminder, RoomID: "general", Seq: 43, FiredAt: fired}
	msg := &chat.Message{RoomID: "general", Seq: 43, Text: "deploy done"}
	for _, tc := range []struct {
		name     string
		previews bool
		note     string
		msg      *chat.Message
		want     string
	}{
		{"the message's start", true, "", msg, "deploy done"},
		{"no previews", false, "", msg, ""},
		{"the note, always", false, "answer Ada", msg, "answer Ada"},
		{"a deleted message", true, "", &chat.Message{Deleted: true}, ""},
	} {
		q := &fakeQueue{}
		it.Text = tc.note
		if err := (&scheduled.QueuePush{Queue: q, Previews: tc.previews}).Remind(context.Background(), it, "general", tc.msg); err != nil {
			t.Fatal(err)
		}
		j := q.jobs[0]
		if len(q.jobs) != 1 || j.UserID != "u1" || j.RoomID != "general" || j.Seq != 43 || j.Room != "general" || j.Sender != "Reminder" ||
			j.Reason != scheduled.ReasonReminder || j.Preview != tc.want || j.SentAt != fired.UnixMilli() {
			t.Errorf("%s: job = %+v", tc.name, j)
		}
	}
}
