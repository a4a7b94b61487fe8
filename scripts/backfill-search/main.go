// Command backfill-search indexes the messages stored before message search
// was deployed (the stream's indexer only sees messages written after it):
// it gives each its search postings, exactly those the indexer writes.
// Run it once after deploying the version with search; it is idempotent (a
// second run writes nothing: a message whose sender posting is there is
// skipped) and safe beside live traffic (the stream keeps indexing new
// messages meanwhile, and writing a posting twice writes the same item).
//
//	go run ./scripts/backfill-search -table backchannel-prod -dry-run
//	go run ./scripts/backfill-search -table backchannel-prod -rate 20
//
// It Scans the table's message items page by page (-page items evaluated
// per request), reads per page which are indexed (BatchGetItem, 0.5 RCU per
// message), and writes the others' postings with BatchWriteItem (1 WCU per
// posting, about 13 per message: docs/ARCHITECTURE.md "Message search").
// -rate bounds all those requests per second. AWS region, credentials and
// endpoint come from the environment as for any SDK tool (AWS_PROFILE,
// AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB for DynamoDB Local).
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
		fmt.Fprintln(os.Stderr, "backfill-search:", err)
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
	fmt.Printf("backfill of the search index of table %s (%s, at most %.0f requests/s)\n", table, mode, rate)
	st, err := store.BackfillSearchIndex(ctx, dynamo.BackfillOptions{DryRun: dryRun, PageSize: page, Wait: wait},
		func(st dynamo.SearchBackfillStats) {
			fmt.Fprintf(os.Stderr, "  … page %d: %d messages, %d to index\n", st.Pages, st.Messages, st.Written)
		})
	verb := "indexed"
	if dryRun {
		verb = "would index"
	}
	fmt.Printf("%d messages: %d already indexed, %d with nothing to index (system lines, deleted), %s %d (%d postings)\n",
		st.Messages, st.Indexed, st.Skipped, verb, st.Written, st.Postings)
	return err
}
