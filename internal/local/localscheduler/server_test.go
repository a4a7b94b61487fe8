package localscheduler_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/backchannel-chat/backchannel/internal/local/localscheduler"
)

const (
	fnARN   = "arn:aws:lambda:us-east-1:000000000000:function:digest"
	roleARN = "arn:aws:iam::000000000000:role/scheduler"
)

func start(t *testing.T) (*localscheduler.Server, *scheduler.Client) {
	t.Helper()
	s, err := localscheduler.Start("127.0.0.1:0", localscheduler.Config{Groups: []string{"chat"}, RetryBase: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, scheduler.New(scheduler.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

func at(t time.Time) *string { return aws.String("at(" + t.UTC().Format("2006-01-02T15:04:05") + ")") }

func oneTime(name string, when time.Time, input string) *scheduler.CreateScheduleInput {
	return &scheduler.CreateScheduleInput{
		Name: aws.String(name), GroupName: aws.String("chat"),
		ScheduleExpression: at(when), ScheduleExpressionTimezone: aws.String("UTC"),
		FlexibleTimeWindow:    &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff},
		ActionAfterCompletion: types.ActionAfterCompletionDelete,
		Target: &types.Target{Arn: aws.String(fnARN), RoleArn: aws.String(roleARN), Input: aws.String(input),
			RetryPolicy: &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(2), MaximumEventAgeInSeconds: aws.Int32(60)}},
	}
}

func waitFor(t *testing.T, s *localscheduler.Server, n int) []localscheduler.Invocation {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		ch := s.Changed()
		if inv := s.Invocations(); len(inv) >= n {
			return inv
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("%d invocations after 10 s, want %d: %+v", len(s.Invocations()), n, s.Invocations())
		}
	}
}

func TestOneTimeScheduleInvokesItsTargetOnceAndIsDeleted(t *testing.T) {
	s, client := start(t)
	ctx := context.Background()
	got := make(chan string, 2)
	s.Register(fnARN, func(_ context.Context, input []byte) error { got <- string(input); return nil })

	when := time.Now().Add(1500 * time.Millisecond).Truncate(time.Second)
	out, err := client.CreateSchedule(ctx, oneTime("digest-bo", when, `{"userId":"bo"}`))
	if err != nil {
		t.Fatalf("CreateSchedule: %v", err)
	}
	if aws.ToString(out.ScheduleArn) != "arn:aws:scheduler:us-east-1:000000000000:schedule/chat/digest-bo" {
		t.Fatalf("arn %q", aws.ToString(out.ScheduleArn))
	}
	g, err := client.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("digest-bo"), GroupName: aws.String("chat")})
	if err != nil {
		t.Fatalf("GetSchedule: %v", err)
	}
	if aws.ToString(g.ScheduleExpression) != aws.ToString(at(when)) || g.ActionAfterCompletion != types.ActionAfterCompletionDelete ||
		aws.ToString(g.Target.Input) != `{"userId":"bo"}` || g.State != types.ScheduleStateEnabled || g.CreationDate == nil {
		t.Fatalf("GetSchedule = %+v", g)
	}
	// A second schedule of the same name is a conflict.
	var conflict *types.ConflictException
	if _, err := client.CreateSchedule(ctx, oneTime("digest-bo", when, `{}`)); !errors.As(err, &conflict) {
		t.Fatalf("duplicate: %v", err)
	}

	select {
	case input := <-got:
		if input != `{"userId":"bo"}` {
			t.Fatalf("input %q", input)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the target was not invoked")
	}
	if d := time.Since(when); d < 0 {
		t.Fatalf("invoked %v before its time", -d)
	}
	inv := waitFor(t, s, 1)
	if inv[0].Schedule != "digest-bo" || inv[0].Err != "" {
		t.Fatalf("invocations %+v", inv)
	}
	// ActionAfterCompletion DELETE: gone once it has run.
	var nf *types.ResourceNotFoundException
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := client.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("digest-bo"), GroupName: aws.String("chat")})
		if errors.As(err, &nf) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still there after completion: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case <-got:
		t.Fatal("invoked twice")
	case <-time.After(300 * time.Millisecond):
	}
}

