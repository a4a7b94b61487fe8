// Package ttlsweep plays DynamoDB's TTL process against DynamoDB Local,
// which never deletes expired items: it deletes every item whose ttl
// (epoch seconds) is past, with a DeleteItem conditioned on the ttl still
// being past (an item re-stamped meanwhile stays), so the table's stream
// sees a REMOVE with the old image as it does from TTL, and the stream
// consumers (the file sweeper, the search index) do the rest. It runs in
// make dev (scripts/dev, every minute) and in tests (SweepOnce, with a
// shortened clock). A local stand-in only: it Scans the whole table, which
// the deployed code never does.
package ttlsweep

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Sweeper deletes a table's expired items.
type Sweeper struct {
	Client *dynamodb.Client
	Table  string
	// Attr is the TTL attribute; "" is "ttl".
	Attr string
	// Now is the clock (tests shorten time with it); nil is time.Now.
	Now func() time.Time
	// Only, when set, limits the sweep to items whose pk starts with one
	// of these prefixes (a sweep "two days later" of the messages alone,
	// leaving the live connections of a test's browsers alone).
	Only []string
	Log  *slog.Logger
}

// SweepOnce deletes the items expired at Now and returns how many it
// deleted.
func (s *Sweeper) SweepOnce(ctx context.Context) (int, error) {
	attr := s.Attr
	if attr == "" {
		attr = "ttl"
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	cutoff := &types.AttributeValueMemberN{Value: strconv.FormatInt(now().Unix(), 10)}
	names := map[string]string{"#t": attr}
	deleted := 0
	var start map[string]types.AttributeValue
	for {
		out, err := s.Client.Scan(ctx, &dynamodb.ScanInput{
			TableName:                 aws.String(s.Table),
			FilterExpression:          aws.String("#t <= :now"),
			ProjectionExpression:      aws.String("pk, sk"),
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: map[string]types.AttributeValue{":now": cutoff},
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return deleted, err
		}
		for _, key := range out.Items {
			if !s.wanted(key) {
				continue
			}
			_, err := s.Client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
				TableName:                 aws.String(s.Table),
				Key:                       key,
				ConditionExpression:       aws.String("#t <= :now"),
				ExpressionAttributeNames:  names,
				ExpressionAttributeValues: map[string]types.AttributeValue{":now": cutoff},
			})
			var ccf *types.ConditionalCheckFailedException
			switch {
			case err == nil:
				deleted++
			case errors.As(err, &ccf): // re-stamped or gone meanwhile
			default:
				return deleted, err
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return deleted, nil
		}
		start = out.LastEvaluatedKey
	}
}

func (s *Sweeper) wanted(key map[string]types.AttributeValue) bool {
	if len(s.Only) == 0 {
		return true
	}
	pk, _ := key["pk"].(*types.AttributeValueMemberS)
	if pk == nil {
		return false
	}
	for _, p := range s.Only {
		if strings.HasPrefix(pk.Value, p) {
			return true
		}
	}
	return false
}

// Run sweeps every interval until ctx ends; failures are logged.
func (s *Sweeper) Run(ctx context.Context, interval time.Duration) {
	log := s.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := s.SweepOnce(ctx)
		if err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "ttl sweep failed", slog.Any("error", err))
		} else if n > 0 {
			log.InfoContext(ctx, "ttl sweep deleted expired items", slog.Int("items", n))
		}
	}
}
