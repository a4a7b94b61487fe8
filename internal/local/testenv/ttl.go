package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/backchannel-chat/backchannel/internal/local/ttlsweep"
)

// SweepExpired plays DynamoDB's TTL process once on table at now (a test's
// shortened clock; zero: the real time): every item past its ttl is
// deleted, and the stream sees the REMOVE. It returns how many.
func SweepExpired(t testing.TB, cfg aws.Config, table string, now time.Time) int {
	t.Helper()
	sw := ttlsweep.Sweeper{Client: dynamodb.NewFromConfig(cfg), Table: table}
	if !now.IsZero() {
		sw.Now = func() time.Time { return now }
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := sw.SweepOnce(ctx)
	if err != nil {
		t.Fatalf("ttl sweep: %v", err)
	}
	return n
}