func TestDeletedScheduleNeverFires(t *testing.T) {
	s, client := start(t)
	ctx := context.Background()
	var calls atomic.Int32
	s.Register(fnARN, func(context.Context, []byte) error { calls.Add(1); return nil })
	if _, err := client.CreateSchedule(ctx, oneTime("later", time.Now().Add(time.Second), `{}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String("later"), GroupName: aws.String("chat")}); err != nil {
		t.Fatalf("DeleteSchedule: %v", err)
	}
	var nf *types.ResourceNotFoundException
	if _, err := client.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String("later"), GroupName: aws.String("chat")}); !errors.As(err, &nf) {
		t.Fatalf("second delete: %v", err)
	}
	time.Sleep(2 * time.Second)
	if calls.Load() != 0 || len(s.Invocations()) != 0 {
		t.Fatalf("a deleted schedule fired: %d", calls.Load())
	}
}

func TestFailingTargetIsRetriedPerItsPolicy(t *testing.T) {
	s, client := start(t)
	var calls atomic.Int32
	s.Register(fnARN, func(context.Context, []byte) error {
		if calls.Add(1) < 3 {
			return errors.New("throttled")
		}
		return nil
	})
	if _, err := client.CreateSchedule(context.Background(), oneTime("retry", time.Now(), `{}`)); err != nil {
		t.Fatal(err)
	}
	inv := waitFor(t, s, 3)
	if inv[0].Err == "" || inv[1].Err == "" || inv[2].Err != "" || inv[2].Attempt != 2 {
		t.Fatalf("invocations %+v", inv)
	}
}

func TestCreateScheduleValidatesAsTheServiceDoes(t *testing.T) {
	_, client := start(t)
	ctx := context.Background()
	soon := time.Now().Add(time.Hour)
	mod := func(f func(*scheduler.CreateScheduleInput)) *scheduler.CreateScheduleInput {
		in := oneTime("ok", soon, `{}`)
		f(in)
		return in
	}
	var validation *types.ValidationException
	var nf *types.ResourceNotFoundException
	cases := map[string]struct {
		in   *scheduler.CreateScheduleInput
		want any
	}{
		"bad name":      {mod(func(in *scheduler.CreateScheduleInput) { in.Name = aws.String("a/b") }), &validation},
		"rate":          {mod(func(in *scheduler.CreateScheduleInput) { in.ScheduleExpression = aws.String("rate(5 minutes)") }), &validation},
		"bad at":        {mod(func(in *scheduler.CreateScheduleInput) { in.ScheduleExpression = aws.String("at(2026-13-01 10:00)") }), &validation},
		"bad zone":      {mod(func(in *scheduler.CreateScheduleInput) { in.ScheduleExpressionTimezone = aws.String("Mars/Olympus") }), &validation},
		"no role":       {mod(func(in *scheduler.CreateScheduleInput) { in.Target.RoleArn = aws.String("") }), &validation},
		"unknown group": {mod(func(in *scheduler.CreateScheduleInput) { in.GroupName = aws.String("nope") }), &nf},
	}
	for name, c := range cases {
		_, err := client.CreateSchedule(ctx, c.in)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		switch w := c.want.(type) {
		case **types.ValidationException:
			if !errors.As(err, w) {
				t.Errorf("%s: %v, want ValidationException", name, err)
			}
		case **types.ResourceNotFoundException:
			if !errors.As(err, w) {
				t.Errorf("%s: %v, want ResourceNotFoundException", name, err)
			}
		}
	}
	// A time zone is honoured: 10:00 in Berlin is 09:00 or 08:00 UTC.
	in := oneTime("berlin", soon, `{}`)
	in.ScheduleExpression, in.ScheduleExpressionTimezone = aws.String("at(2030-01-15T10:00:00)"), aws.String("Europe/Berlin")
	if _, err := client.CreateSchedule(ctx, in); err != nil {
		t.Fatalf("time zone: %v", err)
	}
	if _, err := client.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("messages")}); err != nil {
		t.Fatalf("CreateScheduleGroup: %v", err)
	}
	list, err := client.ListSchedules(ctx, &scheduler.ListSchedulesInput{GroupName: aws.String("chat")})
	if err != nil || len(list.Schedules) != 1 || aws.ToString(list.Schedules[0].Name) != "berlin" {
		t.Fatalf("ListSchedules = %+v, %v", list, err)
	}
}

func TestFireNowFiresMatchingSchedulesEarly(t *testing.T) {
	s, client := start(t)
	ctx := context.Background()
	got := make(chan string, 4)
	s.Register(fnARN, func(_ context.Context, input []byte) error { got <- input2(input); return nil })
	far := time.Now().Add(24 * time.Hour)
	for _, name := range []string{"sched-a", "sched-b", "other"} {
		if _, err := client.CreateSchedule(ctx, oneTime(name, far, name)); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.FireNow("chat", "sched-"); n != 2 {
		t.Fatalf("FireNow = %d, want 2", n)
	}
	seen := map[string]bool{<-got: true, <-got: true}
	if !seen["sched-a"] || !seen["sched-b"] {
		t.Errorf("fired %v", seen)
	}
	waitFor(t, s, 2)
	deadline := time.Now().Add(5 * time.Second)
	for len(s.Pending()) != 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if p := s.Pending(); len(p) != 1 || p[0] != "chat/other" {
		t.Errorf("pending after FireNow = %v (fired ones are deleted, ActionAfterCompletion DELETE)", p)
	}
	if n := s.FireNow("chat", "sched-"); n != 0 {
		t.Errorf("FireNow again = %d", n)
	}
}

func input2(b []byte) string { return string(b) }
