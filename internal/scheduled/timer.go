// Package scheduled is the AWS side of scheduled messages and reminders
// (the use cases are internal/service/scheduled.go): the EventBridge
// Scheduler adapter that creates one one-time schedule per item, and the
// push of a fired reminder onto the Web Push queue.
package scheduled

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Retry policy of a schedule's invocation of the scheduled function: the
// invocation is asynchronous (Lambda then retries a failed run twice); the
// Scheduler's own retries are for an invocation it could not make
// (throttling), for at most an hour, after which the event goes to the
// dead-letter queue.
const (
	MaxRetryAttempts = 20
	MaxEventAge      = 3600 // seconds
)

// SchedulerAPI is the part of the EventBridge Scheduler client the timer
// calls.
type SchedulerAPI interface {
	CreateSchedule(ctx context.Context, in *scheduler.CreateScheduleInput, opts ...func(*scheduler.Options)) (*scheduler.CreateScheduleOutput, error)
	DeleteSchedule(ctx context.Context, in *scheduler.DeleteScheduleInput, opts ...func(*scheduler.Options)) (*scheduler.DeleteScheduleOutput, error)
}

// Timer is chat.ScheduleTimer on EventBridge Scheduler: one-time
// schedules in Group, deleted after they ran (ActionAfterCompletion
// DELETE), invoking TargetARN (the scheduled function) through RoleARN,
// with DeadLetterARN (an SQS queue) for events it could not deliver.
type Timer struct {
	Client        SchedulerAPI
	Group         string
	RoleARN       string
	TargetARN     string
	DeadLetterARN string
}

var _ chat.ScheduleTimer = (*Timer)(nil)

// At creates the schedule; an existing one of the name is success (the
// names are unique per item and time: a retry).
func (t *Timer) At(ctx context.Context, name string, at time.Time, input []byte) error {
	if t.TargetARN == "" || t.RoleARN == "" {
		return errors.New("scheduled: the scheduler target or role is not configured")
	}
	target := &schedtypes.Target{
		Arn: aws.String(t.TargetARN), RoleArn: aws.String(t.RoleARN), Input: aws.String(string(input)),
		RetryPolicy: &schedtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(MaxRetryAttempts), MaximumEventAgeInSeconds: aws.Int32(MaxEventAge)},
	}
	if t.DeadLetterARN != "" {
		target.DeadLetterConfig = &schedtypes.DeadLetterConfig{Arn: aws.String(t.DeadLetterARN)}
	}
	_, err := t.Client.CreateSchedule(ctx, &scheduler.CreateScheduleInput{
		Name:                       aws.String(name),
		GroupName:                  aws.String(t.Group),
		ScheduleExpression:         aws.String("at(" + at.UTC().Format("2006-01-02T15:04:05") + ")"),
		ScheduleExpressionTimezone: aws.String("UTC"),
		FlexibleTimeWindow:         &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		ActionAfterCompletion:      schedtypes.ActionAfterCompletionDelete,
		Target:                     target,
	})
	var conflict *schedtypes.ConflictException
	if errors.As(err, &conflict) {
		return nil
	}
	return err
}

// Cancel deletes the schedule; a missing one (fired and deleted, or never
// created) is success.
func (t *Timer) Cancel(ctx context.Context, name string) error {
	_, err := t.Client.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String(name), GroupName: aws.String(t.Group)})
	var nf *schedtypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil
	}
	return err
}
