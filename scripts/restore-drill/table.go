package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A Restorer makes the new table target a restored copy of source. at is
// the point in time; the zero time means the latest restorable one.
// Restore returns once target exists (it may still be CREATING: the drill
// waits for ACTIVE after).
type Restorer interface {
	Name() string
	Restore(ctx context.Context, source, target string, at time.Time) error
}

// PITR restores with DynamoDB point-in-time recovery
// (RestoreTableToPointInTime): AWS only, DynamoDB Local has no PITR. The
// restored table has the source's keys, indexes and items as of at, on
// demand, encrypted with the AWS managed key like the stack's table; it has
// no stream, TTL, PITR, deletion protection, tags or alarms: ApplySettings
// re-applies the first four (docs/OPERATIONS.md).
type PITR struct{ DB *dynamodb.Client }

func (PITR) Name() string { return "point-in-time recovery (RestoreTableToPointInTime)" }

func (r PITR) Restore(ctx context.Context, source, target string, at time.Time) error {
	in := &dynamodb.RestoreTableToPointInTimeInput{
		SourceTableName:          aws.String(source),
		TargetTableName:          aws.String(target),
		BillingModeOverride:      types.BillingModePayPerRequest,
		SSESpecificationOverride: &types.SSESpecification{Enabled: aws.Bool(true), SSEType: types.SSETypeKms},
	}
	if at.IsZero() {
		in.UseLatestRestorableTime = aws.Bool(true)
	} else {
		in.RestoreDateTime = aws.Time(at)
	}
	if _, err := r.DB.RestoreTableToPointInTime(ctx, in); err != nil {
		return fmt.Errorf("restore %s to %s as %s: %w", source, describeTime(at), target, err)
	}
	return nil
}

// FromBackup restores a DynamoDB backup (RestoreTableFromBackup): an
// on-demand backup, or the system backup DynamoDB keeps for 35 days when a
// table with PITR on is deleted. AWS only. The source table is not read.
type FromBackup struct {
	DB        *dynamodb.Client
	BackupArn string
}

func (FromBackup) Name() string { return "DynamoDB backup (RestoreTableFromBackup)" }

func (r FromBackup) Restore(ctx context.Context, _, target string, _ time.Time) error {
	_, err := r.DB.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{
		BackupArn:                aws.String(r.BackupArn),
		TargetTableName:          aws.String(target),
		BillingModeOverride:      types.BillingModePayPerRequest,
		SSESpecificationOverride: &types.SSESpecification{Enabled: aws.Bool(true), SSEType: types.SSETypeKms},
	})
	if err != nil {
		return fmt.Errorf("restore backup %s as %s: %w", r.BackupArn, target, err)
	}
	return nil
}

// Copy stands in for PITR where there is none (DynamoDB Local, which has
// neither point-in-time recovery, backups nor export/import): it creates
// target with the source's key schema, attributes and indexes (and, like a
// PITR restore, no stream and no TTL), then copies every item with a
// parallel Scan and BatchWriteItem. It copies the table as it is now: at
// must be zero (a copy has no history).
type Copy struct {
	DB       *dynamodb.Client
	Segments int // parallel scan segments (default 4)
}

func (Copy) Name() string { return "copy (Scan + BatchWriteItem; no point in time)" }

func (c Copy) Restore(ctx context.Context, source, target string, at time.Time) error {
	if !at.IsZero() {
		return errors.New("copy: a copy has no history, it restores the table as it is now (leave -at empty)")
	}
	desc, err := c.DB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(source)})
	if err != nil {
		return fmt.Errorf("describe %s: %w", source, err)
	}
	src := desc.Table
	in := &dynamodb.CreateTableInput{
		TableName:            aws.String(target),
		BillingMode:          types.BillingModePayPerRequest,
		KeySchema:            src.KeySchema,
		AttributeDefinitions: src.AttributeDefinitions,
	}
	for _, g := range src.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection,
		})
	}
	for _, l := range src.LocalSecondaryIndexes {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName: l.IndexName, KeySchema: l.KeySchema, Projection: l.Projection,
		})
	}
	if _, err := c.DB.CreateTable(ctx, in); err != nil {
		return fmt.Errorf("create %s: %w", target, err)
	}
	if err := waitActive(ctx, c.DB, target, 5*time.Minute); err != nil {
		return err
	}
	segments := c.Segments
	if segments <= 0 {
		segments = 4
	}
	var wg sync.WaitGroup
	errs := make([]error, segments)
	for seg := range segments {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[seg] = c.copySegment(ctx, source, target, seg, segments)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (c Copy) copySegment(ctx context.Context, source, target string, seg, total int) error {
	p := dynamodb.NewScanPaginator(c.DB, &dynamodb.ScanInput{
		TableName: aws.String(source), Segment: aws.Int32(int32(seg)), TotalSegments: aws.Int32(int32(total)),
		ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("scan %s: %w", source, err)
		}
		for i := 0; i < len(page.Items); i += 25 {
			batch := page.Items[i:min(i+25, len(page.Items))]
			reqs := make([]types.WriteRequest, len(batch))
			for j, item := range batch {
				reqs[j] = types.WriteRequest{PutRequest: &types.PutRequest{Item: item}}
			}
			if err := batchWrite(ctx, c.DB, target, reqs); err != nil {
				return err
			}
		}
	}
	return nil
}

// batchWrite writes reqs, retrying unprocessed items with backoff.
func batchWrite(ctx context.Context, db *dynamodb.Client, table string, reqs []types.WriteRequest) error {
	for attempt := 0; len(reqs) > 0; attempt++ {
		out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}})
		if err != nil {
			return fmt.Errorf("write %s: %w", table, err)
		}
		reqs = out.UnprocessedItems[table]
		if len(reqs) == 0 {
			return nil
		}
		if attempt == 10 {
			return fmt.Errorf("write %s: %d items still unprocessed after %d attempts", table, len(reqs), attempt+1)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(50<<min(attempt, 6)) * time.Millisecond):
		}
	}
	return nil
}

