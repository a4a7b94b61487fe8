package dynamo

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// isNotFound reports guregu's "no item" result of a Get.
func isNotFound(err error) bool { return errors.Is(err, gdynamo.ErrNotFound) }

// isCondFailed reports a failed condition, in a single request or anywhere
// in a transaction.
func isCondFailed(err error) bool { return gdynamo.IsCondCheckFailed(err) }

// txCondFailedAt reports whether the transaction failed because the
// condition of item i (in request order) failed.
func txCondFailedAt(err error, i int) bool {
	var txe *types.TransactionCanceledException
	if !errors.As(err, &txe) || i >= len(txe.CancellationReasons) {
		return false
	}
	code := txe.CancellationReasons[i].Code
	return code != nil && *code == "ConditionalCheckFailed"
}

// isTxConflict reports a write that collided with a concurrent transaction:
// safe to retry, and not retried by the SDK's default retryer.
func isTxConflict(err error) bool {
	var tce *types.TransactionConflictException
	if errors.As(err, &tce) {
		return true
	}
	var txe *types.TransactionCanceledException
	if !errors.As(err, &txe) {
		return false
	}
	conflict := false
	for _, r := range txe.CancellationReasons {
		if r.Code == nil {
			continue
		}
		switch *r.Code {
		case "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded":
			conflict = true
		case "None":
		default:
			return false // a real failure, e.g. a condition: never retry
		}
	}
	return conflict
}

// conflictAttempts bounds retries of writes that collided with transactions.
const conflictAttempts = 6

// retryConflicts runs write until it succeeds, fails for another reason, or
// has collided with concurrent transactions conflictAttempts times. Each
// write it is given must be idempotent or guarded by a condition.
func retryConflicts(ctx context.Context, write func() error) error {
	delay := 10 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := write()
		if err == nil || !isTxConflict(err) || attempt == conflictAttempts {
			return err
		}
		jittered := delay/2 + rand.N(delay)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(jittered):
		}
		delay *= 2
	}
}

// internal wraps an unexpected failure for logs; clients see "internal error".
func internal(err error, what string) error {
	return chat.Wrap(err, "%s", what)
}
