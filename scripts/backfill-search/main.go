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
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/scripts/internal/backfill"
)

func main() {
	if err := run(backfill.Parse()); err != nil {
		fmt.Fprintln(os.Stderr, "backfill-search:", err)
		os.Exit(1)
	}
}

func run(f backfill.Flags) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, opts, release, err := backfill.Open(ctx, f)
	if err != nil {
		return err
	}
	defer release()
	fmt.Printf("backfill of the search index of table %s (%s, at most %.0f requests/s)\n", f.Table, f.Mode(), f.Rate)
	st, err := store.BackfillSearchIndex(ctx, opts, func(st dynamo.SearchBackfillStats) {
		fmt.Fprintf(os.Stderr, "  … page %d: %d messages, %d to index\n", st.Pages, st.Messages, st.Written)
	})
	verb := "indexed"
	if f.DryRun {
		verb = "would index"
	}
	fmt.Printf("%d messages: %d already indexed, %d with nothing to index (system lines, deleted), %s %d (%d postings)\n",
		st.Messages, st.Indexed, st.Skipped, verb, st.Written, st.Postings)
	return err
}