// waitActive waits until table and its indexes are ACTIVE.
func waitActive(ctx context.Context, db *dynamodb.Client, table string, max time.Duration) error {
	w := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 100 * time.Millisecond
		o.MaxDelay = 20 * time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)}, max); err != nil {
		return fmt.Errorf("wait for %s: %w", table, err)
	}
	return nil
}

// Settings are what a restore does not carry over and the stack's table
// has (infra/chatstack storage.go): the stream, TTL, point-in-time recovery
// and deletion protection.
type Settings struct {
	StreamView         types.StreamViewType // "" leaves the stream off
	TTLAttribute       string               // "" leaves TTL off
	PITR               bool                 // DynamoDB Local has no PITR: off there
	DeletionProtection bool
}

// StackSettings are the stack table's (infra/chatstack newTable).
func StackSettings(local bool) Settings {
	return Settings{
		StreamView:         types.StreamViewTypeNewAndOldImages,
		TTLAttribute:       "ttl",
		PITR:               !local,
		DeletionProtection: !local,
	}
}

// ApplySettings re-applies s to a restored table; each step is skipped when
// already in place, so a second run changes nothing.
func ApplySettings(ctx context.Context, db *dynamodb.Client, table string, s Settings) error {
	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		return fmt.Errorf("describe %s: %w", table, err)
	}
	t := desc.Table
	if s.StreamView != "" && (t.StreamSpecification == nil || !aws.ToBool(t.StreamSpecification.StreamEnabled)) {
		if _, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{
			TableName:           aws.String(table),
			StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: s.StreamView},
		}); err != nil {
			return fmt.Errorf("enable the stream of %s: %w", table, err)
		}
		if err := waitActive(ctx, db, table, 10*time.Minute); err != nil {
			return err
		}
	}
	if s.TTLAttribute != "" {
		ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
		if err != nil {
			return fmt.Errorf("describe TTL of %s: %w", table, err)
		}
		if d := ttl.TimeToLiveDescription; d == nil || d.TimeToLiveStatus == types.TimeToLiveStatusDisabled || d.TimeToLiveStatus == "" {
			if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
				TableName:               aws.String(table),
				TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(s.TTLAttribute), Enabled: aws.Bool(true)},
			}); err != nil {
				return fmt.Errorf("enable TTL on %s: %w", table, err)
			}
		}
	}
	if s.PITR {
		if _, err := db.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{
			TableName:                        aws.String(table),
			PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)},
		}); err != nil {
			return fmt.Errorf("enable PITR on %s: %w", table, err)
		}
	}
	if s.DeletionProtection && !aws.ToBool(t.DeletionProtectionEnabled) {
		if _, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{
			TableName: aws.String(table), DeletionProtectionEnabled: aws.Bool(true),
		}); err != nil {
			return fmt.Errorf("turn on deletion protection of %s: %w", table, err)
		}
	}
	return nil
}

// DeleteTable deletes a drill's table (turning its deletion protection off
// first).
func DeleteTable(ctx context.Context, db *dynamodb.Client, table string) error {
	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		return fmt.Errorf("describe %s: %w", table, err)
	}
	if aws.ToBool(desc.Table.DeletionProtectionEnabled) {
		if _, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(table), DeletionProtectionEnabled: aws.Bool(false)}); err != nil {
			return fmt.Errorf("turn off deletion protection of %s: %w", table, err)
		}
	}
	if _, err := db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(table)}); err != nil {
		return fmt.Errorf("delete %s: %w", table, err)
	}
	return nil
}

func describeTime(at time.Time) string {
	if at.IsZero() {
		return "the latest restorable time"
	}
	return at.UTC().Format(time.RFC3339)
}
