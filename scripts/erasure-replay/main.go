// Command erasure-replay re-runs, after a table restore (point-in-time
// recovery, a backup, a copy region), the erasures made after the restore
// point (docs/OPERATIONS.md, "Erasure and backups"). The user pool is not
// rolled back with the table, so an erased person is a profile of the
// restored table that is not a tombstone but whose Cognito user no longer
// exists (AdminGetUser answers UserNotFoundException; a deactivated person
// still exists, disabled). For each, it puts one erasure job (the user id)
// on the erasure queue, as deleteAccount does; the erasure worker does the
// rest. Every step of an erasure is idempotent, so running it twice does
// no harm.
//
// A restore point taken while an erasure was running holds the person's
// tombstone profile (written when the erasure's scan reached it) beside
// items the scan had not reached yet; such a tombstone has no erasedAt
// (the erasure's progress marker, set when its last pass ends), and it is
// in no listing of live profiles. The command also pages the tombstones
// (gsi1 partition ERASED) and queues the erasure again of each one whose
// erasedAt is absent.
//
//	go run ./scripts/erasure-replay -table T -user-pool-id P -queue-url Q -dry-run
//	go run ./scripts/erasure-replay -table T -user-pool-id P -queue-url Q
//
// Profiles are paged with a Query on the USERS partition of gsi1 (the
// index ListProfiles reads, every live profile and no other item; a
// tombstone is not listed), not a Scan of the table. AWS region,
// credentials and endpoints come from the environment as for any SDK tool
// (AWS_ENDPOINT_URL_DYNAMODB, _COGNITO_IDENTITY_PROVIDER, _SQS locally).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/erasure"
)

// Flags are the command's options.
type Flags struct {
	Table, UserPoolID, QueueURL string
	DryRun                      bool
}

// Profiles pages through the table's live profiles and its unfinished
// erasures' tombstones (dynamo.Store).
type Profiles interface {
	ListProfiles(ctx context.Context, cursor string, limit int) ([]chat.Profile, string, error)
	PartialErasures(ctx context.Context, cursor string, limit int) ([]string, string, error)
}

// Pool is the part of the Cognito client the command uses.
type Pool interface {
	AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, opts ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
}

// Report counts what a run found and did.
type Report struct {
	Profiles, Existing, NoUsername, Erased int
	// Partial counts the erasures that were running at the restore point
	// (a tombstone without erasedAt), queued again.
	Partial int
}

func main() {
	var f Flags
	flag.StringVar(&f.Table, "table", os.Getenv("TABLE_NAME"), "the restored table (TABLE_NAME)")
	flag.StringVar(&f.UserPoolID, "user-pool-id", os.Getenv("USER_POOL_ID"), "the user pool the stack uses (USER_POOL_ID)")
	flag.StringVar(&f.QueueURL, "queue-url", os.Getenv("ERASURE_QUEUE_URL"), "the erasure queue's URL (ERASURE_QUEUE_URL, as set on the erasure function)")
	flag.BoolVar(&f.DryRun, "dry-run", false, "list the people to erase again, queue nothing")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := open(ctx, f, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "erasure-replay:", err)
		os.Exit(1)
	}
}

func open(ctx context.Context, f Flags, out io.Writer) error {
	if f.Table == "" || f.UserPoolID == "" || (f.QueueURL == "" && !f.DryRun) {
		return errors.New("-table, -user-pool-id and -queue-url are required (-queue-url not with -dry-run)")
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	store, err := dynamo.New(dynamodb.NewFromConfig(cfg), f.Table)
	if err != nil {
		return err
	}
	queue := &erasure.Queue{Client: sqs.NewFromConfig(cfg), URL: f.QueueURL}
	_, err = Run(ctx, f, store, cip.NewFromConfig(cfg), queue, out)
	return err
}

// Run finds the erased people of the restored table and queues their
// erasures (none with f.DryRun), printing each to out.
func Run(ctx context.Context, f Flags, profiles Profiles, pool Pool, queue chat.ErasureQueue, out io.Writer) (Report, error) {
	var r Report
	mode := "queueing their erasures"
	if f.DryRun {
		mode = "dry run: nothing queued"
	}
	fmt.Fprintf(out, "erasure replay of table %s against user pool %s (%s)\n", f.Table, f.UserPoolID, mode)
	cursor := ""
	for {
		page, next, err := profiles.ListProfiles(ctx, cursor, 100)
		if err != nil {
			return r, fmt.Errorf("list profiles: %w", err)
		}
		for _, p := range page {
			if p.Deleted { // a tombstone: already erased
				continue
			}
			r.Profiles++
			if p.Username == "" {
				r.NoUsername++
				fmt.Fprintf(out, "  ? %s: no username on the profile, check it by hand\n", p.UserID)
				continue
			}
			_, err := pool.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(f.UserPoolID), Username: aws.String(p.Username)})
			var nf *ciptypes.UserNotFoundException
			switch {
			case err == nil:
				r.Existing++
				continue
			case !errors.As(err, &nf):
				return r, fmt.Errorf("look up %s (%s): %w", p.UserID, p.Username, err)
			}
			r.Erased++
			if f.DryRun {
				fmt.Fprintf(out, "  would erase %s (%s): no longer in the pool\n", p.UserID, p.Username)
				continue
			}
			if err := queue.EnqueueErasure(ctx, chat.ErasureJob{UserID: p.UserID}); err != nil {
				return r, fmt.Errorf("queue the erasure of %s: %w", p.UserID, err)
			}
			fmt.Fprintf(out, "  queued the erasure of %s (%s): no longer in the pool\n", p.UserID, p.Username)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	// Erasures that were running at the restore point: the tombstone is
	// there, its erasedAt is not.
	cursor = ""
	for {
		ids, next, err := profiles.PartialErasures(ctx, cursor, 100)
		if err != nil {
			return r, fmt.Errorf("list unfinished erasures: %w", err)
		}
		for _, id := range ids {
			r.Partial++
			if f.DryRun {
				fmt.Fprintf(out, "  would erase %s again: its erasure was running at the restore point\n", id)
				continue
			}
			if err := queue.EnqueueErasure(ctx, chat.ErasureJob{UserID: id}); err != nil {
				return r, fmt.Errorf("queue the erasure of %s: %w", id, err)
			}
			fmt.Fprintf(out, "  queued the erasure of %s again: it was running at the restore point\n", id)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	verb := "queued"
	if f.DryRun {
		verb = "would queue"
	}
	fmt.Fprintf(out, "%d live profiles: %d still in the pool, %s %d erasures, %d without a username; %s %d unfinished erasures again\n", r.Profiles, r.Existing, verb, r.Erased, r.NoUsername, verb, r.Partial)
	return r, nil
}
