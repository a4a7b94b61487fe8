// Package backfill is what the backfill commands (scripts/backfill-*)
// share: their flags, the store from the environment's AWS configuration,
// and the request rate they keep to. Each command says what it fills.
package backfill

import (
	"context"
	"errors"
	"flag"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

// Flags are a backfill's command line.
type Flags struct {
	Table  string
	DryRun bool
	Rate   float64 // requests per second at most
	Page   int     // items each Scan request evaluates
}

// Parse reads the command line (-table, -dry-run, -rate, -page).
func Parse() Flags {
	var f Flags
	flag.StringVar(&f.Table, "table", os.Getenv("TABLE_NAME"), "the chat's table (default $TABLE_NAME)")
	flag.BoolVar(&f.DryRun, "dry-run", false, "count what would be written, write nothing")
	flag.Float64Var(&f.Rate, "rate", 25, "requests per second at most (Scan pages, reads and writes together)")
	flag.IntVar(&f.Page, "page", 100, "items each Scan request evaluates")
	flag.Parse()
	return f
}

// Mode says in words whether the run writes.
func (f Flags) Mode() string {
	if f.DryRun {
		return "dry run, writing nothing"
	}
	return "writing"
}

// Open checks the flags and returns the table's store and the options
// that keep the backfill to the rate; stop releases the rate's ticker.
// AWS region, credentials and endpoint come from the environment as for
// any SDK tool (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB).
func Open(ctx context.Context, f Flags) (store *dynamo.Store, opts dynamo.BackfillOptions, stop func(), err error) {
	if f.Table == "" {
		return nil, opts, nil, errors.New("no table: -table NAME or TABLE_NAME")
	}
	if f.Rate <= 0 || f.Page <= 0 {
		return nil, opts, nil, errors.New("-rate and -page must be positive")
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, opts, nil, err
	}
	store, err = dynamo.New(dynamodb.NewFromConfig(cfg), f.Table)
	if err != nil {
		return nil, opts, nil, err
	}
	tick := time.NewTicker(time.Duration(float64(time.Second) / f.Rate))
	opts = dynamo.BackfillOptions{
		DryRun: f.DryRun, PageSize: f.Page,
		Wait: func(ctx context.Context) error {
			select {
			case <-tick.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
	}
	return store, opts, tick.Stop, nil
}
