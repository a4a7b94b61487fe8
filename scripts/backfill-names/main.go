// Command backfill-names gives users created before the workspace name
// index existed their index items (UNAME#…), which mentions read: without
// them, "@name" finds nobody for those users until they rename. Run it
// once after deploying the version that added the index; it is idempotent
// (a second run writes nothing) and safe beside live traffic (a profile
// renamed meanwhile is left to the rename, which wrote its items).
//
//	go run ./scripts/backfill-names -table backchannel-prod -dry-run
//	go run ./scripts/backfill-names -table backchannel-prod -rate 20
//
// It Scans the table's profile items page by page (-page items evaluated
// per request) and, per profile lacking items, reads its index items and
// writes the missing ones in one transaction (2 WCU per item on real
// DynamoDB). -rate bounds all of those requests per second. AWS region,
// credentials and endpoint come from the environment as for any SDK tool
// (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB for DynamoDB Local).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

func main() {
	table := flag.String("table", os.Getenv("TABLE_NAME"), "the chat's table (default $TABLE_NAME)")
	dryRun := flag.Bool("dry-run", false, "count what would be written, write nothing")
	rate := flag.Float64("rate", 25, "requests per second at most (Scan pages, index reads and writes together)")
	page := flag.Int("page", 100, "items each Scan request evaluates")
	flag.Parse()
	if err := run(*table, *dryRun, *rate, *page); err != nil {
		fmt.Fprintln(os.Stderr, "backfill-names:", err)
		os.Exit(1)
	}
}

func run(table string, dryRun bool, rate float64, page int) error {
	if table == "" {
		return errors.New("no table: -table NAME or TABLE_NAME")
	}
	if rate <= 0 || page <= 0 {
		return errors.New("-rate and -page must be positive")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	store, err := dynamo.New(dynamodb.NewFromConfig(cfg), table)
	if err != nil {
		return err
	}
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	wait := func(ctx context.Context) error {
		select {
		case <-tick.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	mode := "writing"
	if dryRun {
		mode = "dry run, writing nothing"
	}
	fmt.Printf("backfill of the name index of table %s (%s, at most %.0f requests/s)\n", table, mode, rate)
	st, err := store.BackfillNameIndex(ctx, dynamo.BackfillOptions{
		DryRun: dryRun, PageSize: page, Wait: wait,
		Progress: func(st dynamo.BackfillStats) {
			fmt.Fprintf(os.Stderr, "  … page %d: %d profiles, %d to index\n", st.Pages, st.Profiles, st.Written)
		},
	})
	verb := "indexed"
	if dryRun {
		verb = "would index"
	}
	fmt.Printf("%d profiles: %d already indexed, %s %d (%d items), %d renamed meanwhile (their rename indexed them)\n",
		st.Profiles, st.Indexed, verb, st.Written, st.Items, st.Changed)
	return err
}
