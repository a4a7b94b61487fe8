// Command restore-drill restores the chat table to a point in time into a
// NEW table and checks the restore, and can put the files bucket's objects
// back as they were at a point in time (docs/OPERATIONS.md, the runbook).
//
// Against AWS (the default) the table is restored with point-in-time
// recovery (RestoreTableToPointInTime) or from a backup (-backup-arn):
//
//	go run ./scripts/restore-drill -table Backchannel-TableXYZ -at 2026-11-30T11:00:00Z
//	go run ./scripts/restore-drill -table Backchannel-TableXYZ -delete   # latest restorable time, drill only
//
// DynamoDB Local has no point-in-time recovery, backups or export/import, so
// locally (-mode copy; AWS_ENDPOINT_URL_DYNAMODB set) the same drill copies
// the table (Scan + BatchWriteItem) into the new one; everything after the
// restore (re-applying the stream and TTL, the checks) is the same code:
//
//	AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000 go run ./scripts/restore-drill -mode copy -table backchannel -delete
//
// The checks: the restored table and its GSIs ACTIVE with the source's key
// schemas and projections; the stream (NEW_AND_OLD_IMAGES), TTL (ttl),
// point-in-time recovery and deletion protection re-applied (a restore
// carries none of them); the item counts by kind (key shape) equal to the
// source's (within -tolerance); -sample items equal to the source's
// attribute by attribute and found again through the GSIs. It exits 1 when
// a check fails.
//
// The bucket (-bucket, with -bucket-at): each object under -prefix is put
// back as it was at that time, from the bucket's versions (a new version
// of the old bytes: reversible); -dry-run only counts.
//
// Region, credentials and endpoints come from the environment as for any
// SDK tool (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB,
// AWS_ENDPOINT_URL_S3 with AWS_S3_USE_PATH_STYLE=true for local S3).
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

// Options are one drill run's.
type Options struct {
	Table     string    // the source table
	Target    string    // the new table ("<table>-restore-<time>" when empty)
	At        time.Time // zero: the latest restorable time
	Restorer  Restorer  // nil: no table restore
	Settings  Settings
	Check     CheckOptions
	Wait      time.Duration // how long to wait for the restored table
	Delete    bool          // delete the restored table after the checks
	Bucket    *BucketRestore
	SkipTable bool // no table restore (-bucket only)
}

// Result is what a drill did and how long each step took.
type Result struct {
	Target                       string
	StreamArn                    string // the restored table's stream, for tableStreamArn
	Report                       *Report
	Bucket                       *BucketReport
	Restore, Settle, Check, Copy time.Duration
}

