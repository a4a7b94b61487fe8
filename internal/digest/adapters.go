package digest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// SESMailer sends through SES v2 SendEmail, simple content (SES builds the
// MIME message: text and HTML alternatives) with the custom headers.
type SESMailer struct {
	Client SESAPI
	From   string // a verified identity's address, e.g. "Backchannel <noreply@chat.example.com>"
	// ConfigurationSet, if set, is named on every send.
	ConfigurationSet string
}

// SESAPI is the call SESMailer makes.
type SESAPI interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

func (m *SESMailer) Send(ctx context.Context, e Email) error {
	headers := make([]sestypes.MessageHeader, 0, len(e.Headers))
	names := make([]string, 0, len(e.Headers))
	for k := range e.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		headers = append(headers, sestypes.MessageHeader{Name: aws.String(k), Value: aws.String(e.Headers[k])})
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.From),
		Destination:      &sestypes.Destination{ToAddresses: []string{e.To}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String(e.Subject), Charset: aws.String("UTF-8")},
			Body: &sestypes.Body{
				Text: &sestypes.Content{Data: aws.String(e.Text), Charset: aws.String("UTF-8")},
				Html: &sestypes.Content{Data: aws.String(e.HTML), Charset: aws.String("UTF-8")},
			},
			Headers: headers,
		}},
	}
	if m.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(m.ConfigurationSet)
	}
	_, err := m.Client.SendEmail(ctx, in)
	return err
}

// SchedulerTimer creates one-time EventBridge Scheduler schedules in Group
// that invoke the digest function through RoleARN, deleted after they
// ran (ActionAfterCompletion DELETE): nothing is left behind and nothing
// costs while idle.
type SchedulerTimer struct {
	Client  *scheduler.Client
	Group   string
	RoleARN string
	// TargetARN is the digest function's ARN; TargetFrom, when set, reads
	// it per call instead (the digest function reschedules itself and
	// takes its own ARN from the invocation context).
	TargetARN  string
	TargetFrom func(ctx context.Context) string
}

func (t *SchedulerTimer) At(ctx context.Context, name string, at time.Time, input []byte) error {
	target := t.TargetARN
	if t.TargetFrom != nil {
		if arn := t.TargetFrom(ctx); arn != "" {
			target = arn
		}
	}
	if target == "" || t.RoleARN == "" {
		return errors.New("digest: the scheduler target or role is not configured")
	}
	_, err := t.Client.CreateSchedule(ctx, &scheduler.CreateScheduleInput{
		Name:                       aws.String(name),
		GroupName:                  aws.String(t.Group),
		ScheduleExpression:         aws.String("at(" + at.UTC().Format("2006-01-02T15:04:05") + ")"),
		ScheduleExpressionTimezone: aws.String("UTC"),
		FlexibleTimeWindow:         &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		ActionAfterCompletion:      schedtypes.ActionAfterCompletionDelete,
		Target: &schedtypes.Target{
			Arn: aws.String(target), RoleArn: aws.String(t.RoleARN), Input: aws.String(string(input)),
			// A failed digest is retried for an hour, then dropped: the
			// next missed message schedules a new one.
			RetryPolicy: &schedtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(10), MaximumEventAgeInSeconds: aws.Int32(3600)},
		},
	})
	var conflict *schedtypes.ConflictException
	if errors.As(err, &conflict) {
		return nil // the same person and due time: scheduled already
	}
	return err
}

func (t *SchedulerTimer) Cancel(ctx context.Context, name string) error {
	_, err := t.Client.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String(name), GroupName: aws.String(t.Group)})
	var nf *schedtypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil
	}
	return err
}

// ErrNoAddress: the person has no verified email address (or is disabled).
var ErrNoAddress = errors.New("digest: no verified email address")

// CognitoAddresses finds the address in the user pool (AdminGetUser on the
// profile's username): only a verified email of an enabled account.
type CognitoAddresses struct {
	Profiles interface {
		GetProfile(ctx context.Context, userID string) (chat.Profile, error)
	}
	Client *cip.Client
	PoolID string
}

func (a *CognitoAddresses) EmailAddress(ctx context.Context, userID string) (string, error) {
	p, err := a.Profiles.GetProfile(ctx, userID)
	if err != nil {
		return "", err
	}
	u, err := a.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(a.PoolID), Username: aws.String(p.Username)})
	if err != nil {
		return "", fmt.Errorf("digest: AdminGetUser: %w", err)
	}
	var email string
	verified := false
	for _, at := range u.UserAttributes {
		switch aws.ToString(at.Name) {
		case "email":
			email = aws.ToString(at.Value)
		case "email_verified":
			verified = aws.ToString(at.Value) == "true"
		}
	}
	if email == "" || !verified || !u.Enabled {
		return "", ErrNoAddress
	}
	return email, nil
}

// MemPrefs is a PrefsSource in memory: email on with the default delay for
// everyone until set otherwise. Tests use it, and `make dev` until the
// preferences of #13 are wired in its place (the lead's adapter).
type MemPrefs struct {
	mu    sync.Mutex
	prefs map[string]Prefs
	// Default is what a person without an entry gets.
	Default Prefs
}

// NewMemPrefs: email on, DefaultDelay, no do-not-disturb, English.
func NewMemPrefs() *MemPrefs {
	return &MemPrefs{prefs: map[string]Prefs{}, Default: Prefs{Enabled: true, Delay: DefaultDelay}}
}

func (m *MemPrefs) EmailPrefs(_ context.Context, userID string) (Prefs, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p, ok := m.prefs[userID]; ok {
		return p, nil
	}
	return m.Default, nil
}

func (m *MemPrefs) DisableEmail(_ context.Context, userID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.prefs[userID]
	if !ok {
		p = m.Default
	}
	p.Enabled = false
	m.prefs[userID] = p
	return nil
}

// Set sets userID's preferences.
func (m *MemPrefs) Set(userID string, p Prefs) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.prefs[userID] = p
}
