package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// CopyMode is how a bucket restore makes an old version current again.
type CopyMode string

const (
	// CopyServer copies the version server-side (CopyObject with
	// x-amz-copy-source ...?versionId=): S3; objects up to 5 GB, far above
	// the chat's file limit. LocalStack (2026.3) refuses a version copied
	// onto its own key: use CopyDownload there.
	CopyServer CopyMode = "server"
	// CopyDownload reads the version (GetObject versionId) and writes it
	// back (PutObject) with its content type, disposition, cache control and
	// metadata. For the local S3 stand-in: gofakes3 v1.2.0 ignores the
	// versionId of a copy source and would copy the current version.
	CopyDownload CopyMode = "download"
)

// BucketRestore puts the objects under Prefix of a versioned bucket back as
// they were at At: for each key, the version current at At becomes current
// again (as a NEW version: nothing is deleted, the restore itself can be
// undone the same way). Keys created after At are kept unless DeleteNewer
// (then a delete marker hides them, also reversible); keys deleted before
// At stay deleted.
type BucketRestore struct {
	S3          *s3.Client
	Bucket      string
	Prefix      string
	At          time.Time
	Mode        CopyMode
	DeleteNewer bool
	DryRun      bool
}

// BucketReport counts what a bucket restore did (or would do, dry run).
type BucketReport struct {
	Keys      int // keys with any version under the prefix
	Unchanged int // the version current at At is current now
	Restored  int // an older version made current again
	Newer     int // created after At (deleted only with DeleteNewer)
	Deleted   int // delete markers placed over newer keys
	Gone      int // did not exist at At and does not now
}

type objVersion struct {
	id       string
	modified time.Time
	etag     string
	marker   bool
	latest   bool
}

// Run restores the bucket.
func (b BucketRestore) Run(ctx context.Context) (BucketReport, error) {
	var rep BucketReport
	// S3 lists each key's versions newest first: keep that order.
	var order []string
	versions := map[string][]objVersion{}
	p := s3.NewListObjectVersionsPaginator(b.S3, &s3.ListObjectVersionsInput{Bucket: aws.String(b.Bucket), Prefix: aws.String(b.Prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return rep, fmt.Errorf("list versions of %s: %w", b.Bucket, err)
		}
		// One page holds versions and delete markers in two lists; merge
		// them newest first per key.
		add := func(key string, v objVersion) {
			if _, ok := versions[key]; !ok {
				order = append(order, key)
			}
			versions[key] = append(versions[key], v)
		}
		for _, v := range page.Versions {
			add(aws.ToString(v.Key), objVersion{id: aws.ToString(v.VersionId), etag: aws.ToString(v.ETag), modified: aws.ToTime(v.LastModified), latest: aws.ToBool(v.IsLatest)})
		}
		for _, m := range page.DeleteMarkers {
			add(aws.ToString(m.Key), objVersion{id: aws.ToString(m.VersionId), modified: aws.ToTime(m.LastModified), marker: true, latest: aws.ToBool(m.IsLatest)})
		}
	}
	for _, key := range order {
		rep.Keys++
		vs := versions[key]
		var current, wanted *objVersion
		for i := range vs {
			v := &vs[i]
			if v.latest {
				current = v
			}
			// Newest first per list; across the two lists pick by time, and
			// on a tie (S3 keeps seconds) the one listed as latest.
			if !v.modified.After(b.At) && (wanted == nil || v.modified.After(wanted.modified) || (v.modified.Equal(wanted.modified) && v.latest)) {
				wanted = v
			}
		}
		existsNow := current != nil && !current.marker
		switch {
		case wanted == nil || wanted.marker:
			if !existsNow {
				rep.Gone++
				continue
			}
			rep.Newer++
			if !b.DeleteNewer {
				continue
			}
			rep.Deleted++
			if b.DryRun {
				continue
			}
			if _, err := b.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.Bucket), Key: aws.String(key)}); err != nil {
				return rep, fmt.Errorf("delete %s: %w", key, err)
			}
		case existsNow && (current.id == wanted.id || current.etag == wanted.etag):
			// The same version, or the same bytes (a restore made current
			// again: a second run restores nothing).
			rep.Unchanged++
		default:
			rep.Restored++
			if b.DryRun {
				continue
			}
			if err := b.copyVersion(ctx, key, wanted.id); err != nil {
				return rep, err
			}
		}
	}
	return rep, nil
}

func (b BucketRestore) copyVersion(ctx context.Context, key, versionID string) error {
	if b.Mode == CopyDownload {
		obj, err := b.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Bucket), Key: aws.String(key), VersionId: aws.String(versionID)})
		if err != nil {
			return fmt.Errorf("get %s version %s: %w", key, versionID, err)
		}
		defer obj.Body.Close()
		body, err := io.ReadAll(obj.Body)
		if err != nil {
			return fmt.Errorf("read %s version %s: %w", key, versionID, err)
		}
		if _, err := b.S3.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(b.Bucket), Key: aws.String(key), Body: strings.NewReader(string(body)),
			ContentType: obj.ContentType, ContentDisposition: obj.ContentDisposition,
			CacheControl: obj.CacheControl, Metadata: obj.Metadata,
		}); err != nil {
			return fmt.Errorf("put %s: %w", key, err)
		}
		return nil
	}
	src := b.Bucket + "/" + (&url.URL{Path: key}).EscapedPath() + "?versionId=" + url.QueryEscape(versionID)
	if _, err := b.S3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b.Bucket), Key: aws.String(key), CopySource: aws.String(src)}); err != nil {
		return fmt.Errorf("copy %s version %s: %w", key, versionID, err)
	}
	return nil
}
