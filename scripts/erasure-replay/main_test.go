package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/erasure"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

// The command against DynamoDB Local, cognito-local and the SQS stand-in:
// of four profiles, one whose pool user was deleted (erased after the
// restore point), one deactivated (disabled, still in the pool), one
// tombstone (erased before it, finished) and one tombstone whose erasure
// was running at the restore point (no erasedAt: items of hers the scan
// had not reached are still there), exactly two erasure jobs are queued,
// for the first and the last; the dry run queues nothing.
func TestReplayQueuesTheErasuresThePoolRemembers(t *testing.T) {
	cfg := testenv.AWSConfig(t)
	ctx := context.Background()
	table := testenv.NewTable(t, cfg)
	store, err := dynamo.New(dynamodb.NewFromConfig(cfg), table)
	if err != nil {
		t.Fatal(err)
	}
	pool := testenv.NewUserPool(t, cfg)
	idp := cip.NewFromConfig(cfg)
	sqsEndpoint, queueURL := testenv.NewQueue(t, cfg, "replay-")
	sqsClient := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(sqsEndpoint) })
	queue := &erasure.Queue{Client: sqsClient, URL: queueURL}

	// Each person: a pool user and a profile under their pool username.
	person := func(name string) chat.Profile {
		t.Helper()
		email := name + "@example.com"
		testenv.SignUp(t, cfg, pool, email, "Passw0rd!long", name)
		u, err := idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String(email)})
		if err != nil {
			t.Fatal(err)
		}
		p, _, err := store.EnsureProfile(ctx, chat.Profile{UserID: "u-" + name, Username: aws.ToString(u.Username), DisplayName: name, CreatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	erased, deactivated, tombstone, midway := person("erin"), person("dana"), person("tom"), person("mia")
	// After the restore point: erin's pool user was deleted (her erasure's
	// first step), dana was deactivated (disabled).
	if _, err := idp.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String(erased.Username)}); err != nil {
		t.Fatal(err)
	}
	if _, err := idp.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String(deactivated.Username)}); err != nil {
		t.Fatal(err)
	}
	if err := store.SetDeactivated(ctx, deactivated.UserID, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Before the restore point: tom was erased entirely (tombstone profile,
	// pool user gone).
	if _, err := idp.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String(tombstone.Username)}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.EraseUserItems(ctx, tombstone.UserID, chat.ErasureErase, "", func() bool { return false }); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkErased(ctx, tombstone.UserID, time.Now()); err != nil { // its last pass ended
		t.Fatal(err)
	}
	// At the restore point mia's erasure was running: her pool user and
	// profile were handled (a tombstone without erasedAt), her preferences
	// not yet.
	if _, err := idp.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String(midway.Username)}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.EraseUserItems(ctx, midway.UserID, chat.ErasureErase, "", func() bool { return false }); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpdatePreferences(ctx, midway.UserID, func(p *chat.Preferences) error { p.Appearance.Theme = "dark"; return nil }); err != nil {
		t.Fatal(err)
	}

	f := Flags{Table: table, UserPoolID: pool.ID, QueueURL: queueURL, DryRun: true}
	var out bytes.Buffer
	r, err := Run(ctx, f, store, idp, queue, &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	if want := (Report{Profiles: 2, Existing: 1, Erased: 1, Partial: 1}); r != want {
		t.Fatalf("dry run report %+v, want %+v", r, want)
	}
	if !strings.Contains(out.String(), "would erase u-erin") || !strings.Contains(out.String(), "would erase u-mia again") {
		t.Errorf("the dry run does not name erin:\n%s", out.String())
	}
	if jobs := receive(t, sqsClient, queueURL, 5*time.Second); len(jobs) != 0 {
		t.Fatalf("the dry run queued %v", jobs)
	}

	f.DryRun = false
	out.Reset()
	if r, err = Run(ctx, f, store, idp, queue, &out); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	if r.Erased != 1 || r.Partial != 1 || !strings.Contains(out.String(), "queued the erasure of u-erin") {
		t.Fatalf("report %+v:\n%s", r, out.String())
	}
	jobs := receive(t, sqsClient, queueURL, 10*time.Second)
	slices.SortFunc(jobs, func(a, b chat.ErasureJob) int { return strings.Compare(a.UserID, b.UserID) })
	if len(jobs) != 2 || jobs[0] != (chat.ErasureJob{UserID: erased.UserID}) || jobs[1] != (chat.ErasureJob{UserID: midway.UserID}) {
		t.Fatalf("jobs %+v, want exactly one for %s and one for %s", jobs, erased.UserID, midway.UserID)
	}
}

// receive collects the queue's jobs: it waits up to wait for the first
// (a new erasure is delayed by erasure.FirstDelay), then takes what else
// is there.
func receive(t *testing.T, c *sqs.Client, url string, wait time.Duration) []chat.ErasureJob {
	t.Helper()
	var jobs []chat.ErasureJob
	deadline := time.Now().Add(wait)
	for {
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			j, err := erasure.DecodeJob(aws.ToString(m.Body))
			if err != nil {
				t.Fatal(err)
			}
			jobs = append(jobs, j)
		}
		if (len(jobs) > 0 && len(out.Messages) == 0) || time.Now().After(deadline) {
			return jobs
		}
	}
}