// Drill runs the restore and the checks; err is set for a failed step or
// any check that found a problem (res then says which).
func Drill(ctx context.Context, db *dynamodb.Client, o Options, log io.Writer) (Result, error) {
	var res Result
	if !o.SkipTable {
		res.Target = o.Target
		if res.Target == "" && o.Table == "" {
			return res, errors.New("restoring a backup without its (deleted) source table needs -target")
		}
		if res.Target == "" {
			res.Target = fmt.Sprintf("%s-restore-%s", o.Table, time.Now().UTC().Format("20060102-150405"))
		}
		fmt.Fprintf(log, "restoring %s to %s into %s by %s\n", cmp.Or(o.Table, "(no source table)"), describeTime(o.At), res.Target, o.Restorer.Name())
		start := time.Now()
		if err := o.Restorer.Restore(ctx, o.Table, res.Target, o.At); err != nil {
			return res, err
		}
		if err := waitActive(ctx, db, res.Target, o.Wait); err != nil {
			return res, err
		}
		res.Restore = time.Since(start)
		start = time.Now()
		if err := ApplySettings(ctx, db, res.Target, o.Settings); err != nil {
			return res, err
		}
		res.Settle = time.Since(start)
		start = time.Now()
		o.Check.Settings = o.Settings
		if o.Table != "" {
			rep, err := Check(ctx, db, o.Table, res.Target, o.Check)
			if err != nil {
				return res, err
			}
			res.Check = time.Since(start)
			res.Report = rep
			rep.Print(log)
		} else {
			fmt.Fprintln(log, "  no source table: settings applied, nothing to compare with")
		}
		if desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &res.Target}); err == nil && desc.Table.LatestStreamArn != nil {
			res.StreamArn = *desc.Table.LatestStreamArn
		}
		fmt.Fprintf(log, "restore %s, settings %s, checks %s\n", res.Restore.Round(time.Millisecond), res.Settle.Round(time.Millisecond), res.Check.Round(time.Millisecond))
		if o.Delete {
			if err := DeleteTable(ctx, db, res.Target); err != nil {
				return res, err
			}
			fmt.Fprintf(log, "deleted %s\n", res.Target)
		} else {
			fmt.Fprintf(log, "to switch the stack to it (docs/OPERATIONS.md): make deploy CDK_ARGS='-c tableName=%s -c tableStreamArn=%s'\n", res.Target, res.StreamArn)
		}
	}
	if o.Bucket != nil {
		start := time.Now()
		br, err := o.Bucket.Run(ctx)
		res.Copy = time.Since(start)
		res.Bucket = &br
		verb := "restored"
		if o.Bucket.DryRun {
			verb = "would restore"
		}
		fmt.Fprintf(log, "bucket %s/%s at %s: %d keys, %d unchanged, %s %d, %d newer (%d hidden), %d gone (%s)\n",
			o.Bucket.Bucket, o.Bucket.Prefix, o.Bucket.At.UTC().Format(time.RFC3339), br.Keys, br.Unchanged, verb, br.Restored,
			br.Newer, br.Deleted, br.Gone, res.Copy.Round(time.Millisecond))
		if err != nil {
			return res, err
		}
	}
	if res.Report != nil && len(res.Report.Problems) > 0 {
		return res, fmt.Errorf("%d checks failed", len(res.Report.Problems))
	}
	return res, nil
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "restore-drill:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("restore-drill", flag.ContinueOnError)
	table := fs.String("table", "", "the source table (required unless -bucket only, or -mode backup of a deleted table with -target)")
	target := fs.String("target", "", "the new table's name (default <table>-restore-<UTC time>)")
	at := fs.String("at", "", "restore point, RFC 3339 (default: the latest restorable time)")
	mode := fs.String("mode", "pitr", "pitr (AWS), backup (AWS, with -backup-arn) or copy (DynamoDB Local: no point in time)")
	backupArn := fs.String("backup-arn", "", "with -mode backup: the DynamoDB backup to restore (a deleted table's system backup, an on-demand backup)")
	sample := fs.Int("sample", 200, "items compared attribute by attribute")
	tolerance := fs.Float64("tolerance", 0, "fraction by which counts and the sample may differ (0.02 for a live source: writes after the restore point)")
	wait := fs.Duration("wait", 4*time.Hour, "how long to wait for the restored table (a large PITR restore takes hours)")
	del := fs.Bool("delete", false, "delete the restored table after the checks (a drill)")
	bucket := fs.String("bucket", "", "also restore this versioned bucket's objects")
	prefix := fs.String("prefix", "", "with -bucket: only keys under this prefix")
	bucketAt := fs.String("bucket-at", "", "with -bucket: the point in time, RFC 3339 (default -at)")
	copyMode := fs.String("copy", string(CopyServer), "with -bucket: server (CopyObject by version) or download (GetObject + PutObject: the local S3 stand-in)")
	deleteNewer := fs.Bool("delete-newer", false, "with -bucket: hide objects created after the point in time (a delete marker)")
	dryRun := fs.Bool("dry-run", false, "with -bucket: count only")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	db := dynamodb.NewFromConfig(cfg)
	o := Options{
		Table: *table, Target: *target, Wait: *wait, Delete: *del, SkipTable: *table == "" && *mode != "backup",
		Check: CheckOptions{Sample: *sample, Tolerance: *tolerance, PKAttr: dynamo.AttrPK, SKAttr: dynamo.AttrSK},
	}
	if *at != "" {
		if o.At, err = time.Parse(time.RFC3339, *at); err != nil {
			return fmt.Errorf("-at: %w", err)
		}
	}
	switch *mode {
	case "pitr":
		o.Restorer, o.Settings = PITR{DB: db}, StackSettings(false)
	case "backup":
		if *backupArn == "" {
			return errors.New("-mode backup needs -backup-arn")
		}
		o.Restorer, o.Settings = FromBackup{DB: db, BackupArn: *backupArn}, StackSettings(false)
	case "copy":
		o.Restorer, o.Settings = Copy{DB: db}, StackSettings(true)
	default:
		return fmt.Errorf("-mode %q: want pitr, backup or copy", *mode)
	}
	if *bucket != "" {
		when := *bucketAt
		if when == "" {
			when = *at
		}
		if when == "" {
			return errors.New("-bucket needs -bucket-at or -at")
		}
		t, err := time.Parse(time.RFC3339, when)
		if err != nil {
			return fmt.Errorf("-bucket-at: %w", err)
		}
		if *copyMode != string(CopyServer) && *copyMode != string(CopyDownload) {
			return fmt.Errorf("-copy %q: want server or download", *copyMode)
		}
		o.Bucket = &BucketRestore{
			S3:     s3.NewFromConfig(cfg, func(so *s3.Options) { so.UsePathStyle = os.Getenv("AWS_S3_USE_PATH_STYLE") == "true" }),
			Bucket: *bucket, Prefix: *prefix, At: t, Mode: CopyMode(*copyMode), DeleteNewer: *deleteNewer, DryRun: *dryRun,
		}
	}
	if o.SkipTable && o.Bucket == nil {
		return errors.New("nothing to do: give -table and/or -bucket")
	}
	_, err = Drill(ctx, db, o, os.Stdout)
	return err
}
