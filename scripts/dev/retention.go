package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/backchannel-chat/backchannel/internal/local/devstack"
	"github.com/backchannel-chat/backchannel/internal/local/ttlsweep"
)

// ttlSweepInterval: how often make dev plays DynamoDB's TTL process
// (which DynamoDB Local lacks) against the local table. Real TTL deletes
// within about two days of the expiry; a minute keeps the local stack tidy.
const ttlSweepInterval = time.Minute

// startTTLSweep runs the local TTL sweep every ttlSweepInterval until ctx
// ends, and serves the test hook POST /dev/ttl/sweep?advance=<duration>:
// one sweep of the table and of the S3 stand-in's lifecycle now, as if the
// clock were advance later (a shortened clock for
// the browser tests: an item that expires within advance is deleted, and
// its REMOVE goes down the stream like TTL's). Run later than now, it
// sweeps only the message and search partitions: the connections of the
// browsers under test stay.
func startTTLSweep(ctx context.Context, stack *devstack.Stack, mux *http.ServeMux, logger *slog.Logger) {
	sw := &ttlsweep.Sweeper{Client: stack.DynamoDBClient(), Table: stack.Resources.TableName, Log: logger}
	go sw.Run(ctx, ttlSweepInterval)
	lifecycle := stack.S3Lifecycle() // nil with an external S3, which runs its own
	sweepFiles := func(now time.Time) int {
		if lifecycle == nil {
			return 0
		}
		gone, err := lifecycle.Sweep(now)
		if err != nil {
			logger.Warn("s3 lifecycle sweep failed", slog.Any("error", err))
		}
		return len(gone)
	}
	go func() {
		t := time.NewTicker(ttlSweepInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				if n := sweepFiles(now); n > 0 {
					logger.Info("s3 lifecycle removed pending uploads", slog.Int("objects", n))
				}
			}
		}
	}()
	mux.HandleFunc("POST /dev/ttl/sweep", func(w http.ResponseWriter, r *http.Request) {
		advance := time.Duration(0)
		if v := r.URL.Query().Get("advance"); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				http.Error(w, "advance: a non-negative Go duration (48h)", http.StatusBadRequest)
				return
			}
			advance = d
		}
		once := &ttlsweep.Sweeper{Client: sw.Client, Table: sw.Table, Now: func() time.Time { return time.Now().Add(advance) }}
		if advance > 0 {
			// Later than now: the messages (and what hangs off them) and
			// their search postings only, not the browsers' connections.
			once.Only = []string{"MSG#", "SRCH#"}
		}
		n, err := once.SweepOnce(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		files := sweepFiles(time.Now().Add(advance))
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]int{"deleted": n, "files": files})
	})
}

func describeTTLSweep(out io.Writer, webURL string) {
	fmt.Fprintf(out, "Retention: expired items swept every %s (DynamoDB TTL stand-in; now, as if 2 days later: curl -X POST '%sdev/ttl/sweep?advance=48h')\n", ttlSweepInterval, webURL)
}
