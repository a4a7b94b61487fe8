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
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/scripts/internal/backfill"
)

func main() {
	if err := run(backfill.Parse()); err != nil {
		fmt.Fprintln(os.Stderr, "backfill-names:", err)
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
	fmt.Printf("backfill of the name index of table %s (%s, at most %.0f requests/s)\n", f.Table, f.Mode(), f.Rate)
	opts.Progress = func(st dynamo.BackfillStats) {
		fmt.Fprintf(os.Stderr, "  … page %d: %d profiles, %d to index\n", st.Pages, st.Profiles, st.Written)
	}
	st, err := store.BackfillNameIndex(ctx, opts)
	verb := "indexed"
	if f.DryRun {
		verb = "would index"
	}
	fmt.Printf("%d profiles: %d already indexed, %s %d (%d items), %d renamed meanwhile (their rename indexed them)\n",
		st.Profiles, st.Indexed, verb, st.Written, st.Items, st.Changed)
	return err
}
