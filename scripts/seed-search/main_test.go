package main

import (
	"context"
	"os"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

// A tiny seed and measurement against DynamoDB Local (the 100,000-message
// run is by hand: docs/ARCHITECTURE.md "Message search").
func TestSeedAndMeasureTiny(t *testing.T) {
	cfg := testenv.AWSConfig(t)
	if os.Getenv("AWS_ENDPOINT_URL_DYNAMODB") == "" {
		t.Skip("no AWS_ENDPOINT_URL_DYNAMODB: run under scripts/testenv")
	}
	if cfg.Region != "" {
		t.Setenv("AWS_REGION", cfg.Region)
	}
	table := testenv.NewTable(t, cfg)
	rep, err := run(context.Background(), options{table: table, messages: 120, rooms: 3, queries: 8, workers: 3, seed: 1}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep)
	if rep.Postings == 0 || rep.IndexWCU != float64(rep.Postings) {
		t.Errorf("index: %d postings, %.1f WCU: want one write unit per posting", rep.Postings, rep.IndexWCU)
	}
	if rep.Queries != 8 || rep.P95 <= 0 || rep.RCUPerQuery <= 0 || rep.PostingRCU <= 0 {
		t.Errorf("queries not measured: %+v", rep)
	}
}
